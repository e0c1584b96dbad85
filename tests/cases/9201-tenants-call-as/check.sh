# carol in finance used bob's shared connection (requests.jsonl). The rest
# must fail before any request: someone else's connection is answered as an
# unknown one (and logged), the default of someone else is never picked,
# nor the environment's connection.
set -e
python3 -c "
import json, sys
c = json.load(sys.stdin)
c = c.get('data', c); assert c['id'] == 'cus_NffrFeUfNV2Hib' and c['object'] == 'customer', c
" || { echo "call --as carol --group finance printed no customer"; exit 1; }
export STRIPE_API_KEY=sk_test_env000operator
args='{"id": "cus_NffrFeUfNV2Hib", "connection": "bob-acct"}'
! $BIN call stripe_customers_read "$args" --as alice 2> $TMP/foreign || { echo "alice used bob's"; exit 1; }
args='{"id": "cus_NffrFeUfNV2Hib", "connection": "nosuch"}'
! $BIN call stripe_customers_read "$args" --as alice 2> $TMP/unknown || { echo "unknown accepted"; exit 1; }
grep -v 'refused connection' $TMP/foreign | sed 's/bob-acct/NAME/' > $TMP/a
sed 's/nosuch/NAME/' $TMP/unknown > $TMP/b
cmp $TMP/a $TMP/b || { echo "the answers differ:"; cat $TMP/foreign $TMP/unknown; exit 1; }
grep -q "refused connection 'stripe/bob-acct' to 'alice'" $TMP/foreign || { echo "not logged"; cat $TMP/foreign; exit 1; }
! grep -q refused $TMP/unknown
# alice has two and the default (alice-acct, the first added) is hers: fine;
# dave has none: the local default is not his, and env is not his either.
! $BIN call stripe_customers_read '{"id": "cus_NffrFeUfNV2Hib"}' --as dave > $TMP/dave 2>&1 || { echo "dave got one"; exit 1; }
grep -q "no Stripe connection: ask the administrator" $TMP/dave || { cat $TMP/dave; exit 1; }
! $BIN call stripe_customers_read '{"id": "cus_NffrFeUfNV2Hib", "connection": "env"}' --as dave 2> $TMP/env
grep -q "invalid arguments" $TMP/env || { cat $TMP/env; exit 1; }
# What each sees: tools --as (dave: no stripe tool; alice: her two names).
$BIN tools --as dave --connectors stripe > $TMP/dave.tools 2>&1
! grep -q stripe_ $TMP/dave.tools || { echo "dave sees stripe tools"; exit 1; }
$BIN tools --as alice --connectors stripe --mode static --tools stripe_customers_read --json > $TMP/alice.json
python3 -c "
import json
t = json.load(open('$TMP/alice.json'))[0]
assert t['inputSchema']['properties']['connection']['enum'] == ['alice-acct', 'alice-2nd'], t
" || { cat $TMP/alice.json; exit 1; }
echo ok
