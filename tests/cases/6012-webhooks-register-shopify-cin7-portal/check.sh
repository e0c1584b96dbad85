# webhooks register/list/remove with Shopify (GraphQL, one subscription per
# topic, userErrors as failures, the app's client secret kept) and Cin7
# Core (one webhook per event type, a generated Bearer credential sent in
# ExternalBearerToken and kept sealed, serve then accepting it); Xero has
# no API: register says where in the portal, and exits 1.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
printf '{"access_token":"shpat_regtok","client_secret":"shpss_appsecret"}' |
	$BIN connections add shopify --name shop --auth custom --secret-stdin --set shop=acme --set base_url=$STUB >/dev/null
printf '{"account_id":"acc-1","application_key":"cin7-appkey-1"}' |
	$BIN connections add cin7core --name inv --secret-stdin --set base_url=$STUB >/dev/null
printf '{"access_token":"xero-at","client_id":"cid","client_secret":"csec"}' |
	$BIN connections add xero --name books --secret-stdin --set tenant_id=00000000-0000-4000-8000-000000000001 >/dev/null

# Shopify: two topics, one subscription each; the third create fails on userErrors.
$BIN webhooks register shop --url https://pub.example.org --events orders/create,PRODUCTS_UPDATE \
	>"$TMP/s.out" 2>"$TMP/s.err" || fail "shopify register: $(cat "$TMP/s.err")"
grep -q '^registered gid://shopify/WebhookSubscription/901  https://pub.example.org/hooks/shopify/shop  ORDERS_CREATE$' "$TMP/s.out" || fail "s.out: $(cat "$TMP/s.out")"
grep -q '^registered gid://shopify/WebhookSubscription/902  .*PRODUCTS_UPDATE$' "$TMP/s.out" || fail "s.out 2"
grep -q "Shopify signs deliveries with the connection's client_secret (the vendor returns no secret): kept the stored one" "$TMP/s.err" || fail "s.err: $(cat "$TMP/s.err")"
set +e
$BIN webhooks register shop --url https://pub.example.org --events orders/create >"$TMP/s2.out" 2>"$TMP/s2.err"
rc=$?
set -e
[ $rc = 1 ] || fail "userErrors exit $rc"
grep -q 'Address for this topic has already been taken' "$TMP/s2.err" || fail "s2: $(cat "$TMP/s2.err")"
$BIN webhooks list shop >"$TMP/sl.out" || fail "shopify list"
grep -q '^\* gid://shopify/WebhookSubscription/901 https://pub.example.org/hooks/shopify/shop  ORDERS_CREATE$' "$TMP/sl.out" || fail "sl: $(cat "$TMP/sl.out")"
$BIN webhooks remove shop gid://shopify/WebhookSubscription/901 >"$TMP/sr.out" || fail "shopify remove"

# Cin7 Core: one webhook per type with a generated Bearer credential.
$BIN webhooks register inv --url https://pub.example.org/ --events Sale/Created,Product/Updated \
	>"$TMP/c.out" 2>"$TMP/c.err" || fail "cin7 register: $(cat "$TMP/c.err")"
# Cin7 answers {"Webhooks": [{"ID": ...}]}: the id is read from there.
grep -q '^registered 0f1e2d3c-0000-4000-8000-00000000000a ' "$TMP/c.out" || fail "c.out: $(cat "$TMP/c.out")"
grep -q '^registered 0f1e2d3c-0000-4000-8000-00000000000b ' "$TMP/c.out" || fail "c.out: $(cat "$TMP/c.out")"
! grep -q 'LEAKED_IF_PRINTED\|registered ?' "$TMP/c.out" "$TMP/c.err" || fail "register: $(cat "$TMP/c.out" "$TMP/c.err")"
$BIN --json webhooks list inv >"$TMP/cl.out" || fail "cin7 list"
! grep -q LEAKED_IF_PRINTED "$TMP/cl.out" || fail "list printed the credential"
grep -q '"id":"0f1e2d3c-0000-4000-8000-00000000000a","url":"https://pub.example.org/hooks/cin7core/inv","events":"Sale/Created","this_connection":true' "$TMP/cl.out" || fail "cl: $(cat "$TMP/cl.out")"
$BIN webhooks remove inv 0f1e2d3c-0000-4000-8000-00000000000a >"$TMP/cr.out" || fail "cin7 remove"

