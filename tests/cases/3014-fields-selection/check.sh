# fields shape the answer only: the vendor is asked as usual.
python3 - "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    assert "fields" not in r["query"], r
PY
