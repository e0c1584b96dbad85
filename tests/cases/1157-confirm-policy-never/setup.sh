set -e
printf '%s' sk_test_acme123secret | $BIN connections add stripe --name acme --secret-stdin --set base_url=$STUB --no-test
$BIN connections edit acme --confirm never
$BIN connections show acme --json > "$TMP/show.json"
grep -q '"confirm": *"never"' "$TMP/show.json"
