# Batch deliveries (HubSpot arrays, Xero events[], QuickBooks CloudEvents)
# are stored whole or not at all, and answered 2xx only after the commit:
# killed after the first event of a batch is inserted (the
# store_events_mid_batch fault point), the vendor gets no answer and nothing
# is kept; its retry stores the whole batch. A verified batch with one
# element that is no event is kept whole (200), the odd element as an event
# of its own: refusing it would lose the batch when the vendor gives up.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
add() { slug=$1; name=$2; json=$3; shift 3
	printf '%s' "$json" | $BIN connections add "$slug" --name "$name" --secret-stdin "$@" >/dev/null; }
add hubspot portal '{"access_token":"hs-at-test","client_secret":"hubspot-client-secret"}'
add xero books '{"access_token":"xero-at-test","webhook_key":"xero-webhook-key-1"}' --set tenant_id=00000000-0000-0000-0000-000000000001
add quickbooks co '{"access_token":"qb-at-test","verifier_token":"qb-verifier-token"}' --set realmId=4620816365
serve() {
	rm -f "$TMP/port"
	$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>>"$TMP/serve.err" &
	SRV=$!
	wait_port "$TMP/port"
	[ -s "$TMP/port" ] || fail "no port file"
}
trap 'kill $SRV 2>/dev/null || true' EXIT
count() { $BIN events list --jsonl --limit 1000 | wc -l; }

for kind in hubspot xero quickbooks; do
	SWITCHBOARD_FAULT=store_events_mid_batch serve
	got=$(python3 "$CASE/deliver.py" "$(cat "$TMP/port")" $kind)
	case "$got" in "no answer"*) ;; *) fail "$kind: the vendor got an answer: $got" ;; esac
	rc=0; wait $SRV || rc=$?
	[ "$rc" = 137 ] || fail "$kind: serve was not killed mid-batch (exit $rc)"
	[ "$(count)" = 0 ] || fail "$kind: part of the batch was kept: $($BIN events list --jsonl)"
done

serve
P=$(cat "$TMP/port")
for kind in hubspot xero quickbooks; do
	got=$(python3 "$CASE/deliver.py" "$P" $kind)
	[ "$got" = 200 ] || fail "$kind retry answered $got"
done
[ "$(count)" = 9 ] || fail "expected 9 events after the retries, got $(count)"
for kind in hubspot-bad xero-bad quickbooks-bad; do
	got=$(python3 "$CASE/deliver.py" "$P" $kind)
	[ "$got" = 200 ] || fail "$kind answered $got"
done
n=$(count)
[ "$n" = 12 ] || fail "expected the 3 odd elements kept beside the 9 events, got $n"
# Retried again: duplicates, nothing new.
got=$(python3 "$CASE/deliver.py" "$P" hubspot)
[ "$got" = 200 ] || fail "hubspot redelivery answered $got"
kill -TERM $SRV; wait $SRV || fail "serve exited $?"
trap - EXIT
[ "$(count)" = "$n" ] || fail "a redelivered batch stored again: $(count)"
echo ok
