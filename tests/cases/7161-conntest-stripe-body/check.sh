# Stripe answers a JSON body with its own 400 ("Invalid request: unsupported
# Content-Type application/json"): found without --fix, the change verified
# (request.body form) by one create sent as form; the reads pass, the refund
# create is never sent (a refund moves money), and the report names what the
# test made at the vendor.
set -e
[ -f $TMP/stripe-sub.json ] || { echo "skip: the vendor specs (../shared/specs) are not here"; exit 0; }
cat > $TMP/out.json
python3 - $TMP/out.json $TMP/stub-requests.jsonl <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [e for e in r["results"] if e["outcome"] == "failed"]
assert sorted(e["tool"] for e in bad) == ["stripe_customers_create", "stripe_products_create"], bad
for e in bad:
    assert e["status"] == 400 and e["check"] == "create", e
    assert e["message"].startswith("Invalid request: unsupported Content-Type application/json"), e
refund = [e for e in r["results"] if e["tool"] == "stripe_refunds_create"]
assert refund and refund[0]["outcome"] == "skipped" and "destructive" in refund[0]["message"], refund
assert r["fixed"] is False and [p["problem"] for p in r["problems"]] == ["body_encoding"], r["problems"]
p = r["problems"][0]
assert p["verified"] is True and p["changes"] == [{"path": "/request/body", "from": "json", "to": "form"}], p
assert len(r["created"]) == 1 and r["created"][0]["id"].startswith("cus_"), r["created"]
posts = [json.loads(l) for l in open(sys.argv[2])]
posts = [q for q in posts if q["method"] == "POST"]
assert [q["path"] for q in posts] == ["/v1/customers", "/v1/products", "/v1/customers"], posts
assert posts[2]["headers"]["content-type"] == "application/x-www-form-urlencoded", posts[2]
PY
