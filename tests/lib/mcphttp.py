"""mcphttp.py - `switchboard serve --http` for the cases' scripts (standard
library only). tests/run.py puts tests/lib on PYTHONPATH:

    from mcphttp import Server, modern
    srv = Server(binary, ["--keepalive", "1"])      # started on 127.0.0.1:0
    r = srv.post(modern(1, "tools/list"))            # Reply: status, headers, json, events
    with srv.stream(modern(2, "subscriptions/listen", {...})) as s:
        s.event()                                    # the next SSE message (a dict)
    srv.stop()                                       # SIGTERM; asserts stdout stayed empty

post() adds the headers a conforming client sends (Content-Type, Accept,
MCP-Protocol-Version, Mcp-Method, Mcp-Name) unless told otherwise: pass
headers={"Name": None} to leave one out. A failed expectation ends the
script with a message (SystemExit).
"""
import atexit
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

VERSION = "2026-07-28"


def fail(msg):
    raise SystemExit("FAIL: " + msg)


def modern(id, method, params=None, meta=None):
    """A 2026-07-28 request (id None: a notification) with its _meta."""
    p = dict(params or {})
    m = {"io.modelcontextprotocol/protocolVersion": VERSION,
         "io.modelcontextprotocol/clientCapabilities": {},
         "io.modelcontextprotocol/clientInfo": {"name": "switchboard-tests", "version": "1"}}
    m.update(meta or {})
    p["_meta"] = m
    msg = {"jsonrpc": "2.0", "method": method, "params": p}
    if id is not None:
        msg["id"] = id
    return msg


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body
        self.ctype = self.headers.get("content-type", "")
        self.json = None
        self.events = []
        if self.ctype.startswith("application/json") and body:
            self.json = json.loads(body)
        elif self.ctype.startswith("text/event-stream"):
            self.events = parse_sse(body.decode())
            finals = [e for e in self.events if "method" not in e]
            self.json = finals[-1] if finals else None

    def __repr__(self):
        return f"HTTP {self.status} {self.ctype} {self.body[:500]!r}"


def parse_sse(text):
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [l[5:].lstrip() for l in block.split("\n") if l.startswith("data:")]
        if data:
            out.append(json.loads("\n".join(data)))
    return out


def headers_for(msg, version=VERSION):
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if version:
        h["MCP-Protocol-Version"] = version
    if isinstance(msg, dict) and isinstance(msg.get("method"), str):
        h["Mcp-Method"] = msg["method"]
        params = msg.get("params") or {}
        if msg["method"] in ("tools/call", "prompts/get") and "name" in params:
            h["Mcp-Name"] = params["name"]
        if msg["method"] == "resources/read" and "uri" in params:
            h["Mcp-Name"] = params["uri"]
    return h


class Stream:
    """An open SSE answer, read event by event."""

    def __init__(self, conn, resp):
        self.conn, self.resp = conn, resp
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.comments = 0

    def event(self, timeout=30):
        """The next message; None when the stream ended."""
        self.conn.sock.settimeout(timeout)
        data = []
        while True:
            line = self.resp.fp.readline()
            if not line:
                return None
            line = line.decode().rstrip("\r\n")
            if line.startswith(":"):
                self.comments += 1
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif line == "" and data:
                return json.loads("\n".join(data))

    def count_comments(self, seconds):
        """Read for about this long (the stream must not stay silent: keep-alive
        comments) and return how many comment lines came."""
        self.conn.sock.settimeout(seconds + 5)
        n, deadline = 0, time.time() + seconds
        while time.time() < deadline:
            line = self.resp.fp.readline()
            if not line:
                break
            n += line.startswith(b":")
        return n

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


class Server:
    def __init__(self, binary, args=(), env=None, store=True, addr="127.0.0.1:0", options=()):
        """args follow serve --http ADDR; options (the global ones: --mode,
        --connectors ...) come before serve."""
        self.dir = tempfile.mkdtemp(prefix="mcphttp-", dir=os.environ.get("TMP"))
        self.out_path = os.path.join(self.dir, "stdout")
        self.err_path = os.path.join(self.dir, "stderr")
        argv = [binary]
        if store and not (env or os.environ).get("SWITCHBOARD_STORE"):
            argv += ["--store", os.path.join(self.dir, "store.db")]
        argv += list(options) + ["serve", "--http", addr] + list(args)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=open(self.out_path, "wb"),
                                     stderr=open(self.err_path, "wb"), env=env)
        atexit.register(self.kill)  # a failed expectation leaves nothing running
        self.port = None
        self.host = "127.0.0.1"
        deadline = time.time() + 30
        while time.time() < deadline and self.port is None:
            for line in open(self.err_path, errors="replace"):
                if line.startswith("switchboard: serving MCP on http://"):
                    hostport = line.split("//", 1)[1].split("/", 1)[0]
                    self.port = int(hostport.rsplit(":", 1)[1])
                    self.host = hostport.rsplit(":", 1)[0].strip("[]")
            if self.proc.poll() is not None:
                fail("serve --http exited %s: %s" % (self.proc.returncode, self.stderr()))
            time.sleep(0.05)
        if self.port is None:
            fail("serve --http did not start: " + self.stderr())

    def stderr(self):
        return open(self.err_path, errors="replace").read()

    def connect(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def post(self, msg, headers=None, version=VERSION, path="/mcp", method="POST", raw=None,
             timeout=30, conn=None):
        h = headers_for(msg, version)
        for k, v in (headers or {}).items():
            h = {a: b for a, b in h.items() if a.lower() != k.lower()}
            if v is not None:
                h[k] = v
        body = raw if raw is not None else json.dumps(msg).encode()
        c = conn or self.connect(timeout)
        c.request(method, path, body=body if method in ("POST", "PUT") else None, headers=h)
        resp = c.getresponse()
        r = Reply(resp.status, resp.getheaders(), resp.read())
        if conn is None:
            c.close()
        return r

    def stream(self, msg, headers=None, version=VERSION, timeout=30):
        """POST msg and return the open SSE answer (fails on anything else)."""
        h = headers_for(msg, version)
        h.update(headers or {})
        c = self.connect(timeout)
        c.request("POST", "/mcp", body=json.dumps(msg).encode(), headers=h)
        resp = c.getresponse()
        if not resp.getheader("Content-Type", "").startswith("text/event-stream"):
            fail("expected an SSE answer, got HTTP %d %s %r" % (
                resp.status, resp.getheader("Content-Type"), resp.read()[:300]))
        return Stream(c, resp)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        """SIGTERM, then check the exit status, stdout (must be empty) and
        stderr (no sanitizer report). Returns stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("serve --http did not stop on SIGTERM: " + self.stderr())
        err = self.stderr()
        out = open(self.out_path, "rb").read()
        if out:
            fail("serve --http wrote to stdout: %r" % out[:300])
        for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error"):
            if bad in err:
                fail("sanitizer report:\n" + err)
        if self.proc.returncode != 0:
            fail("serve --http exited %d: %s" % (self.proc.returncode, err))
        return err


def expect(cond, what, got=None):
    if not cond:
        fail(what + ("" if got is None else ": got %r" % (got,)))


if __name__ == "__main__":
    sys.exit("a library for the cases' scripts")
