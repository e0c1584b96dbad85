"""drive.py SB_COMMAND - the MCP session of case 4535 (stdlib only)."""
import json
import sys
import time
import urllib.request

from mcpclient import Session

s = Session(sys.argv[1].split() + ["--log-level", "info", "serve"], initialize=False)
s.result("initialize", {"protocolVersion": "2025-11-25", "capabilities": {"elicitation": {"url": {}}},
                        "clientInfo": {"name": "t", "version": "1"}})
s.notify("notifications/initialized")

want = {"tool": "switchboard_connect", "arguments": {"connector": "oauthtest", "name": "work"}}
r = s.tool("oauthtest_things_list", {})
text = r["content"][0]["text"]
assert r.get("isError") and "revoked or expired" in text, r
assert json.loads(text.split("\n", 1)[1])["connect"] == want, text
r = s.tool("switchboard_connections", {"connector": "oauthtest"})
c = r["structuredContent"]["data"]["connections"][0]
assert c["status"] == "needs_reconnect" and c["connect"] == want, c

i = s.request("tools/call", {"name": "switchboard_connect", "arguments": want["arguments"]})
el = s.until(lambda m: m.get("method") == "elicitation/create")
assert el["params"]["mode"] == "url" and "/authorize?" in el["params"]["url"], el
s.send({"jsonrpc": "2.0", "id": el["id"], "result": {"action": "accept"}})
r = s.answer(i)["result"]
assert not r.get("isError") and r["structuredContent"]["data"]["connection"] == "oauthtest/work", r
page = urllib.request.urlopen(el["params"]["url"], timeout=10).read().decode()
assert "is connected" in page, page
s.notification("notifications/elicitation/complete")
time.sleep(0.3)
r = s.tool("oauthtest_things_list", {})
assert not r.get("isError"), r
assert s.close() == 0
