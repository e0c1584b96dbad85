# The vendor reads form bodies although its spec says JSON: the create is
# refused (415 in the vendor's error shape) and passes as form, so the fix is
# the connector's request.body; the create is sent once more to try the fix
# and not again by the round after it.
TEST_ARGS=--writes
WANT='{"/request/body": "form"}'
PROBLEM=body_encoding
BEFORE=1
PASSED=9
. "$ROOT/tests/conntest/fixed.sh"
grep -q "^made at the vendor by widgets_widgets_create: wid_1 (delete it when done)" $TMP/out.txt || { echo "the object made is not named"; exit 1; }
python3 - $TMP/old.json $TMP/stub-requests.jsonl <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [e for e in r["results"] if e["outcome"] == "failed"]
assert [e["check"] for e in bad] == ["create"] and bad[0]["status"] == 415, bad
assert "Unsupported Content-Type 'application/json'" in bad[0]["message"], bad[0]
assert bad[0]["request"]["method"] == "POST" and bad[0]["args"]["name"], bad[0]
# The fix was tried (one object made), no write but the create was sent.
assert [c["tool"] for c in r["created"]] == ["widgets_widgets_create"], r["created"]
posts = [json.loads(l) for l in open(sys.argv[2])]
posts = [q for q in posts if q["method"] != "GET"]
assert {q["path"] for q in posts} == {"/v1/widgets"}, posts
# The --fix run: refused as JSON, made as form, and the round after it sent
# none (2 + the fixed file's test 1 + the old file's test 2).
assert len(posts) == 5, posts
first = posts[:2]
assert first[0]["headers"]["content-type"].startswith("application/json"), first
assert first[1]["headers"]["content-type"] == "application/x-www-form-urlencoded", first
assert first[1]["body"] == {"name": "switchboard connectors test"}, first
PY
