set -e
printf '%s' sk_test_acme123secret | $BIN connections add stripe --name acme --secret-stdin --set base_url=$STUB --no-test
printf '%s' sk_test_beta123secret | $BIN connections add stripe --name beta --secret-stdin --set base_url=$STUB --no-test
