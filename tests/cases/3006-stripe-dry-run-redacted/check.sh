# stdin is the dry run's stdout: the request, Authorization redacted.
python3 -c '
import json, re, sys
text = sys.stdin.read()
assert "sk_test_dryrun987secret" not in text, "secret in stdout"
req = json.loads(text)
assert req["method"] == "POST", req
assert req["url"] == "https://api.stripe.com/v1/customers", req["url"]
assert req["body"] == "email=a%40example.com&name=Ann%20Lee&metadata%5Bcrm%20id%5D=4%2F2", req["body"]
assert req["connection"] == "env", req
h = req["headers"]
assert "Authorization: [redacted]" in h, h
assert "Stripe-Version: 2024-06-20" in h, h
assert "Content-Type: application/x-www-form-urlencoded" in h, h
assert any(re.fullmatch(r"Idempotency-Key: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", x) for x in h), h
assert not any(x.startswith("Stripe-Account") for x in h), h
'
