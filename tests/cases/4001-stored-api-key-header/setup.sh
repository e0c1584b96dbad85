set -e
printf '%s' sk_test_abc123secret | $BIN connections add stripe --name acme --secret-stdin --set base_url=$STUB
