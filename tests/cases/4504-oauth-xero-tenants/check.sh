# Xero: after the exchange GET /connections lists the authorised tenants. One
# is stored as tenant_id and sent on calls; several without --tenant are
# refused with the list (nothing saved); --tenant by name picks one. The
# access token is a JWT whose authentication_event_id filters the list to the
# tenants authorised in this consent (GET /connections?authEventId=).
set -eu
. "$ROOT/tests/oauth/lib.sh"
T1='{"id":"c1","tenantId":"11111111-1111-1111-1111-111111111111","tenantType":"ORGANISATION","tenantName":"Demo Company (UK)"}'
T2='{"id":"c2","tenantId":"22222222-2222-2222-2222-222222222222","tenantType":"ORGANISATION","tenantName":"Acme Ltd"}'
start() {
	oauth_start "$@"
	oauth_app xero
}
connect() {
	oauth_connect xero --set "base_url=$U/api.xro/2.0" "$@"
}

start --tenants "[$T1]"
connect --name one
wait $CON || fail "one tenant: $(cat "$TMP/c.err")"
sql "select config from connections where name='one'" | grep -q '11111111-1111-1111-1111-111111111111' || fail "tenant_id not stored: $(sql 'select config from connections')"
$BIN call xero_contacts_list '{}' >"$TMP/call.out" 2>"$TMP/call.err" ||
	fail "call: $(cat "$TMP/call.err")"
oauth_stop

start --tenants "[$T1,$T2]"
connect --name two
if wait $CON; then fail "two tenants without --tenant connected"; fi
grep -q "covers 2 organisations: 'Demo Company (UK)' (11111111-1111-1111-1111-111111111111), 'Acme Ltd' (22222222-2222-2222-2222-222222222222)" "$TMP/c.err" || fail "tenant list: $(cat "$TMP/c.err")"
grep -q -- '--tenant ID_OR_NAME' "$TMP/c.err" || fail "no --tenant advice"
grep -q 'Not connected' "$TMP/page.html" || fail "page: $(cat "$TMP/page.html")"
[ "$(sql "select count(*) from connections where name='two'")" = "[(0,)]" ] || fail "refused flow saved"

connect --name acme --tenant 'acme ltd'
wait $CON || fail "--tenant by name: $(cat "$TMP/c.err")"
sql "select config from connections where name='acme'" | grep -q '22222222-2222-2222-2222-222222222222' || fail "chosen tenant not stored"

connect --name nope --tenant 'Globex'
if wait $CON; then fail "unknown tenant connected"; fi
grep -q "no xero organisation 'Globex'" "$TMP/c.err" || fail "unknown tenant message: $(cat "$TMP/c.err")"
oauth_stop

# Two tenants connected to this app, but only Acme in this consent: with the
# JWT's authentication_event_id only Acme is offered, and it is taken.
E1=aaaaaaaa-0000-0000-0000-000000000001
E2=aaaaaaaa-0000-0000-0000-000000000002
T1E='{"id":"c1","authEventId":"'$E1'","tenantId":"11111111-1111-1111-1111-111111111111","tenantType":"ORGANISATION","tenantName":"Demo Company (UK)"}'
T2E='{"id":"c2","authEventId":"'$E2'","tenantId":"22222222-2222-2222-2222-222222222222","tenantType":"ORGANISATION","tenantName":"Acme Ltd"}'
start --tenants "[$T1E,$T2E]" --jwt-access "$E2"
connect --name consent
wait $CON || fail "this consent's one tenant: $(cat "$TMP/c.err")"
sql "select config from connections where name='consent'" | grep -q '22222222-2222-2222-2222-222222222222' ||
	fail "not the consent's tenant: $(sql "select config from connections where name='consent'")"
! grep -q 'eyJ' "$TMP/c.err" || fail "the JWT in stderr"
! grep -q 'at_\|rt_' "$TMP/c.err" "$TMP/call.err" || fail "a token in stderr"
echo ok
