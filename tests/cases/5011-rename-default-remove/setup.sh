set -e
for n in a b c; do printf 'sk_test_%s123456' $n | $BIN connections add stripe --name $n --secret-stdin; done
$BIN connections rename b bee > $TMP/out
$BIN connections default bee >> $TMP/out
$BIN connections remove bee >> $TMP/out
