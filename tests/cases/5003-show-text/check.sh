out=$(cat)
echo "$out" | grep -qx 'stripe/acme'
echo "$out" | grep -qx '  default:     yes'
echo "$out" | grep -qx '  config:      base_url = http://127.0.0.1:9'
echo "$out" | grep -qx '  secrets:     api_key (set), webhook_secret (not set)'
! echo "$out" | grep -q sk_test