python3 - "$TMP/stub-requests.jsonl" "$TMP/token" <<'PY'
import json, re, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
gql = [r for r in reqs if r["path"] == "/graphql.json"]
assert len(gql) == 5, gql
for r in gql:
    assert r["headers"]["x-shopify-access-token"] == "shpat_regtok", r["headers"]
c1, c2 = gql[0]["body"], gql[1]["body"]
assert "webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri" in c1["query"], c1
assert c1["variables"] == {"topic": "ORDERS_CREATE", "uri": "https://pub.example.org/hooks/shopify/shop"}, c1
assert c2["variables"] == {"topic": "PRODUCTS_UPDATE", "uri": "https://pub.example.org/hooks/shopify/shop"}, c2
assert "webhookSubscriptions(first: $first" in gql[3]["body"]["query"], gql[3]
assert "webhookSubscriptionDelete(id: $id)" in gql[4]["body"]["query"], gql[4]
assert gql[4]["body"]["variables"] == {"id": "gid://shopify/WebhookSubscription/901"}, gql[4]
posts = [r for r in reqs if r["path"] == "/webhooks" and r["method"] == "POST"]
assert len(posts) == 2, posts
tok = posts[0]["body"]["ExternalBearerToken"]
assert re.fullmatch(r"[0-9a-f]{64}", tok), tok
assert posts[0]["body"] == {"Type": "Sale/Created", "Name": "switchboard Sale/Created",
    "ExternalURL": "https://pub.example.org/hooks/cin7core/inv", "IsActive": True,
    "ExternalAuthorizationType": "bearerauth", "ExternalBearerToken": tok}, posts[0]["body"]
assert posts[1]["body"]["Type"] == "Product/Updated" and posts[1]["body"]["ExternalBearerToken"] == tok, posts[1]
assert posts[0]["headers"]["api-auth-applicationkey"] == "cin7-appkey-1", posts[0]["headers"]
d = [r for r in reqs if r["path"] == "/webhooks" and r["method"] == "DELETE"]
assert len(d) == 1 and d[0]["query"] == {"ID": "0f1e2d3c-0000-4000-8000-00000000000a"}, d
open(sys.argv[2], "w").write(tok)
PY
TOKEN=$(cat "$TMP/token")
for f in s.out s.err s2.out s2.err sl.out sr.out c.out c.err cl.out cr.out; do
	! grep -q "$TOKEN\|shpss_appsecret\|shpat_regtok" "$TMP/$f" || fail "a secret in $f"
done
! grep -rqa "$TOKEN" "$TMP/data/switchboard" || fail "the credential in plain text in the store"

# Xero: no API, portal guidance, exit 1.
set +e
$BIN webhooks register books --url https://pub.example.org >"$TMP/x.out" 2>"$TMP/x.err"
rc=$?
set -e
[ $rc = 1 ] || fail "xero exit $rc"
grep -q "xero has no API for webhook subscriptions" "$TMP/x.err" || fail "x: $(cat "$TMP/x.err")"
grep -q "developer.xero.com > My Apps" "$TMP/x.err" || fail "x where"
grep -q "delivery URL to paste: https://pub.example.org/hooks/xero/books" "$TMP/x.err" || fail "x url"
grep -q '"webhook_key": "\.\.\."}. | switchboard connections edit xero/books --secret-stdin' "$TMP/x.err" || fail "x secret: $(cat "$TMP/x.err")"
[ ! -s "$TMP/x.out" ] || fail "x stdout"

# Cin7 deliveries carrying the generated Bearer credential are accepted.
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
python3 - "$(cat "$TMP/port")" "$TOKEN" <<'PY' || fail "delivery"
import json, sys, urllib.request
port, tok = sys.argv[1], sys.argv[2]
body = json.dumps({"EventType": "Sale/Created", "SaleID": "s-1"}).encode()
def send(auth):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/cin7core/inv", data=body, method="POST",
        headers={"Authorization": auth, "Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code
assert send("Bearer wrong") == 401
assert send("Bearer " + tok) == 200
PY
kill -TERM $SRV; wait $SRV || true; trap - EXIT
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP"/*.err || fail "sanitizer: $(cat "$TMP"/*.err)"
echo ok
