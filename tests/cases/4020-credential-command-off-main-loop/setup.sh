set -e
cp $CASE/helper.sh $TMP/helper.sh && chmod 700 $TMP/helper.sh
printf 'base-secret-4020' | $BIN connections add tcmd --name acme --secret-stdin --set base_url=$STUB --set credential_command="[\"$TMP/helper.sh\", \"$TMP/runs\"]"
