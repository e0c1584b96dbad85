# A JSON vendor refuses a form body (415): the fix is request.body json.
TEST_ARGS=--writes
WANT='{"/request/body": "json"}'
PROBLEM=body_encoding
BEFORE=1
PASSED=9
. "$ROOT/tests/conntest/fixed.sh"
python3 - $TMP/old.json <<'PY'
import json, sys
bad = [e for e in json.load(open(sys.argv[1]))["results"] if e["outcome"] == "failed"]
assert bad[0]["status"] == 415 and "application/x-www-form-urlencoded" in bad[0]["message"], bad
PY
