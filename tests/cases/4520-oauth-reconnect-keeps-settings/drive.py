"""drive.py BIN NAME - case 4520: switchboard_connect {github, NAME} in one MCP
session, the browser's part done with urllib, until the flow is reported."""
import json, os, select, subprocess, sys, time, urllib.request

p = subprocess.Popen([sys.argv[1], "--log-level", "info", "serve"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True, bufsize=1)
pending = [b""]  # read, not yet a whole line


def rpc(i, method, params):
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\n")
    p.stdin.flush()
    end = time.time() + 30
    while time.time() < end:
        # Raw reads split here: readline() on the buffered pipe could take two
        # messages at once and leave the second where select() cannot see it.
        while b"\n" in pending[0]:
            line, pending[0] = pending[0].split(b"\n", 1)
            m = json.loads(line)
            if m.get("id") == i:
                return m
        if select.select([p.stdout], [], [], 0.2)[0]:
            pending[0] += os.read(p.stdout.fileno(), 65536)
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
assert p.wait(timeout=30) == 0
