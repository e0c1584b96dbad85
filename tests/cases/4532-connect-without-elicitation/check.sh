# switchboard_connect with a client without elicitation: the page's URL is in
# the tool result for the model to show; a secret passed as a setting is
# refused, a setting (base_url) is kept; a malformed key is refused on the page, which stays usable; the
# saved connection brings tools/list_changed. No elicitation is sent.
set -eu
python3 "$ROOT/tests/connect/drive.py" "$BIN" plain 2>"$TMP/s.err" || { echo "FAIL: $(tail -5 "$TMP/s.err")"; exit 1; }
grep -q 'connected stripe/work' "$TMP/s.err" || { echo "FAIL: no log line: $(cat "$TMP/s.err")"; exit 1; }
! grep -q sk_test_connectpage "$TMP/s.err" || { echo "FAIL: the key in stderr"; exit 1; }
"$BIN" connections show stripe/work --json | python3 -c '
import json,sys; c=json.load(sys.stdin)
assert c["config"]["base_url"]=="http://127.0.0.1:9/v1" and c["secrets"]["api_key"] is True, c'
echo ok
