# Owners and grants: granted as said, listed per owner, shown, revoked.
set -e
printf 'granted stripe/bob-acct to group finance\ngranted stripe/bob-acct to group ops\n' | cmp - $TMP/grant.out || { echo "grant said:"; cat $TMP/grant.out; exit 1; }
$BIN connections list --owner bob --json > $TMP/bob.json
python3 -c "
import json, sys
rows = json.load(open('$TMP/bob.json'))
assert [r['name'] for r in rows] == ['bob-acct'], rows
assert rows[0]['owner'] == 'bob' and rows[0]['grants'] == ['finance', 'ops'], rows
" || { echo "list --owner bob: $(cat $TMP/bob.json)"; exit 1; }
# Nobody's: an empty list, and no environment connection (it has no owner).
STRIPE_API_KEY=sk_test_env $BIN connections list --owner nobody --json > $TMP/none.json
[ "$(cat $TMP/none.json)" = "[]" ] || { echo "list --owner nobody: $(cat $TMP/none.json)"; exit 1; }
# The text table gains OWNER and GRANTS columns when any connection has one.
$BIN connections list > $TMP/list.txt
grep -q 'OWNER' $TMP/list.txt && grep -Eq 'bob-acct .* bob +\["finance","ops"\]' $TMP/list.txt || { echo "list:"; cat $TMP/list.txt; exit 1; }
$BIN connections show bob-acct > $TMP/show.txt
grep -q '^  owner:       bob$' $TMP/show.txt && grep -q '^  granted to:  \["finance","ops"\]$' $TMP/show.txt || { echo "show:"; cat $TMP/show.txt; exit 1; }
$BIN connections revoke bob-acct --group ops > $TMP/revoke.out
grep -q 'revoked stripe/bob-acct from group ops' $TMP/revoke.out
$BIN connections show bob-acct --json | grep -q '"grants":\["finance"\]' || { echo "revoke did not take"; exit 1; }
# Revoking what was never granted, and grant without a group, are errors.
! $BIN connections revoke alice-acct --group finance 2> $TMP/err || { echo "revoke of nothing succeeded"; exit 1; }
grep -q "is not granted to group 'finance'" $TMP/err || { cat $TMP/err; exit 1; }
set +e
$BIN connections grant alice-acct 2> $TMP/err; rc=$?
set -e
[ $rc -eq 2 ] && grep -q 'needs --group' $TMP/err || { echo "grant without --group: rc $rc"; cat $TMP/err; exit 1; }
# A bad owner is refused before anything is stored.
! printf 'sk_test_x' | $BIN connections add stripe --name bad --owner "$(printf 'a\tb')" --secret-stdin --no-test 2> $TMP/err
grep -q 'invalid owner' $TMP/err || { cat $TMP/err; exit 1; }
echo ok
