# A request must arrive whole within --request-timeout seconds of its
# connection's first byte (or of the previous answer on a kept connection),
# however it trickles in (a byte every 0.3 s keeps libmicrohttpd's idle
# timeout from firing): a client trickling its headers, or its body, is cut
# off; one that waits on its answer is not. The server run of this case is
# only `--version`.
exec python3 "$CASE/test.py" "$BIN"
