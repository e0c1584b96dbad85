# Events on PostgreSQL: `webhooks serve` stores verified deliveries while a separate MCP session (case 6006's
# script) lists, reads and subscribes to events:// resources and is told of
# a new event within a second, through the store's data version.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
. "$ROOT/tests/pg/lib.sh"
pg_start
printf '{"api_key":"sk_test_res123","webhook_secret":"whsec_resources"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
for i in $(seq 600); do [ -s "$TMP/port" ] && break; sleep 0.05; done
python3 "$ROOT/tests/cases/6006-mcp-events-resources/session.py" "$BIN" "$(cat "$TMP/port")" \
	"$TMP/mcp.err" 2>"$TMP/session.err" || fail "session: $(cat "$TMP/session.err"); mcp: $(cat "$TMP/mcp.err")"
kill -TERM $SRV
wait $SRV || fail "serve exited $?"
SRV=

lag=$(sed -n 's/^notification \([0-9]*\) ms after the delivery$/\1/p' "$TMP/session.err")
[ -n "$lag" ] && [ "$lag" -lt 1000 ] || fail "the other process saw the event after ${lag:-?} ms"
# The session's three events are in PostgreSQL (dedupe on PostgreSQL: case
# 6001 under run.py --postgres, case 8000).
[ "$(python3 "$ROOT/tests/pg/sql.py" "$PGSTORE" "select string_agg(vendor_event_id, ',' order by id) as ids from events")" = "[('evt_r1,evt_r2,evt_r3',)]" ] ||
	fail "events: $(python3 "$ROOT/tests/pg/sql.py" "$PGSTORE" "select vendor_event_id from events")"
echo ok
