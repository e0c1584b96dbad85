# The user declines the URL elicitation: the tool says so, the page's
# listener is closed, nothing is saved.
set -eu
python3 "$ROOT/tests/connect/drive.py" "$BIN" decline 2>"$TMP/s.err" || { echo "FAIL: $(tail -5 "$TMP/s.err")"; exit 1; }
[ "$("$BIN" connections list --json)" = "[]" ] || { echo "FAIL: something was saved"; exit 1; }
echo ok
