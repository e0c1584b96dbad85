"""drive.py SB_COMMAND BASE MODE - one MCP session for case 4507 (stdlib only).
Every stdout line must be a JSON-RPC message; failures raise."""
import json, os, select, subprocess, sys, time, urllib.request

sb, base, mode = sys.argv[1], sys.argv[2], sys.argv[3]
argv = sb.split() + (["--all"] if mode == "noapp" else []) + ["--log-level", "info", "serve"]
p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
buf = []


def send(msg):
    p.stdin.write(json.dumps(msg) + "\n")
    p.stdin.flush()


def read_until(pred, timeout=8.0):
    end = time.time() + timeout
    while time.time() < end:
        for i, m in enumerate(buf):
            if pred(m):
                return buf.pop(i)
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            line = p.stdout.readline()
            if not line:
                break
            m = json.loads(line)  # stdout carries protocol only
            assert m.get("jsonrpc") == "2.0", line
            buf.append(m)
    raise SystemExit(f"timed out; seen {buf}")


def call(i, name, args):
    send({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": name, "arguments": args}})
    return read_until(lambda m: m.get("id") == i)


def names(i):
    send({"jsonrpc": "2.0", "id": i, "method": "tools/list"})
    return [t["name"] for t in read_until(lambda m: m.get("id") == i)["result"]["tools"]]


send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
      "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
read_until(lambda m: m.get("id") == 0)
send({"jsonrpc": "2.0", "method": "notifications/initialized"})

if mode == "noapp":
    # --all: the tool is visible without a connection, and its call names the command.
    assert "switchboard_connect" not in names(1), "connect tool shown without an OAuth app"
    r = call(2, "oauthtest_things_list", {})["result"]
    assert r.get("isError") is True, r
    assert "switchboard connect oauthtest" in r["content"][0]["text"], r
else:
    listed = names(1)
    assert "switchboard_connect" in listed and "oauthtest_things_list" not in listed, listed
    r = call(2, "switchboard_connect", {"connector": "nosuch"})["result"]
    assert r.get("isError") is True and "no connector 'nosuch'" in r["content"][0]["text"], r
    r = call(3, "switchboard_connect", {"connector": "oauthtest"})["result"]
    assert not r.get("isError"), r
    url = r["structuredContent"]["data"]["authorization_url"]
    assert url.startswith(base + "/authorize?") and "code_challenge=" in url, url
    # The main loop is not blocked while the flow waits.
    send({"jsonrpc": "2.0", "id": 4, "method": "ping"})
    read_until(lambda m: m.get("id") == 4, timeout=2)
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    assert "Connected" in page, page
    read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
    assert "oauthtest_things_list" in names(5)
    r = call(6, "oauthtest_things_list", {})["result"]
    assert not r.get("isError"), r
p.stdin.close()
assert p.wait(timeout=10) == 0
