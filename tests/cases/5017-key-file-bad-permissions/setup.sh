set -e
printf '%s' sk_test_abc123secret | $BIN connections add stripe --name acme --secret-stdin --set base_url=http://127.0.0.1:9
test "$(stat -c %a $XDG_CONFIG_HOME/switchboard/key)" = 600
chmod 644 $XDG_CONFIG_HOME/switchboard/key
