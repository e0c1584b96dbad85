#!/usr/bin/env python3
"""stub.py - a scripted loopback vendor for switchboard's tests (standard library only).

    stub.py --script FILE --record FILE --port-file FILE [--done FILE]

Listens on 127.0.0.1 (a free port, written to --port-file once listening),
speaks HTTP/1.1 with keep-alive, and runs until SIGTERM.

The script is JSON:
  {"routes": [{"method": "GET",            (optional; any method when absent)
               "path": "/v1/customers",    (exact, or a regular expression when it starts with "~")
               "query": {"limit": "2"},    (optional subset that must match; a list for repeats)
               "replies": [reply, ...]}]}  (each request takes the next; the last repeats)
A reply:
  {"status": 200, "headers": {"Name": "value" or ["v1", "v2"]},
   "json": <any>, "text": "raw body",
   "size": N       (a body of exactly N bytes: a JSON array holding one long string),
   "delay_ms": 200, "drop": true (close the connection without answering),
   "chunked": false}
"$STUB_URL" in bodies and header values becomes http://127.0.0.1:PORT.
A script with "openapi" instead is a vendor generated from that spec, which
checks each request against it and can be misconfigured (specstub.py).
Unmatched requests get 404 {"error": "no route"}.

The most requests ever in flight at once (arrived, not yet answered) is
kept in the file --record names with "-max-in-flight" added, for cases
that check a client's concurrency limit.

Every request is appended to --record as one JSON line:
  {"method", "path", "query", "headers", "body", "raw_body"}
with header names lowercased and the ones that vary by client left out
(host, content-length, accept-encoding, connection, keep-alive, te, transfer-encoding).
With --done, each request whose reply has been sent (or dropped, or refused by
a client that hung up) appends {"method", "path"} to that file: what a test
waits on instead of sleeping past a delay_ms.
"""
import argparse
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UNRECORDED_HEADERS = {"host", "content-length", "accept-encoding", "connection", "keep-alive",
                      "te", "transfer-encoding"}
FILLER = b"abcdefghijklmnopqrstuvwxyz0123456789"
CHUNK = 65536


def multi_dict(pairs):
    """Ordered dict from (key, value) pairs; a repeated key collects a list."""
    out = {}
    for k, v in pairs:
        if k in out:
            if not isinstance(out[k], list):
                out[k] = [out[k]]
            out[k].append(v)
        else:
            out[k] = v
    return out


class Route:
    def __init__(self, spec):
        self.method = spec.get("method")
        path = spec.get("path", "~.*")
        self.regex = re.compile(path[1:]) if path.startswith("~") else None
        self.path = path
        self.query = spec.get("query") or {}
        self.replies = spec.get("replies") or [{"status": 200, "json": {}}]
        self.count = 0
        self.lock = threading.Lock()

    def matches(self, method, path, query):
        want = (self.method or "").upper()
        if want and want != method and not (want == "GET" and method == "HEAD"):
            return False
        if self.regex:
            if not self.regex.fullmatch(path):
                return False
        elif self.path != path:
            return False
        return all(query.get(k) == v for k, v in self.query.items())

    def next_reply(self):
        with self.lock:
            reply = self.replies[min(self.count, len(self.replies) - 1)]
            self.count += 1
        return reply


class Stub:
    def __init__(self, script, record, done=None):
        with open(script) as f:
            doc = json.load(f)
        self.routes = [Route(r) for r in doc.get("routes", [])]
        self.vendor = None
        if "openapi" in doc:
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import specstub
            self.vendor = specstub.SpecVendor(doc)
        self.record_path = record
        self.done_path = done
        self.record_lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0
        self.url = ""

    def enter(self):
        with self.record_lock:
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:
                self.max_in_flight = self.in_flight
                with open(self.record_path + "-max-in-flight", "w") as f:
                    f.write(f"{self.max_in_flight}\n")

    def leave(self):
        with self.record_lock:
            self.in_flight -= 1

    def record(self, entry, path=None):
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self.record_lock:
            with open(path or self.record_path, "a", encoding="utf-8") as f:
                f.write(line)
                f.flush()

    def find(self, method, path, query):
        for r in self.routes:
            if r.matches(method, path, query):
                return r
        return None


