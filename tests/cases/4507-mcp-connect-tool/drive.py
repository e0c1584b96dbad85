"""drive.py SB_COMMAND BASE MODE - one MCP session for case 4507 (stdlib only).
Every stdout line must be a JSON-RPC message (tests/lib/mcpclient.py); failures raise."""
import json, sys, urllib.request
from mcpclient import Session

sb, base, mode = sys.argv[1], sys.argv[2], sys.argv[3]
argv = sb.split() + (["--all"] if mode == "noapp" else []) + ["--log-level", "info", "serve"]
s = Session(argv, timeout=30)
call, names = s.tool, s.tool_names


if mode == "noapp":
    # --all: the connect tool is listed (the built-in key-based connectors
    # can connect), but OAuth without an app says what to run; a call
    # without a connection names the command and the connect tool.
    assert "switchboard_connect" in names(), "connect tool not shown"
    r = call("oauthtest_things_list", {})
    assert r.get("isError") is True, r
    assert "switchboard connect oauthtest" in r["content"][0]["text"], r
    details = json.loads(r["content"][0]["text"].split("\n", 1)[1])
    assert details["connect"] == {
        "tool": "switchboard_connect", "arguments": {"connector": "oauthtest"}}, r
    r = call("switchboard_connect", {"connector": "oauthtest"})
    assert r.get("isError") is True and "oauth-app set oauthtest" in r["content"][0]["text"], r
else:
    listed = names()
    assert "switchboard_connect" in listed and "oauthtest_things_list" not in listed, listed
    r = call("switchboard_connect", {"connector": "nosuch"})
    assert r.get("isError") is True and "no connector 'nosuch'" in r["content"][0]["text"], r
    r = call("switchboard_connect", {"connector": "oauthtest"})
    assert not r.get("isError"), r
    url = r["structuredContent"]["data"]["authorization_url"]
    assert url.startswith(base + "/authorize?") and "code_challenge=" in url, url
    # The main loop is not blocked while the flow waits.
    s.call("ping", timeout=10)
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    assert "Connected" in page, page
    s.notification("notifications/tools/list_changed")
    assert "oauthtest_things_list" in names()
    r = call("oauthtest_things_list", {})
    assert not r.get("isError"), r
assert s.close() == 0
