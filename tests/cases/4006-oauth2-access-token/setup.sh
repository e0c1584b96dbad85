set -e
printf 'at-secret-4006\n' > $TMP/token
$BIN connections add toauth --name acme --secret access_token=@$TMP/token --set base_url=$STUB
