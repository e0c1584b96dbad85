# Listing needs no key, and the failed open did not change the status.
$BIN connections list --json | grep -q '"status":"ok"'
# Nothing new is sealed with the wrong key.
! printf 'sk_test_x123456' | $BIN connections add stripe --name x --secret-stdin 2> $TMP/err
grep -q 'SWITCHBOARD_KEY is not the key' $TMP/err
