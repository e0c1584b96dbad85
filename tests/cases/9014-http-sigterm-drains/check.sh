# SIGTERM drains: the listening socket closes at once (a load balancer moves
# new connections to another replica), a call in flight still gets its
# answer, an open subscription ends with its final result, and the server
# exits 0 once nothing is in flight. The server run of this case is only
# `--version`.
exec python3 "$CASE/test.py" "$BIN"
