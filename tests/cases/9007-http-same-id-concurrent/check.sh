# Ids are the client's, per HTTP request: two clients calling at once with
# the same id (1) each get their own answer with their own id, the fast call
# before the slow one (neither waits for the other); two subscriptions/listen
# streams with the same id are both acknowledged. The server run of this
# case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
