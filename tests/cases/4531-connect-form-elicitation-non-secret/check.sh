# switchboard_connect for Shopify's admin token with a client that supports
# form and URL elicitation: the shop (not secret) is asked by a form
# elicitation, the token only on the page (shop shown read-only there); a
# token the client sends in the form is not taken.
set -eu
python3 "$ROOT/tests/connect/drive.py" "$BIN" form 2>"$TMP/s.err" || { echo "FAIL: $(tail -5 "$TMP/s.err")"; exit 1; }
"$BIN" connections show shopify/default --json | python3 -c '
import json,sys; c=json.load(sys.stdin)
assert c["auth"]=="custom" and c["config"]["shop"]=="acme", c
assert c["secrets"]["access_token"] is True, c'
echo ok
