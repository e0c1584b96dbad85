# The builder's test takes writes as the command takes --writes: without it
# nothing but reads is sent and writes_skipped names the create; with it the
# create is refused (415), the fix (request.body form) is verified, and with
# fix the draft passes. A saved connector with the wrong encoding answers a
# model's create with the vendor's 415 and what to do about it.
set -e
python3 - <<'PY'
import json, os
from mcpclient import Session
tmp, root = os.environ["TMP"], os.environ["ROOT"]
err = open(tmp + "/session.err", "w")
s = Session([os.environ["BIN"], "serve", "--builder"], stderr=err)
reqs = tmp + "/stub-requests.jsonl"
def posts():
    return [json.loads(l) for l in open(reqs) if json.loads(l)["method"] == "POST"]

r = s.tool("switchboard_connector_import", {"spec": root + "/tests/stub/specs/widgets.json", "slug": "widgets"})
draft = r["structuredContent"]["connector"]

t = s.tool("switchboard_connector_test", {"connector": draft})["structuredContent"]
assert (t["passed"], t["failed"]) == (8, 0) and t["problems"] == [], t
assert t["writes_skipped"] == ["widgets_widgets_create"] and "created" not in t, t
assert posts() == [], posts()

t = s.tool("switchboard_connector_test", {"connector": draft, "writes": True})["structuredContent"]
assert (t["passed"], t["failed"]) == (8, 1) and "writes_skipped" not in t, t
bad = [e for e in t["results"] if e["outcome"] == "failed"][0]
assert bad["check"] == "create" and bad["status"] == 415, bad
p = t["problems"][0]
assert p["problem"] == "body_encoding" and p["verified"] is True, p
assert p["changes"] == [{"path": "/request/body", "from": "json", "to": "form"}], p
assert [c["tool"] for c in t["created"]] == ["widgets_widgets_create"], t["created"]
assert len(posts()) == 2, posts()

t = s.tool("switchboard_connector_test", {"connector": draft, "writes": True, "fix": True})["structuredContent"]
assert t["fixed"] is True and (t["passed"], t["failed"]) == (9, 0), t
assert t["connector_doc"]["request"]["body"] == "form", t["connector_doc"]["request"]
assert len(posts()) == 4, posts()

# The unfixed draft saved: a model's create gets the 415 with the way out.
r = s.tool("switchboard_connector_save", {"connector": draft})
assert not r.get("isError"), r
s.notification("notifications/tools/list_changed")
r = s.tool("widgets_widgets_create", {"name": "Sprocket"})
assert r.get("isError"), r
text = r["content"][0]["text"]
assert "HTTP 415" in text and "Unsupported Content-Type" in text, text
assert "sent as JSON (application/json)" in text and "connectors test widgets --writes --fix" in text, text
assert s.close() == 0
PY
! grep -q "does not match its outputSchema" $TMP/session.err || { echo "a result does not match its outputSchema"; cat $TMP/session.err; exit 1; }
