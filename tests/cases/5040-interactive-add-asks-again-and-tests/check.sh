set -eu
python3 "$CASE/at_terminal.py"
# The test ran once (for tty, not quiet) and was recorded in its status.
[ "$(grep -c '"path": "/v1/customers"' "$TMP/stub-requests.jsonl")" = 1 ] || { echo "stub saw: $(cat "$TMP/stub-requests.jsonl")"; exit 1; }
$BIN connections show tty --json | grep -q '"status":"ok","last_error":null' || { echo "status not recorded"; exit 1; }
echo ok
