#!/usr/bin/env python3
"""bridge.py - a minimal Streamable HTTP front for `switchboard serve` on
stdio, so the official conformance suite (which speaks only HTTP) can test
the MCP core until switchboard has its own HTTP transport.

  bridge.py BIN PORTFILE [serve args...]

One switchboard process serves every HTTP request. The bridge renames
request ids (HTTP clients reuse them) and maps answers back; a request's
answer and the notifications sent while it runs go back as an SSE stream;
subscriptions/listen streams its tagged notifications until the client
leaves. It adds no MCP logic of its own: everything MCP is switchboard's.
Only loopback Host and Origin are accepted (DNS rebinding)."""
import http.server
import itertools
import json
import queue
import socketserver
import subprocess
import sys
import os
import threading

BIN, PORTFILE = sys.argv[1], sys.argv[2]
proc = subprocess.Popen([BIN] + (sys.argv[3:] or ["serve"]), stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE)
lock = threading.Lock()
waiting = {}     # bridge id -> queue of messages for that request
listening = {}   # bridge id of a subscriptions/listen -> queue
ids = itertools.count(1)
current = [None]  # the bridge id of the request whose notifications arrive now


def reader():
    for line in proc.stdout:
        msg = json.loads(line)
        with lock:
            if "id" in msg and "method" not in msg:
                q = waiting.get(msg["id"]) or listening.get(msg["id"])
            else:
                sub = msg.get("params", {}).get("_meta", {}).get(
                    "io.modelcontextprotocol/subscriptionId")
                if sub is not None:
                    q = listening.get(sub)
                else:  # progress and log lines: the request they belong to
                    tok = msg.get("params", {}).get("progressToken")
                    q = waiting.get(tok) if tok in waiting else None
                    if q is None and len(waiting) == 1:
                        q = next(iter(waiting.values()))
        if q:
            q.put(msg)
    for q in list(waiting.values()) + list(listening.values()):
        q.put(None)


def loopback(value):
    host = value.split("://")[-1].split("/")[0].rsplit(":", 1)[0].strip("[]")
    return host in ("127.0.0.1", "localhost", "::1")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        if os.environ.get("BRIDGE_LOG"):
            sys.stderr.write("bridge: " + fmt % a + "\n")

    def plain(self, status, body=b"", ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.plain(405, b"", "text/plain")

    def do_DELETE(self):
        self.plain(405, b"", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)  # read it all, so a refusal keeps the connection usable
        origin = self.headers.get("Origin")
        if not loopback(self.headers.get("Host", "")) or (origin and not loopback(origin)):
            body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": "forbidden Host or Origin"}}).encode()
            self.plain(403, body)
            return
        try:
            msg = json.loads(raw)
        except ValueError:
            self.plain(400, json.dumps({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32700, "message": "parse error"}}).encode())
            return
        if not isinstance(msg, dict) or "id" not in msg or "method" not in msg:
            if isinstance(msg, dict) and msg.get("method") == "notifications/cancelled":
                pass  # ids were renamed: a cancel cannot be mapped simply
            else:
                self.write(msg)
            self.plain(202, b"", "text/plain")
            return
        meta = msg.get("params", {}).get("_meta", {}) if isinstance(msg.get("params"), dict) else {}
        version = meta.get("io.modelcontextprotocol/protocolVersion") if isinstance(meta, dict) else None
        header = self.headers.get("MCP-Protocol-Version")
        if version is not None and header != version:
            # Streamable HTTP (2026-07-28): the header must repeat _meta's version.
            self.plain(400, json.dumps({"jsonrpc": "2.0", "id": msg["id"], "error": {
                "code": -32020, "message": "MCP-Protocol-Version header does not match _meta"}}).encode())
            return
        their = msg["id"]
        mine = next(ids)
        q = queue.Queue()
        listen = msg["method"] == "subscriptions/listen"
        with lock:
            (listening if listen else waiting)[mine] = q
        token = msg.get("params", {}).get("_meta", {}).get("progressToken")
        msg = dict(msg, id=mine)
        if token is not None:
            with lock:
                waiting.setdefault(token, q)
        self.write(msg)
        first = q.get()
        if first is not None and "method" not in first:
            # The answer alone: plain JSON, with the HTTP status the
            # 2026-07-28 binding gives an error (400, or 404 for a method).
            first["id"] = their
            if isinstance(first.get("result"), dict):
                self.fix_sub(first["result"].get("_meta", {}), mine, their)
            code = first.get("error", {}).get("code")
            modern = version is not None or header == "2026-07-28"
            status = 200 if code is None or not modern else 404 if code == -32601 else \
                400 if code in (-32602, -32020, -32021, -32022, -32600) else 200
            with lock:
                (listening if listen else waiting).pop(mine, None)
            self.plain(status, json.dumps(first).encode())
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            while True:
                out, first = (first, None) if first is not None else (q.get(), None)
                if out is None:
                    break
                meta = out.get("params", {}).get("_meta", {}) if "method" in out else \
                    out.get("result", {}).get("_meta", {}) if isinstance(out.get("result"), dict) else {}
                self.fix_sub(meta, mine, their)
                if "method" not in out:
                    out["id"] = their
                self.wfile.write(b"data: " + json.dumps(out).encode() + b"\n\n")
                self.wfile.flush()
                if "method" not in out:
                    break
        except OSError:
            if listen:
                self.write({"jsonrpc": "2.0", "method": "notifications/cancelled",
                            "params": {"requestId": mine}})
        finally:
            with lock:
                (listening if listen else waiting).pop(mine, None)
                if token is not None and waiting.get(token) is q:
                    waiting.pop(token)
        self.close_connection = True

    @staticmethod
    def fix_sub(meta, mine, their):
        if isinstance(meta, dict) and meta.get("io.modelcontextprotocol/subscriptionId") == mine:
            meta["io.modelcontextprotocol/subscriptionId"] = their

    def write(self, msg):
        with lock:
            proc.stdin.write(json.dumps(msg).encode() + b"\n")
            proc.stdin.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


threading.Thread(target=reader, daemon=True).start()
srv = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    pass
finally:
    proc.stdin.close()
    proc.wait(10)
