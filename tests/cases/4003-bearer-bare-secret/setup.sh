set -e
printf 'tok-secret-4003\n' | $BIN connections add tbearer --secret-stdin --set base_url=$STUB