def parse_body(ctype, raw):
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    ctype = (ctype or "").lower()
    if "json" in ctype:
        try:
            return json.loads(text)
        except ValueError:
            return text
    if "application/x-www-form-urlencoded" in ctype:
        return multi_dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
    return text


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY the
    # second waits for a delayed ACK (about 40 ms per keep-alive request).
    disable_nagle_algorithm = True

    def version_string(self):
        return "stub/1"

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        stub = self.server.stub
        stub.enter()
        try:
            self.handle_counted()
        finally:
            stub.leave()

    def handle_counted(self):
        stub = self.server.stub
        url = urllib.parse.urlsplit(self.path)
        query = multi_dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        raw = self.read_body()
        headers = {}
        for k, v in self.headers.items():
            if k.lower() not in UNRECORDED_HEADERS:
                headers[k.lower()] = v
        stub.record({
            "method": self.command,
            "path": url.path,
            "query": query,
            "headers": headers,
            "body": parse_body(self.headers.get("Content-Type"), raw),
            "raw_body": raw.decode("utf-8", errors="replace"),
        })
        route = stub.find(self.command, url.path, query)
        if stub.vendor is not None and route is None:
            reply = stub.vendor.answer(self.command, url.path, query, headers, raw)
        elif route is None:
            reply = {"status": 404, "json": {"error": "no route", "method": self.command,
                                             "path": url.path}}
        else:
            reply = route.next_reply()
        try:
            self.send_reply(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        if stub.done_path:
            stub.record({"method": self.command, "path": url.path}, stub.done_path)

    def send_reply(self, reply):
        stub = self.server.stub
        if reply.get("delay_ms"):
            time.sleep(reply["delay_ms"] / 1000.0)
        if reply.get("drop"):
            self.close_connection = True
            return
        status = int(reply.get("status", 200))
        ctype = None
        size = None
        body = b""
        if "size" in reply:
            size = int(reply["size"])
            ctype = "application/json"
        elif "json" in reply:
            body = json.dumps(reply["json"]).replace("$STUB_URL", stub.url).encode()
            ctype = "application/json"
        elif "text" in reply:
            body = reply["text"].replace("$STUB_URL", stub.url).encode()
            ctype = "text/plain; charset=utf-8"
        no_body = self.command == "HEAD" or status in (204, 304) or status < 200
        chunked = bool(reply.get("chunked")) and not no_body
        length = size if size is not None else len(body)

        self.send_response(status)
        names = set()
        for k, v in (reply.get("headers") or {}).items():
            names.add(k.lower())
            for one in (v if isinstance(v, list) else [v]):
                self.send_header(k, str(one).replace("$STUB_URL", stub.url))
        if ctype and "content-type" not in names and length:
            self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif status >= 200 and status not in (204, 304):
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if no_body:
            return
        for piece in self.body_pieces(body, size):
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    @staticmethod
    def body_pieces(body, size):
        """The body in pieces; for "size", ["xxxx...x"] of exactly size bytes."""
        if size is None:
            for i in range(0, len(body), CHUNK):
                yield body[i:i + CHUNK]
            return
        if size < 4:
            yield b"[]  "[:size]
            return
        fill = FILLER * (CHUNK // len(FILLER) + 1)
        yield b'["'
        left = size - 4
        while left > 0:
            n = min(left, CHUNK)
            yield fill[:n]
            left -= n
        yield b'"]'

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many clients connect at once
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients hang up mid-reply on purpose (caps, cancels, timeouts).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="scripted loopback vendor for tests")
    ap.add_argument("--script", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--done")
    args = ap.parse_args()

    stub = Stub(args.script, args.record, args.done)
    server = Server(("127.0.0.1", 0), Handler)
    server.stub = stub
    port = server.server_address[1]
    stub.url = "http://127.0.0.1:%d" % port

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.1)
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
