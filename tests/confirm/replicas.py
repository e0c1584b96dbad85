"""replicas.py - a confirmation asked by one switchboard process and answered
to another on the same store (two replicas behind a load balancer), for case
1162 (stdlib only). The other process takes the state and runs the refund
once; a replay to either process is refused, since the nonce is spent in the
store; a process on another store (another key) cannot open the state."""
import json, os, subprocess

V = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": V,
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}}
REFUND = {"charge": "ch_123", "amount": 2000}
YES = {"confirm": {"action": "accept", "content": {"confirm": True}}}


OTHER_KEY = dict(os.environ, SWITCHBOARD_KEY="ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=")


class Server:
    def __init__(self, *extra, env=None):
        self.p = subprocess.Popen([os.environ["BIN"], *extra, "serve"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
        self.n = 0

    def refund(self, **extra):
        self.n += 1
        params = {"name": "stripe_refunds_create", "arguments": REFUND, "_meta": META}
        params.update(extra)
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.n, "method": "tools/call",
                                       "params": params}) + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            assert line, "the server closed stdout"
            m = json.loads(line)
            if m.get("id") == self.n:
                assert "result" in m, m
                return m["result"]

    def close(self):
        self.p.stdin.close()
        assert self.p.wait(timeout=30) == 0


def refunds_sent():
    path = os.path.join(os.environ["TMP"], "stub-requests.jsonl")
    if not os.path.exists(path):
        return 0
    return sum(1 for l in open(path) if json.loads(l)["path"] == "/v1/refunds")


def refused(r, words):
    assert r.get("isError") is True, r
    assert words in r["content"][0]["text"], r


a, b = Server(), Server()
r = a.refund()
assert r.get("resultType") == "input_required", r
state = r["requestState"]
ok = b.refund(requestState=state, inputResponses=YES)
assert not ok.get("isError") and ok["structuredContent"]["data"]["id"] == "re_1", ok
assert refunds_sent() == 1
refused(a.refund(requestState=state, inputResponses=YES), "already used")
refused(b.refund(requestState=state, inputResponses=YES), "already used")

# Another store with another key: its process is another issuer. (The key
# is the trust: replicas share it, and with it the store.)
other = os.path.join(os.environ["TMP"], "other")
os.makedirs(other)
store = ["--store", os.path.join(other, "s.db")]
subprocess.run([os.environ["BIN"], *store, "connections", "add", "stripe", "--name", "acme",
                "--secret-stdin", "--set", "base_url=" + os.environ["STUB"], "--no-test"],
               input="sk_test_other123secret", text=True, check=True, stdout=subprocess.DEVNULL,
               env=OTHER_KEY)
c = Server(*store, env=OTHER_KEY)
state = a.refund()["requestState"]
refused(c.refund(requestState=state, inputResponses=YES), "the requestState does not verify")
for s in (a, b, c):
    s.close()
assert refunds_sent() == 1
print("ok")
