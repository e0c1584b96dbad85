# Every read-only action of the imported customers and products passes after
# the base URL is fixed (404 on every path first), against answers in
# Stripe's shapes (its fixtures: {object: list, data, has_more, url}).
set -e
[ -f $TMP/stripe-sub.json ] || { echo "skip: the vendor specs (../shared/specs) are not here"; exit 0; }
python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["fixed"] is True and (r["passed"], r["failed"], r["skipped"]) == (8, 0, 0), r
assert [p["problem"] for p in r["problems"]] == ["base_url"], r["problems"]
assert r["problems"][0]["changes"][0]["to"].endswith("/stripe"), r["problems"][0]
assert all(e["status"] == 404 and e["outcome"] == "failed" for e in r["before"] if e["outcome"] != "skipped"), r["before"]
assert "Unrecognized request URL" in r["before"][0]["message"], r["before"][0]
for e in r["results"]:
    assert "Authorization: [redacted]" in e["request"]["headers"], e["request"]
read = [e for e in r["results"] if e["tool"] == "stripe_customers_read"][0]
assert read["request"]["url"].endswith("/stripe/v1/customers/cus_1"), read
'
# The answers are Stripe's: a customer from its fixtures, through the fixed file.
$BIN call stripe_customers_read '{"customer": "cus_1"}' > $TMP/cus.json
python3 - $TMP/cus.json <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["data"]
assert c["id"] == "cus_1" and c["object"] == "customer" and "invoice_settings" in c, c
PY
python3 - $XDG_CONFIG_HOME/switchboard/capabilities/stripe.json "$STUB" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["base_url"] == sys.argv[2] + "/stripe", d["base_url"]
PY
