$BIN connections show acme --json | grep -q '"config":{"base_url":"[^"]*","username":"alice"}'
$BIN connections show acme --json | grep -q '"secrets":{"password":true}'
