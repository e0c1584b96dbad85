# The MCP resources end to end: webhooks serve stores deliveries while an
# MCP session lists, reads and subscribes to events:// resources, and gets
# notifications/resources/updated for its subscription when one lands.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
printf '{"api_key":"sk_test_res123","webhook_secret":"whsec_resources"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
python3 "$CASE/session.py" "$BIN" "$(cat "$TMP/port")" "$TMP/mcp.err" || fail "session; mcp stderr: $(cat "$TMP/mcp.err")"
kill -TERM $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP/serve.err" "$TMP/mcp.err" || fail "sanitizer: $(cat "$TMP/mcp.err")"
echo ok
