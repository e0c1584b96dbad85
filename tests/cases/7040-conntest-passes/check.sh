# A vendor that matches its spec: every read-only action passes (lists, reads
# with a listed id, a second page), each with the request sent, key redacted;
# the writes are not sent.
set -e
python3 -c '
import json, sys
r = json.load(sys.stdin)
assert (r["passed"], r["failed"], r["skipped"]) == (8, 0, 0), r
assert r["problems"] == [] and r["fixed"] is False, r["problems"]
got = sorted((e["check"], e["tool"]) for e in r["results"])
want = sorted([(c, "widgets_%s_list" % e) for e in ("widgets", "gadgets") for c in ("list", "page1", "page2")] +
              [("read", "widgets_widgets_read"), ("read", "widgets_gadgets_read")])
assert got == want, got
for e in r["results"]:
    assert e["outcome"] == "passed" and e["status"] == 200, e
    assert e["request"]["method"] == "GET", e
    assert "X-API-Key: [redacted]" in e["request"]["headers"], e["request"]
    assert "sk_test_123" not in json.dumps(e), e
read = [e for e in r["results"] if e["tool"] == "widgets_widgets_read"][0]
assert read["request"]["url"].endswith("/v1/widgets/wid_1"), read
p2 = [e for e in r["results"] if e["tool"] == "widgets_widgets_list" and e["check"] == "page2"][0]
assert "starting_after=wid_1" in p2["request"]["url"] and "limit=1" in p2["request"]["url"], p2
'
! grep -q '"method": "POST"' $TMP/stub-requests.jsonl || { echo "a write was sent"; exit 1; }
