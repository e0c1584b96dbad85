# Swagger 2.0: host/basePath, securityDefinitions, body and formData
# parameters, $ref'd path parameters; then --merge into hand-written curation.
set -e
cat > $TMP/notes.json
python3 - $TMP/notes.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["base_url"] == "https://notes.example.com/api/v1"
assert d["auth"]["default"] == "api_key"
k, o = d["auth"]["methods"]
assert (k["type"], k["in"], k["name"]) == ("api_key", "query", "api_key")
assert o["type"] == "oauth2" and o["authorize_url"].endswith("/oauth/authorize") and o["scopes"] == ["notes"]
a = d["entities"]["notes"]["actions"]
assert a["list"]["pagination"] == {"style": "cursor", "cursor_param": "cursor", "next_cursor": "/next_cursor",
                                   "limit_param": "limit", "items": "/notes"}, a["list"]["pagination"]
assert a["list"]["params"] == {"tag": {"type": "array", "items": {"type": "string"}, "in": "query"}}
assert a["create"]["params"]["title"] == {"type": "string", "in": "body", "required": True}
assert a["read"]["params"]["note_id"] == {"type": "string", "in": "path", "required": True}
assert a["share"]["body_encoding"] == "form" and a["share"]["params"]["role"]["enum"] == ["viewer", "editor"]
assert a["share"]["params"]["email"]["required"] is True
PY
$BIN check $TMP/notes.json
python3 $ROOT/tests/import_check.py $BIN $CASE/swagger.json $TMP/notes.json --min-coverage 100
# --merge: the hand-written file keeps its words and actions; only the
# operations it lacks (by method and path) are added.
$BIN connectors import $CASE/swagger.json --slug notes --merge $CASE/existing.json --out $TMP/merged.json 2> $TMP/merge.err
grep -q 'merged: 3 operations added' $TMP/merge.err
python3 - $CASE/existing.json $TMP/merged.json <<'PY'
import json, sys
old, new = (json.load(open(p)) for p in sys.argv[1:])
assert new["description"] == old["description"] and new["category"] == "Productivity"
assert new["auth"] == old["auth"]
acts = new["entities"]["notes"]["actions"]
assert acts["list"] == old["entities"]["notes"]["actions"]["list"]
assert acts["read"]["path"] == "/notes/{id}"  # not duplicated as /notes/{note_id}
assert sorted(acts) == ["create", "list", "read", "share", "update"], sorted(acts)
assert new["entities"]["notes"]["description"] == "A note. Hand-written."
PY
$BIN check $TMP/merged.json
