set -e
printf '%s' sk_test_local789secret | $BIN connections add stripe --name local --secret-stdin --set base_url=$STUB --no-test
