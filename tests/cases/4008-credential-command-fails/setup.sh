set -e
cp $CASE/helper.sh $TMP/helper.sh && chmod 700 $TMP/helper.sh
$BIN connections add tcmd --name acme --set base_url=$STUB --set credential_command=$TMP/helper.sh
