# LISTEN/NOTIFY across processes on one PostgreSQL: a 2026-07-28 session in
# one `serve` process (B) is told of events that `webhooks serve` (A) stored
# and of a connection added by a third process, each within 2 s,
# while B does not poll the store (its fallback poll is 5 s); after a
# PostgreSQL restart B listens again and the same holds. Then the same for
# a subscriptions/listen stream on a `serve --http` replica.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
. "$ROOT/tests/pg/lib.sh"
pg_start
printf '{"api_key":"sk_test_notify1","webhook_secret":"whsec_notify"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
for i in $(seq 600); do [ -s "$TMP/port" ] && break; sleep 0.05; done
python3 "$CASE/session.py" "$BIN" "$(cat "$TMP/port")" "$TMP/mcp.err" "$ROOT/tests/pg/cluster.sh" \
	"$PGDIR" 2>"$TMP/session.err" || fail "session: $(cat "$TMP/session.err"); mcp: $(cat "$TMP/mcp.err")"
kill -TERM $SRV
wait $SRV || fail "webhooks serve exited $?: $(cat "$TMP/serve.err")"
SRV=
cat "$TMP/session.err"
grep -q "reconnected to store" "$TMP/mcp.err" || fail "B did not reconnect: $(cat "$TMP/mcp.err")"
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP/serve.err" "$TMP/mcp.err" ||
	fail "sanitizer: $(cat "$TMP/mcp.err" "$TMP/serve.err")"
echo ok
