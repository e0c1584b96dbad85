"""replicas.py - several `switchboard serve --http` replicas on one store
behind a real HAProxy (round-robin, on loopback), for the replica cases and
the benchmark (standard library only; tests/run.py puts tests/lib on
PYTHONPATH).

    reps = [Replica([binary, "serve"], env, f"{tmp}/r{i}.err", f"r{i}") for i in range(3)]
    lb = HAProxy([r.port for r in reps], tmp)     # None when haproxy is missing
    c = Client(lb.port)                           # one keep-alive connection
    msg = c.call("tools/call", {"name": ..., "arguments": {...}})
    lb.stop(); [r.stop() for r in reps]

A replica that dies with a call in flight makes that call raise Down (HAProxy
answers 502 or 503); HAProxy's health checks and retries of refused
connections send later calls to the others.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time

VERSION = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "replicas", "version": "1"}}


class Down(Exception):
    """No answer: the replica went away with the call in flight."""


class Replica:
    """One `serve --http 127.0.0.1:0` process (argv ends with "serve")."""

    def __init__(self, argv, env, stderr_path, name="replica"):
        self.name = name
        self.err_path = stderr_path
        self.proc = subprocess.Popen(argv + ["--http", "127.0.0.1:0"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(stderr_path, "w"),
                                     env=env)
        self.port = None
        deadline = time.time() + 30
        while self.port is None:
            for line in open(stderr_path, errors="replace"):
                if line.startswith("switchboard: serving MCP on http://"):
                    self.port = int(line.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
            if self.port is None:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"{name} did not start: {self.stderr()[-2000:]}")
                time.sleep(0.05)

    def stderr(self):
        return open(self.err_path, errors="replace").read()

    def stop(self, timeout=15):
        """SIGTERM; the exit status (negative: the signal that ended it)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class HAProxy:
    """haproxy in the foreground with a generated config: round-robin over
    the ports, health checks every 200 ms, a refused connection retried on
    another replica. stats() reads per-replica request counts. It listens
    on a socket bound here and handed over (fd@), not on a port found free
    and bound later: another case could take that port in between."""

    def __new__(cls, *a, **k):
        return super().__new__(cls) if shutil.which("haproxy") else None

    def __init__(self, ports, tmp):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(512)
        self.port = listener.getsockname()[1]
        self.sock = os.path.join(tmp, "haproxy.sock")
        self.cfg = os.path.join(tmp, "haproxy.cfg")
        servers = "\n".join(f"    server r{i} 127.0.0.1:{p} check inter 200ms fall 1 rise 2"
                            for i, p in enumerate(ports))
        with open(self.cfg, "w") as f:
            f.write(f"""global
    maxconn 4096
    stats socket {self.sock} mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch 1
frontend mcp
    bind fd@{listener.fileno()}
    default_backend replicas
backend replicas
    balance roundrobin
{servers}
""")
        self.log = open(os.path.join(tmp, "haproxy.log"), "w")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", self.cfg], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     pass_fds=[listener.fileno()])
        listener.close()
        # Up when its stats say every replica is (health checks passed).
        deadline = time.time() + 20
        while True:
            try:
                status = self.stats("status")
                if len(status) == len(ports) and all(v == "UP" for v in status.values()):
                    break
            except (OSError, IndexError, ValueError):
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("haproxy did not start or see the replicas up: " +
                                 open(os.path.join(tmp, "haproxy.log")).read()[-3000:])
            time.sleep(0.05)

    def stats(self, column="stot"):
        """{server name: requests sent to it} (or another column of "show
        stat": status, say) from the stats socket."""
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.sock)
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
        lines = data.decode().splitlines()
        cols = lines[0].lstrip("# ").split(",")
        out = {}
        for line in lines[1:]:
            row = dict(zip(cols, line.split(",")))
            if row.get("pxname") == "replicas" and row.get("svname", "").startswith("r"):
                out[row["svname"]] = int(row.get("stot") or 0) if column == "stot" else row[column]
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Client:
    """One keep-alive HTTP connection to port, as one MCP client (2026-07-28,
    stateless): call() sends a request with the headers a client sends."""

    def __init__(self, port, timeout=30):
        self.port, self.timeout = port, timeout
        self.conn = None
        self.ids = 0

    def call(self, method, params=None):
        """The JSON-RPC answer; Down when there is none (HTTP 502/503, or
        the connection dropped)."""
        self.ids += 1
        p = dict(params or {})
        p["_meta"] = META
        body = json.dumps({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": p})
        h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
             "MCP-Protocol-Version": VERSION, "Mcp-Method": method}
        if method == "tools/call":
            h["Mcp-Name"] = p["name"]
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request("POST", "/mcp", body=body.encode(), headers=h)
            r = self.conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise Down(f"{type(e).__name__}: {e}")
        if r.status in (502, 503, 504):
            self.close()
            raise Down(f"HTTP {r.status}")
        if r.status != 200:
            raise SystemExit(f"{method}: HTTP {r.status} {data[:500]!r}")
        if r.getheader("Content-Type", "").startswith("text/event-stream"):
            msgs = [json.loads(l[5:]) for l in data.decode().splitlines() if l.startswith("data:")]
            return [m for m in msgs if "method" not in m][-1]
        return json.loads(data)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
