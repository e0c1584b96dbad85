set -e
export SWITCHBOARD_KEY=QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=
printf '%s' sk_test_abc123secret | $BIN connections add stripe --name acme --secret-stdin --set base_url=http://127.0.0.1:9
