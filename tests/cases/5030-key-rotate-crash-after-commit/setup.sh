set -e
printf '%s' sk_test_crash456secret | $BIN connections add stripe --name acme --secret-stdin --set base_url=$STUB
cp $XDG_CONFIG_HOME/switchboard/key $TMP/oldkey
