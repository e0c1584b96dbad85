# One good and one forged delivery for each remaining scheme, signed here
# with the standard library: GitHub, Shopify, HubSpot (its signed URI from
# X-Forwarded-Proto/Host, and from a connection's webhook_url), QuickBooks
# CloudEvents, OpenAI (Standard Webhooks) and Cin7 Core (Basic and Bearer).
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
add() { slug=$1; name=$2; json=$3; shift 3
	printf '%s' "$json" | $BIN connections add "$slug" --name "$name" --secret-stdin "$@" >/dev/null; }
add github main '{"access_token":"ghp_test000","webhook_secret":"gh-hook-secret"}'
add shopify shop '{"access_token":"shpat_test000","client_secret":"shopify-app-secret"}' \
	--set shop=acme --set client_id=shopify-client
add hubspot portal '{"access_token":"hs-at-test","client_secret":"hubspot-client-secret"}'
add hubspot fixed '{"access_token":"hs-at-test","client_secret":"hubspot-client-secret"}'
# webhook_url is a plain setting; until 'connections' knows it, write it to the store.
if ! $BIN connections edit hubspot/fixed --set webhook_url=https://hooks.example.com/in/hubspot/fixed \
	>/dev/null 2>&1; then
	python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"update connections set config=json_set(config,'$.webhook_url',?) where name='fixed'\", (sys.argv[2],)); c.commit()" \
		"$XDG_DATA_HOME/switchboard/switchboard.db" https://hooks.example.com/in/hubspot/fixed
fi
add quickbooks co '{"access_token":"qb-at-test","verifier_token":"qb-verifier-token"}' \
	--set realmId=4620816365
add openai proj '{"api_key":"sk-test000","webhook_secret":"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}'
add cin7core basic '{"account_id":"acc","application_key":"key-test000","webhook_secret":"cin7user:hook-pass"}'
add cin7core bearer '{"account_id":"acc","application_key":"key-test000","webhook_secret":"cin7-bearer-token"}'

$BIN webhooks serve --listen 127.0.0.1:0 --path-prefix /in --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
[ -s "$TMP/port" ] || fail "no port file"
python3 "$CASE/deliver.py" "$(cat "$TMP/port")" || fail "deliveries"
kill -INT $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP/serve.err" || fail "sanitizer"
[ "$(grep -c 'rejected a delivery' "$TMP/serve.err")" = 10 ] || fail "rejections"

$BIN events list --jsonl --limit 1000 >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((e["connector"], e["connection"], e["entity"], e["event"], e["vendor_event"],
              e["vendor_event_id"]) for e in evs)
want = sorted([
    ("github", "main", "issues", "opened", "issues.opened", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
    ("github", "main", "webhooks", "pinged", "ping", "ping-delivery-1"),
    ("shopify", "shop", "orders", "created", "orders/create", "shopify-event-1"),
    ("hubspot", "portal", "contacts", "created", "contact.creation", "1001"),
    ("hubspot", "portal", "deals", "updated", "deal.propertyChange", "1002"),
    ("hubspot", "fixed", "tickets", "deleted", "ticket.deletion", "2001"),
    ("quickbooks", "co", "customers", "created", "qbo.customer.created.v1", "qe-1"),
    ("quickbooks", "co", "invoices", "voided", "qbo.invoice.voided.v1", "qe-2"),
    ("openai", "proj", "responses", "completed", "response.completed", "msg_2X"),
    ("cin7core", "basic", "sales", "created", "Sale/Created", None),
    ("cin7core", "bearer", "products", "updated", "Product/Updated", None),
], key=str)
got = sorted(got, key=str)
for g, w in zip(got, want):
    if w[5] is None:
        assert g[:5] == w[:5] and g[5].startswith("sha256:"), (g, w)
    else:
        assert g == w, (g, w)
assert len(got) == len(want), got
PY
echo ok
