# The credential variables of the vendors' official servers and CLIs are
# aliases the connector files declare (env_aliases): STRIPE_SECRET_KEY for
# Stripe, GITHUB_PERSONAL_ACCESS_TOKEN and GH_TOKEN for GitHub, each making
# the env connection and reaching the vendor as its credential; the
# connector's own variable wins when both are set.
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
# Without any: no env connection.
! $BIN connections list --connector github --json | grep -q '"name":"env"' || fail "an env connection from nothing"
echo ok
