# A tools/call that reports progress (a progressToken, pages followed up to
# max_items) is answered as an SSE stream: the progress notifications, then
# the answer with the client's id, with X-Accel-Buffering: no. A call
# without a progressToken is one JSON object; one that asks for log lines
# (_meta logLevel) gets them on its stream. The server run of this case is
# only `--version`.
exec python3 "$CASE/test.py" "$BIN"
