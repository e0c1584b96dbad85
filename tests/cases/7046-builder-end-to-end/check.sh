# Build with AI, end to end through MCP as an agent would: import the spec,
# test the draft against the user's connection (the vendor wants the key as
# Authorization: Bearer: 401, a verified fix), test again with fix, save, see
# notifications/tools/list_changed and the new tools, call one. Without
# --builder none of the three tools exists.
set -e
python3 - <<'PY'
import json, os, sys
from mcpclient import Session
binary, case, tmp, stub = os.environ["BIN"], os.environ["CASE"], os.environ["TMP"], os.environ["STUB"]
err = open(tmp + "/session.err", "w")
plain = Session([binary, "serve"], stderr=err)
assert not [n for n in plain.tool_names() if n.startswith("switchboard_connector_")]
rc = plain.close()
assert rc == 0, rc
s = Session([binary, "serve", "--builder"], stderr=err)
assert not [n for n in s.tool_names() if n.startswith("widgets_")]

r = s.tool("switchboard_connector_import", {"spec": os.environ["ROOT"] + "/tests/stub/specs/widgets.json", "slug": "widgets"})
assert not r.get("isError"), r
imp = r["structuredContent"]
assert imp["operations"] == 5 and imp["actions"] == 5 and imp["skipped"] == [], imp
assert "widgets_widgets_list" in imp["tools"], imp["tools"]
draft = imp["connector"]
# Inline text imports the same.
with open(os.environ["ROOT"] + "/tests/stub/specs/widgets.json") as f:
    r2 = s.tool("switchboard_connector_import", {"spec": f.read(), "slug": "widgets"})
assert r2["structuredContent"]["connector"] == draft

r = s.tool("switchboard_connector_test", {"connector": draft})
t = r["structuredContent"]
assert t["failed"] == 2 and t["passed"] == 0 and t["fixed"] is False, t
assert all(e["status"] == 401 for e in t["results"] if e["outcome"] == "failed"), t["results"]
p = t["problems"][0]
assert p["problem"] == "auth" and p["verified"] is True, p
assert {c["path"]: c["to"] for c in p["changes"]} == {
    "/auth/methods/0/name": "Authorization", "/auth/methods/0/format": "Bearer {api_key}"}, p

r = s.tool("switchboard_connector_test", {"connector": draft, "fix": True})
t = r["structuredContent"]
assert t["fixed"] is True and t["failed"] == 0 and t["passed"] == 8, t
fixed = t["connector_doc"]
assert fixed["auth"]["methods"][0]["name"] == "Authorization"

r = s.tool("switchboard_connector_save", {"connector": fixed})
assert not r.get("isError"), r
sv = r["structuredContent"]
path = os.environ["XDG_CONFIG_HOME"] + "/switchboard/capabilities/widgets.json"
assert sv["path"] == path and sv["connected"] is True and "backup" not in sv, sv
s.notification("notifications/tools/list_changed")
names = s.tool_names()
assert {"widgets_widgets_list", "widgets_widgets_read", "widgets_gadgets_list"} <= set(names), names
assert json.load(open(path))["auth"] == fixed["auth"]

r = s.tool("widgets_widgets_list", {"limit": 2})
assert not r.get("isError"), r
assert [w["id"] for w in r["structuredContent"]["data"]] == ["wid_1", "wid_2"], r

# Saving again needs replace, and then keeps a backup.
r = s.tool("switchboard_connector_save", {"connector": fixed})
assert r.get("isError") and "replace" in r["content"][0]["text"], r
r = s.tool("switchboard_connector_save", {"connector": fixed, "replace": True})
assert r["structuredContent"]["backup"] == path + ".bak", r
# A draft that is not a connector is refused, and nothing is written.
r = s.tool("switchboard_connector_save", {"connector": {"slug": "bad"}})
assert r.get("isError") and "not saved" in r["content"][0]["text"], r
assert not os.path.exists(os.environ["XDG_CONFIG_HOME"] + "/switchboard/capabilities/bad.json")
assert s.close() == 0
PY
! grep -q "does not match its outputSchema" $TMP/session.err || { echo "a result does not match its outputSchema"; cat $TMP/session.err; exit 1; }
