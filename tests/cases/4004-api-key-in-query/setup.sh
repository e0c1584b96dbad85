set -e
printf 'qkey-secret-4004' > $TMP/key
$BIN connections add tquery --name acme --secret api_key=@$TMP/key --set base_url=$STUB
