# A capabilities folder's own _canonical.json adds or replaces verb rules,
# one verb at a time (the built-in void and delete rules stay); a file that
# does not parse is reported and changes nothing.
set -e
python3 -c '
import json, sys
a = {t["name"]: t["annotations"] for t in json.load(sys.stdin)}
assert a["acme_bills_archive"] == {"readOnlyHint": False, "destructiveHint": True}, a["acme_bills_archive"]
assert a["acme_bills_send"] == {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True}, a["acme_bills_send"]
assert a["acme_bills_void"] == {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True}, a["acme_bills_void"]
'
"$BIN" --capabilities "$CASE/caps" --capabilities "$CASE/bad" --all --connectors acme --mode static tools --json 2>"$TMP/err" | python3 -c '
import json, sys
a = {t["name"]: t["annotations"] for t in json.load(sys.stdin)}
assert a["acme_bills_archive"]["destructiveHint"] is True
'
grep -q "bad/_canonical.json:" "$TMP/err" || { cat "$TMP/err"; exit 1; }
echo ok
