# Calls ran concurrently: compare the stub's requests as a multiset.
python3 - "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
seen = sorted(json.dumps([r["method"], r["path"], r["query"], r["headers"].get("authorization")], sort_keys=True)
              for r in map(json.loads, open(sys.argv[1])))
q = lambda **k: k
want = sorted(json.dumps(["GET", "/repos", x, "Bearer tstlink_token_secret"], sort_keys=True) for x in [
    q(per_page="2", sort="name"),
    q(page="2", per_page="2", sort="name"),
    q(page="3", per_page="2", sort="name"),
    q(per_page="2", sort="name"),
    q(page="3", per_page="2", sort="name"),
])
assert seen == want, "\n".join(seen)
PY
