set -e
printf '%s' sk_test_alice123secret | $BIN connections add stripe --name alice-acct --owner alice --secret-stdin --set base_url=http://127.0.0.1:9 --no-test
printf '%s' sk_test_bob456secret | $BIN connections add stripe --name bob-acct --owner bob --secret-stdin --set base_url=http://127.0.0.1:9 --no-test
printf '%s' sk_test_local789secret | $BIN connections add stripe --name local --secret-stdin --set base_url=http://127.0.0.1:9 --no-test
$BIN connections grant bob-acct --group finance --group ops > $TMP/grant.out
