# serve --http writes reals as stdio does (3044), in the fewest digits that
# read back the same: 4.35, not 4.3499999999999996, in a JSON answer and in
# an SSE stream (a progress token makes one). The server run of this case is
# only `--version`.
exec python3 "$CASE/test.py" "$BIN"
