# The credential variables of the vendors' official servers and CLIs are
# aliases the connector files declare (env_aliases): STRIPE_SECRET_KEY for
# Stripe, GITHUB_PERSONAL_ACCESS_TOKEN and GH_TOKEN for GitHub, each making
# the env connection and reaching the vendor as its credential; the
# connector's own variable wins when both are set. <SLUG>_BASE_URL applies
# to the env connection only, and a call with a stored one says so.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
unset STRIPE_API_KEY GITHUB_TOKEN GITHUB_PERSONAL_ACCESS_TOKEN GH_TOKEN 2>/dev/null || true
# auth N: the Authorization header of the stub's request N (from 0).
auth() { python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]["headers"]["authorization"])' "$TMP/stub-requests.jsonl" "$1"; }

STRIPE_SECRET_KEY=sk_test_alias1 STRIPE_BASE_URL=$STUB $BIN call stripe_customers_list '{}' >/dev/null ||
	fail "stripe call with STRIPE_SECRET_KEY"
[ "$(auth 0)" = "Bearer sk_test_alias1" ] || fail "stripe auth: $(auth 0)"
STRIPE_SECRET_KEY=sk_test_alias1 $BIN connections list --connector stripe --json | grep -q '"name":"env"' ||
	fail "no env connection from STRIPE_SECRET_KEY"
STRIPE_API_KEY=sk_test_own2 STRIPE_SECRET_KEY=sk_test_alias1 STRIPE_BASE_URL=$STUB \
	$BIN call stripe_customers_list '{}' >/dev/null || fail "stripe call with both"
[ "$(auth 1)" = "Bearer sk_test_own2" ] || fail "STRIPE_API_KEY did not win: $(auth 1)"

GITHUB_PERSONAL_ACCESS_TOKEN=ghp_alias3 GITHUB_BASE_URL=$STUB $BIN call github_repositories_list '{}' >/dev/null ||
	fail "github call with GITHUB_PERSONAL_ACCESS_TOKEN"
[ "$(auth 2)" = "Bearer ghp_alias3" ] || fail "github auth: $(auth 2)"
GH_TOKEN=ghp_alias4 GITHUB_BASE_URL=$STUB $BIN call github_repositories_list '{}' >/dev/null ||
	fail "github call with GH_TOKEN"
[ "$(auth 3)" = "Bearer ghp_alias4" ] || fail "github auth (GH_TOKEN): $(auth 3)"
# STRIPE_BASE_URL is the env connection's; a stored connection keeps its
# own base_url, and the call says so rather than ignore the variable quietly.
printf sk_test_stored5 | $BIN connections add stripe --name billing --set "base_url=$STUB" --secret-stdin --no-test >/dev/null
STRIPE_BASE_URL=http://127.0.0.1:9 $BIN call stripe_customers_list '{}' >/dev/null 2>"$TMP/e" ||
	fail "stored call: $(cat "$TMP/e")"
[ "$(auth 4)" = "Bearer sk_test_stored5" ] || fail "stored auth: $(auth 4)"
grep -q "STRIPE_BASE_URL is set, but it applies to stripe's environment connection only; stripe/billing is stored and uses $STUB" "$TMP/e" ||
	fail "no word of STRIPE_BASE_URL: $(cat "$TMP/e")"
[ "$(grep -c STRIPE_BASE_URL "$TMP/e")" = 1 ] || fail "said more than once"
# Without any: no env connection.
! $BIN connections list --connector github --json | grep -q '"name":"env"' || fail "an env connection from nothing"
echo ok
