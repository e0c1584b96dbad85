# Without --writes nothing but reads is sent, even to a vendor whose creates
# would fail: the report says which creates were not sent and how to send
# them, and the test passes (exit 0).
set -e
cat > $TMP/out.txt
grep -q "^8 passed, 0 failed, 0 skipped" $TMP/out.txt || { echo "reads not all passed"; cat $TMP/out.txt; exit 1; }
grep -q "^writes not sent: widgets_widgets_create (--writes sends the create actions that are not destructive" $TMP/out.txt || { echo "no word of the writes"; cat $TMP/out.txt; exit 1; }
! grep -q "made at the vendor" $TMP/out.txt || { echo "claims to have made something"; exit 1; }
python3 - $TMP/stub-requests.jsonl <<'PY'
import json, sys
methods = {json.loads(l)["method"] for l in open(sys.argv[1])}
assert methods == {"GET"}, methods
PY
