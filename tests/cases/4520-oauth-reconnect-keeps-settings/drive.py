"""drive.py BIN NAME - case 4520: switchboard_connect {github, NAME} in one MCP
session, the browser's part done with urllib, until the flow is reported."""
import json, select, subprocess, sys, time, urllib.request

p = subprocess.Popen([sys.argv[1], "--log-level", "info", "serve"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True, bufsize=1)


def rpc(i, method, params):
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\n")
    p.stdin.flush()
    end = time.time() + 10
    while time.time() < end:
        if select.select([p.stdout], [], [], 0.2)[0]:
            m = json.loads(p.stdout.readline())
            if m.get("id") == i:
                return m
    raise SystemExit(f"no answer to {method}")


rpc(0, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                      "clientInfo": {"name": "t", "version": "1"}})
r = rpc(1, "tools/call", {"name": "switchboard_connect",
                          "arguments": {"connector": "github", "name": sys.argv[2]}})["result"]
assert not r.get("isError"), r
url = r["structuredContent"]["data"]["authorization_url"]
page = urllib.request.urlopen(url, timeout=10).read().decode()
assert "Connected" in page, page
# The flow saved on the listener's thread before the page was answered.
p.stdin.close()
assert p.wait(timeout=10) == 0
