set -e
printf 'appkey-secret-4005' | $BIN connections add tcustom --name acme --set account_id=acct-4005 --secret-stdin --set base_url=$STUB
