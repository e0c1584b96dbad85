# "Did you mean" for a mistyped command, subcommand, option, tool name (call),
# connector slug and connection name; nothing suggested for a word far from
# every candidate. Each is still an error (exit 2 for usage, 1 otherwise).
set -eu
fail() { echo "FAIL: $*"; exit 1; }
# expect STATUS HINT ARGS...: the command exits STATUS and says "did you mean 'HINT'?"
# (HINT "-": no suggestion at all).
expect() {
	want=$1 hint=$2
	shift 2
	rc=0
	$BIN "$@" </dev/null >"$TMP/o" 2>"$TMP/e" || rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, not $want: $(cat "$TMP/e")"
	if [ "$hint" = - ]; then
		! grep -q 'did you mean' "$TMP/e" || fail "$*: suggested $(cat "$TMP/e")"
	else
		grep -qF "did you mean '$hint'?" "$TMP/e" || fail "$*: no hint $hint: $(cat "$TMP/e")"
	fi
	[ ! -s "$TMP/o" ] || fail "$*: stdout $(cat "$TMP/o")"
}
expect 2 connections conections list
expect 2 tools tols
expect 2 - frobnicate
expect 2 --connectors --conectors x tools
expect 2 list connections lsit
expect 2 poll events pol
expect 1 stripe_customers_list call stripe_customer_list '{}'
expect 1 - call nothing_like_any_tool '{}'
expect 1 stripe connectors stirpe
expect 1 github connections add githb --name x --no-test
expect 1 github connect githb --no-browser
expect 1 hubspot oauth-app set hubspt --client-id x
printf sk_test_x | $BIN connections add stripe --name billing --secret-stdin --no-test >/dev/null
expect 1 billing connections show biling
expect 1 stripe/billing connections test stripe/billing2
expect 1 - connections show zzzzzzzzz
echo ok
