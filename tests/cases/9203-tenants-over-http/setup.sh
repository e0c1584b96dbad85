set -e
printf '%s' sk_test_alice123secret | $BIN connections add stripe --name alice-acct --owner alice --secret-stdin --set base_url=$STUB --no-test
printf '%s' sk_test_alice2nd000secret | $BIN connections add stripe --name alice-2nd --owner alice --secret-stdin --set base_url=$STUB --no-test
printf '%s' sk_test_bob456secret | $BIN connections add stripe --name bob-acct --owner bob --secret-stdin --set base_url=$STUB --no-test
printf '%s' sk_test_local789secret | $BIN connections add stripe --name local --secret-stdin --set base_url=$STUB --no-test
$BIN connections grant bob-acct --group finance > /dev/null
