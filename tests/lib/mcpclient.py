"""mcpclient.py - one MCP client session over a server's stdio, for the cases'
scripts (standard library only). tests/run.py puts tests/lib on PYTHONPATH:

    from mcpclient import Session
    s = Session([binary, "serve"])          # started and initialized
    s.tool("stripe_customers_list", {})     # the result of a tools/call
    s.request("tools/call", {...})          # id; s.answer(id) reads it later
    s.until(lambda m: m.get("method") == "notifications/tools/list_changed")
    assert s.close() == 0                   # stdin closed, exit status

Every line the server writes on stdout must be a JSON-RPC 2.0 message.
Messages arrive in an inbox; until() takes the first one that matches and
leaves the others. A wait that runs out, or a closed stdout, ends the script
with a message naming what was awaited and what was seen (SystemExit).
"""
import json
import os
import select
import subprocess
import time


class Session:
    def __init__(self, argv, stderr=None, env=None, initialize=True, timeout=30.0):
        """Start argv (stdin and stdout pipes; stderr as given, else
        inherited) and, unless told not to, initialize the session."""
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=stderr, env=env)
        self.timeout = timeout
        self.inbox = []
        self.pending = b""
        self.next_id = 0
        self.init = None
        if initialize:
            self.init = self.result("initialize", {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "switchboard-tests", "version": "1"}})
            self.notify("notifications/initialized")

    def send(self, msg):
        self.proc.stdin.write(json.dumps(msg).encode() + b"\n")
        self.proc.stdin.flush()

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def request(self, method, params=None, id=None):
        """Send a request; its id (the next number unless given)."""
        if id is None:
            self.next_id += 1
            id = self.next_id
        msg = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return id

    def read(self, wait):
        """Move what the server wrote within wait seconds into the inbox;
        False once stdout is closed."""
        r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, wait))
        if not r:
            return True
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return False
        self.pending += data
        while b"\n" in self.pending:
            line, self.pending = self.pending.split(b"\n", 1)
            try:
                msg = json.loads(line)
            except ValueError:
                raise SystemExit(f"stdout line is not JSON: {line[:300]!r}")
            if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
                raise SystemExit(f"stdout line is not JSON-RPC 2.0: {line[:300]!r}")
            self.inbox.append(msg)
        return True

    def until(self, pred, timeout=None, what="a message"):
        """The first message (in the inbox or to come) for which pred holds."""
        end = time.time() + (self.timeout if timeout is None else timeout)
        while True:
            for i, m in enumerate(self.inbox):
                if pred(m):
                    return self.inbox.pop(i)
            left = end - time.time()
            if left <= 0:
                raise SystemExit(f"timed out waiting for {what}; inbox: {json.dumps(self.inbox)[:2000]}")
            if not self.read(min(left, 0.5)):
                raise SystemExit(f"the server closed stdout while waiting for {what}; "
                                 f"inbox: {json.dumps(self.inbox)[:2000]}")

    def answer(self, id, timeout=None):
        return self.until(lambda m: m.get("id") == id and "method" not in m, timeout,
                          f"the answer to request {id!r}")

    def notification(self, method, timeout=None):
        return self.until(lambda m: m.get("method") == method and "id" not in m, timeout, method)

    def call(self, method, params=None, timeout=None):
        """Request and its answer (a result or an error)."""
        return self.answer(self.request(method, params), timeout)

    def result(self, method, params=None, timeout=None):
        m = self.call(method, params, timeout)
        if "result" not in m:
            raise SystemExit(f"{method} {json.dumps(params)[:300]}: {json.dumps(m)[:1000]}")
        return m["result"]

    def error(self, method, params, code):
        """The message of the error answer, which must have this code."""
        m = self.call(method, params)
        if m.get("error", {}).get("code") != code:
            raise SystemExit(f"{method} {json.dumps(params)[:300]}: expected error {code}, "
                             f"got {json.dumps(m)[:1000]}")
        return m["error"]["message"]

    def tool(self, name, arguments=None, timeout=None):
        """The result of tools/call name (isError or not)."""
        return self.result("tools/call", {"name": name, "arguments": arguments or {}}, timeout)

    def tool_names(self):
        return [t["name"] for t in self.result("tools/list")["tools"]]

    def close(self, timeout=30):
        """Close stdin (EOF: the server ends); the rest of stdout goes to the
        inbox; the exit status."""
        self.proc.stdin.close()
        end = time.time() + timeout
        while self.read(max(0.0, end - time.time())):
            if time.time() > end:
                self.proc.kill()
                raise SystemExit("the server did not end after EOF")
        return self.proc.wait(max(10.0, end - time.time()))  # stdout closes before the exit
