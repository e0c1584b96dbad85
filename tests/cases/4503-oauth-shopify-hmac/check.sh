# Shopify signs the redirect: a good hmac for the connection's shop connects;
# a wrong signature, another shop, a domain that is not myshopify.com, or a
# signed timestamp more than 5 minutes off the clock (a replay) is refused
# with a 400 page and an error, and nothing is saved.
set -eu
. "$ROOT/tests/oauth/lib.sh"
start() {
	oauth_start "$@"
	oauth_app shopify
}
# connect NAME SHOP: run connect, follow the URL; the page goes to $TMP/page.html
connect() {
	oauth_connect shopify --name "$1" --set "shop=$2" --set "base_url=$U/admin/api/2026-10"
}

start --hmac-secret csecret --extra shop=teststore.myshopify.com
connect main teststore
wait $CON || fail "good hmac refused: $(cat "$TMP/c.err")"
[ "$CODE" = 200 ] || fail "good hmac page answered $CODE"
grep -q 'connected shopify/main' "$TMP/c.out" || fail "connect output"
$BIN call shopify_products_list '{}' >"$TMP/call.out" 2>"$TMP/call.err" || fail "call: $(cat "$TMP/call.err")"
grep -q "\"data\"" "$TMP/call.out" || fail "call result: $(cat "$TMP/call.out")"

# The same shop, signed with another secret.
oauth_stop
start --hmac-secret not-the-secret --extra shop=teststore.myshopify.com
connect bad teststore
if wait $CON; then fail "bad hmac connected"; fi
[ "$CODE" = 400 ] || fail "bad hmac page answered $CODE"
grep -q 'Not connected' "$TMP/page.html" || fail "bad hmac page: $(cat "$TMP/page.html")"
grep -q 'hmac does not match' "$TMP/c.err" || fail "bad hmac message: $(cat "$TMP/c.err")"

# Correctly signed, but for another shop than the connection's.
oauth_stop
start --hmac-secret csecret --extra shop=evil.myshopify.com
connect other teststore
if wait $CON; then fail "another shop connected"; fi
[ "$CODE" = 400 ] || fail "another shop answered $CODE"
grep -q "shop 'evil.myshopify.com' is not the connection's shop 'teststore'" "$TMP/c.err" ||
	fail "shop message: $(cat "$TMP/c.err")"

# Correctly signed, but not a myshopify.com domain.
oauth_stop
start --hmac-secret csecret --extra shop=teststore.example.com
connect third teststore
if wait $CON; then fail "foreign domain connected"; fi
grep -q 'not a <name>.myshopify.com domain' "$TMP/c.err" || fail "domain message: $(cat "$TMP/c.err")"

# Correctly signed, but the timestamp is 10 minutes old: a replayed redirect.
oauth_stop
start --hmac-secret csecret --extra shop=teststore.myshopify.com --timestamp-offset -600
connect old teststore
if wait $CON; then fail "a 10-minute-old redirect connected"; fi
[ "$CODE" = 400 ] || fail "old timestamp answered $CODE"
grep -Eq 'timestamp is (59[0-9]|60[0-9]) s behind this machine' "$TMP/c.err" || fail "old timestamp message: $(cat "$TMP/c.err")"

# ... or 10 minutes in the future.
oauth_stop
start --hmac-secret csecret --extra shop=teststore.myshopify.com --timestamp-offset 600
connect future teststore
if wait $CON; then fail "a future redirect connected"; fi
grep -Eq 'timestamp is (59[0-9]|60[0-9]) s ahead of this machine' "$TMP/c.err" || fail "future timestamp message: $(cat "$TMP/c.err")"

# Within the window (2 minutes of clock skew) it connects.
oauth_stop
start --hmac-secret csecret --extra shop=teststore.myshopify.com --timestamp-offset -120
connect skewed teststore
wait $CON || fail "2 minutes of skew refused: $(cat "$TMP/c.err")"

# Unsigned redirect.
oauth_stop
start --extra shop=teststore.myshopify.com
connect fourth teststore
if wait $CON; then fail "unsigned redirect connected"; fi
grep -q 'hmac does not match' "$TMP/c.err" || fail "unsigned message: $(cat "$TMP/c.err")"

n=$(sql "select count(*) from connections")
[ "$n" = "[(2,)]" ] || fail "refused flows saved connections: $n"
sql "select name from connections" | grep -q main || fail "the good connection is missing"
! grep -q 'at_\|rt_' "$TMP/c.err" "$TMP/call.err" || fail "a token in stderr"
echo ok
