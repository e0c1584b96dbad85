python3 -c '
import json, sys
doc = json.load(sys.stdin)
src = json.load(open(sys.argv[1]))
for k, v in src.items():
    assert doc[k] == v, k
assert doc["visibility"] == "public" and doc["request"] == {"body": "json"}, doc
' "$CASE/caps/acme.json"
