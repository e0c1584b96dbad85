"""drive.py SB_COMMAND - the MCP session of case 4535 (stdlib only)."""
import json, select, subprocess, sys, time, urllib.request

p = subprocess.Popen(sys.argv[1].split() + ["--log-level", "info", "serve"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True, bufsize=1)
buf = []


def send(msg):
    p.stdin.write(json.dumps(msg) + "\n")
    p.stdin.flush()


def read_until(pred, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        for i, m in enumerate(buf):
            if pred(m):
                return buf.pop(i)
        r, _, _ = select.select([p.stdout], [], [], 0.1)
        if r:
            line = p.stdout.readline()
            if not line:
                break
            buf.append(json.loads(line))
    raise SystemExit(f"timed out; seen {buf}")


def call(i, name, args):
    send({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": name, "arguments": args}})
    return read_until(lambda m: m.get("id") == i)["result"]


send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
      "params": {"protocolVersion": "2025-11-25", "capabilities": {"elicitation": {"url": {}}},
                 "clientInfo": {"name": "t", "version": "1"}}})
read_until(lambda m: m.get("id") == 0)
send({"jsonrpc": "2.0", "method": "notifications/initialized"})

want = {"tool": "switchboard_connect", "arguments": {"connector": "oauthtest", "name": "work"}}
r = call(1, "oauthtest_things_list", {})
text = r["content"][0]["text"]
assert r.get("isError") and "revoked or expired" in text, r
assert json.loads(text.split("\n", 1)[1])["connect"] == want, text
r = call(2, "switchboard_connections", {"connector": "oauthtest"})
c = r["structuredContent"]["data"]["connections"][0]
assert c["status"] == "needs_reconnect" and c["connect"] == want, c

send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
      "params": {"name": "switchboard_connect", "arguments": want["arguments"]}})
el = read_until(lambda m: m.get("method") == "elicitation/create")
assert el["params"]["mode"] == "url" and "/authorize?" in el["params"]["url"], el
send({"jsonrpc": "2.0", "id": el["id"], "result": {"action": "accept"}})
r = read_until(lambda m: m.get("id") == 3)["result"]
assert not r.get("isError") and r["structuredContent"]["data"]["connection"] == "oauthtest/work", r
page = urllib.request.urlopen(el["params"]["url"], timeout=10).read().decode()
assert "is connected" in page, page
read_until(lambda m: m.get("method") == "notifications/elicitation/complete")
time.sleep(0.3)
r = call(4, "oauthtest_things_list", {})
assert not r.get("isError"), r
p.stdin.close()
assert p.wait(timeout=10) == 0
