# A connection added in another terminal while the server runs: the server
# notices without a restart, sends notifications/tools/list_changed, and the
# new connector's tools appear. Removing it takes them away again.
set -eu
python3 - "$BIN" <<'PY'
import json, os, select, subprocess, sys, time
binary = sys.argv[1]
srv = subprocess.Popen([binary, "--mode", "static", "serve"], stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
buf = b""
def send(msg):
    srv.stdin.write((json.dumps(msg) + "\n").encode()); srv.stdin.flush()
def read_until(pred, timeout=10):
    global buf
    end = time.time() + timeout
    while time.time() < end:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            m = json.loads(line)
            if pred(m):
                return m
        r, _, _ = select.select([srv.stdout], [], [], 0.2)
        if r:
            buf += os.read(srv.stdout.fileno(), 65536)
    raise SystemExit("timed out waiting for a message")
def tool_names():
    send({"jsonrpc": "2.0", "id": 99, "method": "tools/list"})
    m = read_until(lambda m: m.get("id") == 99)
    return sorted(t["name"] for t in m["result"]["tools"])
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
read_until(lambda m: m.get("id") == 1)
before = tool_names()
assert before == ["switchboard_connections"], before
subprocess.run([binary, "connections", "add", "stripe", "--name", "acme", "--secret-stdin"],
               input=b"sk_test_list_changed_1", check=True, capture_output=True)
read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
after = tool_names()
assert any(n.startswith("stripe_customers_") for n in after), after
subprocess.run([binary, "connections", "remove", "stripe/acme"], check=True, capture_output=True)
read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
assert tool_names() == ["switchboard_connections"]
srv.stdin.close()
assert srv.wait(10) == 0
print("ok")
PY
