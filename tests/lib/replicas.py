"""replicas.py - several switchboard server processes on one store, for the
replica cases and the benchmark (standard library only; tests/run.py puts
tests/lib on PYTHONPATH).

    r = StdioReplica([binary, "serve"], env, "/tmp/x/r0.err")
    msg = r.request("tools/call", {"name": ..., "arguments": {...}})
    pool = Pool([r0, r1, r2])          # round-robin over the live ones
    pool.request(...)                  # raises Down when every one is gone

Calls from many threads at once are fine: each replica has one reader thread
that hands every answer to the caller waiting for its id. A replica that dies
(kill -9) fails its waiting calls and later ones with Down.
"""
import itertools
import json
import subprocess
import threading


class Down(Exception):
    """The replica went away with the call in flight."""


class Refused(Down):
    """The replica was gone before the call was sent (a load balancer would
    send it to another)."""


class StdioReplica:
    def __init__(self, argv, env, stderr_path, name="replica"):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(stderr_path, "w"), env=env)
        self.lock = threading.Lock()
        self.waiting = {}  # id -> [Event, message]
        self.ids = itertools.count(1)
        self.dead = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        init = self.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                           "clientInfo": {"name": "replicas", "version": "1"}})
        if "result" not in init:
            raise SystemExit(f"{name}: initialize: {init}")
        self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def _read(self):
        for line in self.proc.stdout:
            msg = json.loads(line)
            with self.lock:
                w = self.waiting.pop(msg.get("id"), None) if "method" not in msg else None
            if w:
                w[1] = msg
                w[0].set()
        with self.lock:
            self.dead = True
            for w in self.waiting.values():
                w[0].set()
            self.waiting.clear()

    def _send(self, msg):
        data = json.dumps(msg).encode() + b"\n"
        with self.lock:
            if self.dead:
                raise Refused(self.name)
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                self.dead = True
                raise Refused(self.name)

    def request(self, method, params=None, timeout=30):
        """The answer to one request (a result or an error message); Down
        when the replica is gone before it answers."""
        rid = next(self.ids)
        w = [threading.Event(), None]
        with self.lock:
            self.waiting[rid] = w
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        try:
            self._send(msg)
        except Refused:
            with self.lock:
                self.waiting.pop(rid, None)
            raise
        if not w[0].wait(timeout):
            raise SystemExit(f"{self.name}: no answer to {method} in {timeout} s")
        if w[1] is None:
            raise Down(self.name)
        return w[1]

    def close(self, timeout=15):
        """EOF on stdin; the exit status (negative: the signal)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


class Pool:
    """Round-robin over replicas, passing over dead ones, as a load balancer
    with health checks would."""

    def __init__(self, replicas):
        self.replicas = replicas
        self.next = itertools.count()

    def request(self, method, params=None, timeout=30):
        """(answer, replica name); Down only when every replica is gone."""
        for _ in range(len(self.replicas)):
            r = self.replicas[next(self.next) % len(self.replicas)]
            if r.dead:
                continue
            try:
                return r.request(method, params, timeout), r.name
            except Refused:
                continue  # Down (in flight when it died) is the caller's to count
        raise Refused("every replica")
