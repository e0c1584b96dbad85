# subscriptions/listen over HTTP (2026-07-28): an SSE stream with
# X-Accel-Buffering: no and keep-alive comments (--keepalive 1) that carries
# a webhook stored by `webhooks serve` (another process) as
# notifications/resources/updated, and a connection added in another
# terminal as notifications/tools/list_changed, each tagged with the
# client's own id; closing the stream ends the subscription. On SIGTERM an
# open stream gets its final result. The server run of this case is only
# `--version`.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"api_key":"sk_test_listen1","webhook_secret":"whsec_listen"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/hooks.err" &
HOOKS=$!
trap 'kill $HOOKS 2>/dev/null || true' EXIT
for i in $(seq 600); do [ -s "$TMP/port" ] && break; sleep 0.05; done
python3 "$CASE/test.py" "$BIN" "$(cat "$TMP/port")" || fail "session"
kill -TERM $HOOKS
wait $HOOKS || fail "webhooks serve exited $?"
trap - EXIT
echo ok
