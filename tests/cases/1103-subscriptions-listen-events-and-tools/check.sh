# subscriptions/listen (2026-07-28): a modern client opts in to tool list
# changes and to one events:// resource. A webhook stored by `webhooks
# serve` (another process) and a connection added in another terminal each
# reach it as a notification tagged with its subscription id; nothing it did
# not ask for arrives, and the stream ends with a result when stdin closes.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"api_key":"sk_test_listen1","webhook_secret":"whsec_listen"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
for i in $(seq 600); do [ -s "$TMP/port" ] && break; sleep 0.05; done
python3 "$CASE/session.py" "$BIN" "$(cat "$TMP/port")" "$TMP/mcp.err" || fail "session; mcp stderr: $(cat "$TMP/mcp.err")"
kill -TERM $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP/serve.err" "$TMP/mcp.err" || fail "sanitizer: $(cat "$TMP/mcp.err")"
echo ok
