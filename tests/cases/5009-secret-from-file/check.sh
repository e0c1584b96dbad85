$BIN connections show acme --json | grep -q '"secrets":{"api_key":true,"webhook_secret":false}'
# The name is taken now.
! $BIN connections add stripe --name acme --secret api_key=@$TMP/key 2> $TMP/err
grep -q "connection 'stripe/acme' already exists" $TMP/err
