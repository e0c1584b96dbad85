# Nothing was stored: the connection keeps the default.
$BIN connections show acme --json | grep -q '"confirm"' && { echo "a bad policy was stored"; exit 1; }
exit 0
