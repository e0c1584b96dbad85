set -e
printf '%s' sk_test_acme123secret | $BIN connections add stripe --name acme --secret-stdin --set base_url=http://127.0.0.1:9 --no-test
