# Hosts that only look like this machine are refused too, before any
# connection (a .invalid name would fail to resolve instead); loopback
# addresses are accepted (the dry run shows the request).
for base in http://127.0.0.1@example.invalid http://localhost.example.invalid \
	http://127.0.0.1.example.invalid:8080 HTTP://example.invalid/v1 http://[::1].example.invalid; do
	out=$(STRIPE_BASE_URL=$base "$BIN" call stripe_customers_list '{"limit":1}' 2>&1)
	case $out in
	*"refusing to send stripe credentials over plain http"*) ;;
	*) echo "$base: $out"; exit 1 ;;
	esac
	case $out in *sk_test_plainhttp123secret*) echo "secret shown"; exit 1 ;; esac
done
for base in http://127.0.0.1:9 http://localhost:9/v1 http://[::1]:9 HTTP://LOCALHOST:9 https://example.invalid; do
	STRIPE_BASE_URL=$base "$BIN" call stripe_customers_list '{"limit":1}' --dry-run >/dev/null 2>err ||
		{ echo "$base: $(cat err)"; exit 1; }
done
