# at_least_one: switchboard check refuses a rule naming something that is
# not an argument of the action, and a rule of the wrong shape; a good rule
# is said in the tool's description and is not a top-level anyOf.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$TMP/good" "$TMP/bad" "$TMP/shape"
python3 - "$TMP" "$CASE/../2015-check-path-param-undeclared/caps/path-param-undeclared.json" <<'PY'
import json, sys
tmp, src = sys.argv[1], sys.argv[2]
doc = json.load(open(src))
w = doc["entities"]["widgets"]["actions"]
w["read"]["params"] = {"id": {"type": "string", "in": "path", "required": True}}
w["create"]["params"] = {"sku": {"type": "string", "in": "body"}}
w["create"]["at_least_one"] = [["name", "sku"], [["name", "sku"], "serial"]]
w["create"]["params"]["serial"] = {"type": "string", "in": "body"}
json.dump(doc, open(tmp + "/good/acme.json", "w"))
w["create"]["at_least_one"] = [["name", ["sku", "colour"]]]
json.dump(doc, open(tmp + "/bad/acme.json", "w"))
w["create"]["at_least_one"] = ["name", "sku"]
json.dump(doc, open(tmp + "/shape/acme.json", "w"))
PY
$BIN check "$TMP/good/acme.json" >"$TMP/good.out" 2>&1 || fail "good: $(cat "$TMP/good.out")"
set +e
$BIN check "$TMP/bad/acme.json" >"$TMP/bad.out" 2>&1; s=$?
set -e
[ $s = 1 ] || fail "bad exit $s: $(cat "$TMP/bad.out")"
grep -q '/entities/widgets/actions/create/at_least_one/0: "colour" is not an argument of the action' "$TMP/bad.out" || fail "bad: $(cat "$TMP/bad.out")"
set +e
$BIN check "$TMP/shape/acme.json" >"$TMP/shape.out" 2>&1; s=$?
set -e
[ $s = 1 ] || fail "shape exit $s: $(cat "$TMP/shape.out")"
grep -q 'at_least_one/0' "$TMP/shape.out" || fail "shape: $(cat "$TMP/shape.out")"
$BIN --capabilities "$TMP/good" --all --connectors acme tools --json >"$TMP/tools.json" || fail "tools"
python3 - "$TMP/tools.json" <<'PY'
import json, sys
tools = {t["name"]: t for t in json.load(open(sys.argv[1]))}
t = tools["acme_widgets_create"]
assert "Needs name or sku. Needs (name and sku) or serial." in t["description"], t["description"]
s = t["inputSchema"]
assert not {"anyOf", "oneOf", "allOf"} & set(s), s
assert "required" not in s or not {"name", "sku", "serial"} & set(s["required"]), s
assert "Needs" not in tools["acme_widgets_list"]["description"]
PY
echo ok
