$BIN connections show acme --json | grep -q '"status":"needs_reconnect","last_error":"Stripe answered HTTP 401'
# A new key clears the old outcome.
printf 'sk_test_other123' | $BIN connections edit acme --secret-stdin
$BIN connections show acme --json | grep -q '"status":"ok","last_error":null'
