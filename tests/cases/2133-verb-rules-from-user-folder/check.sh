# A capabilities folder's own _canonical.json adds or replaces verb rules,
# one verb at a time (the built-in void and delete rules stay); a file that
# does not parse is reported and changes nothing.
set -e
python3 -c '
import json, sys
a = {t["name"]: t.get("annotations", {}) for t in json.load(sys.stdin)}
assert a["acme_bills_archive"] == {}, a["acme_bills_archive"]
assert a["acme_bills_send"] == {"destructiveHint": False, "idempotentHint": True}, a["acme_bills_send"]
assert a["acme_bills_void"] == {"idempotentHint": True}, a["acme_bills_void"]
'
"$BIN" --capabilities "$CASE/caps" --capabilities "$CASE/bad" --all --connectors acme --mode static tools --json 2>"$TMP/err" | python3 -c '
import json, sys
a = {t["name"]: t.get("annotations", {}) for t in json.load(sys.stdin)}
x = a["acme_bills_archive"]
assert not x.get("readOnlyHint") and x.get("destructiveHint", True) is True, x
'
grep -q "bad/_canonical.json:" "$TMP/err" || { cat "$TMP/err"; exit 1; }
echo ok
