#!/usr/bin/env python3
"""bench.py - switchboard's performance report (`make bench`); a report, never a pass/fail test.

A raw JSON-RPC client (no SDK in the way) drives build/switchboard against the
loopback stub vendor (tests/stub/stub.py) and prints:
  - cold start to the first tools/list answer, full registry loaded
  - tools/list size and latency
  - per-call latency p50/p99 and calls/s for a list call (sequential)
  - the same request made directly with libcurl (tests/bench_curl.c), so the
    server's own overhead shows as the difference
  - 64 concurrent calls to a vendor that answers after 200 ms (wall time)
  - peak RSS of the server
  - webhooks serve: signed Stripe deliveries (verify + store), p50/p99 and
    deliveries/s, sequential on one keep-alive connection and from 8 clients
  - a signed Stripe webhook delivery: the listener's answer time, and the time
    until a subscribed MCP client gets notifications/resources/updated
"""
import argparse
import hashlib
import hmac
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self, binary, env, args):
        self.p = subprocess.Popen([binary] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env)
        self.buf = b""
        self.next_id = 0

    def send(self, method, params=None):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.p.stdin.write(json.dumps(msg).encode() + b"\n")
        self.p.stdin.flush()
        return self.next_id

    def recv(self):
        while b"\n" not in self.buf:
            r, _, _ = select.select([self.p.stdout], [], [], 30)
            if not r:
                raise TimeoutError("no answer in 30 s")
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk:
                raise EOFError("server closed stdout")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line), len(line) + 1

    def call(self, method, params=None):
        i = self.send(method, params)
        while True:
            m, n = self.recv()
            if m.get("id") == i:
                return m, n

    def peak_rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def cpu_s(self):
        """User + system CPU seconds the server has used so far."""
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)


def start_stub(tmp, routes):
    script = os.path.join(tmp, "stub.json")
    with open(script, "w") as f:
        json.dump({"routes": routes}, f)
    portfile = os.path.join(tmp, "port")
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/stub/stub.py"), "--script", script,
                          "--record", os.path.join(tmp, "rec"), "--port-file", portfile],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (os.path.exists(portfile) and open(portfile).read().strip()):
        time.sleep(0.02)
    return p, "http://127.0.0.1:" + open(portfile).read().strip()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def bench_webhooks(binary, env, tmp, n):
    """Signed Stripe deliveries to webhooks serve, each a new event (so each
    is verified and written to the store, not deduplicated)."""
    import hashlib, hmac, http.client, threading
    secret = "whsec_bench"
    subprocess.run([binary, "connections", "add", "stripe", "--name", "bench", "--secret-stdin"],
                   input=json.dumps({"api_key": "sk_test_bench", "webhook_secret": secret}).encode(),
                   env=env, check=True, stdout=subprocess.DEVNULL)
    portfile = os.path.join(tmp, "hooks-port")
    p = subprocess.Popen([binary, "webhooks", "serve", "--listen", "127.0.0.1:0", "--port-file", portfile],
                         env=env, stderr=subprocess.DEVNULL)
    while not (os.path.exists(portfile) and open(portfile).read().strip()):
        time.sleep(0.02)
    port = int(open(portfile).read())
    counter = [0]
    lock = threading.Lock()

    def one(conn):
        with lock:
            counter[0] += 1
            i = counter[0]
        body = json.dumps({"id": f"evt_bench_{i}", "object": "event", "type": "customer.updated",
                           "data": {"object": {"id": f"cus_{i}", "object": "customer",
                                               "email": f"c{i}@example.com"}}}).encode()
        t = int(time.time())
        sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        t0 = time.perf_counter()
        conn.request("POST", "/hooks/stripe/bench", body,
                     {"Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        return (time.perf_counter() - t0) * 1e6

    c = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(20):
        one(c)
    lat = []
    t_all = time.perf_counter()
    for _ in range(n):
        lat.append(one(c))
    wall = time.perf_counter() - t_all
    print(f"webhooks serve, signed Stripe delivery (verify + store), sequential keep-alive: "
          f"p50 {pct(lat, 50):.0f} us, p99 {pct(lat, 99):.0f} us, {n / wall:.0f} deliveries/s "
          f"({n} deliveries)")
    lat8 = []

    def client(k):
        cc = http.client.HTTPConnection("127.0.0.1", port)
        mine = [one(cc) for _ in range(k)]
        with lock:
            lat8.extend(mine)

    threads = [threading.Thread(target=client, args=(n // 8,)) for _ in range(8)]
    t_all = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t_all
    print(f"webhooks serve, 8 concurrent clients: p50 {pct(lat8, 50):.0f} us, "
          f"p99 {pct(lat8, 99):.0f} us, {len(lat8) / wall:.0f} deliveries/s")
    p.terminate()
    p.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--deliveries", type=int, default=1000)
    ap.add_argument("--only-webhooks", action="store_true")
    a = ap.parse_args()
    binary = os.path.join(ROOT, a.build, "switchboard")
    tmp = tempfile.mkdtemp(prefix="sbbench-")
    customers = {"object": "list", "url": "/v1/customers", "has_more": False,
                 "data": [{"id": f"cus_{i}", "object": "customer", "email": f"c{i}@example.com"}
                          for i in range(3)]}
    stub, url = start_stub(tmp, [
        {"method": "GET", "path": "/v1/customers", "replies": [{"status": 200, "json": customers}]},
        {"method": "GET", "path": "/v1/products", "replies": [{"status": 200, "delay_ms": 200,
                                                               "json": {"object": "list", "data": [], "has_more": False}}]},
    ])
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp + "/config", XDG_DATA_HOME=tmp + "/data",
               SWITCHBOARD_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
               STRIPE_API_KEY="sk_test_bench", STRIPE_BASE_URL=url)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    if a.only_webhooks:
        bench_webhooks(binary, env, tmp, a.deliveries)
        stub.terminate()
        stub.wait()
        return

    # Cold start: spawn, initialize, first tools/list with every connector.
    starts = []
    for _ in range(5):
        t0 = time.perf_counter()
        s = Server(binary, env, ["--all", "--mode", "static", "--page-size", "100000", "serve"])
        s.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                              "clientInfo": {"name": "bench", "version": "0"}})
        m, nbytes = s.call("tools/list")
        starts.append((time.perf_counter() - t0) * 1000)
        ntools = len(m["result"]["tools"])
        lat = []
        for _ in range(20):
            t0 = time.perf_counter()
            s.call("tools/list")
            lat.append((time.perf_counter() - t0) * 1000)
        s.close()
    print(f"cold start to first tools/list: median {statistics.median(starts):.1f} ms (5 runs)")
    print(f"tools/list: {ntools} tools, {nbytes} bytes, {nbytes / max(ntools, 1):.0f} bytes/tool, "
          f"latency median {statistics.median(lat):.2f} ms")

    s = Server(binary, env, ["--connectors", "stripe", "--mode", "static", "serve"])
    s.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "bench", "version": "0"}})
    m, nbytes = s.call("tools/list")
    print(f"tools/list with one connector (stripe): {len(m['result']['tools'])} tools, {nbytes} bytes")
    params = {"name": "stripe_customers_list", "arguments": {"limit": 3}}
    for _ in range(20):
        s.call("tools/call", params)
    lat = []
    cpu0 = s.cpu_s()
    t_all = time.perf_counter()
    for _ in range(a.calls):
        t0 = time.perf_counter()
        r, _ = s.call("tools/call", params)
        lat.append((time.perf_counter() - t0) * 1e6)
        assert "structuredContent" in r["result"], r
    wall = time.perf_counter() - t_all
    cpu = (s.cpu_s() - cpu0) / a.calls * 1e6
    print(f"tools/call stripe_customers_list via server: p50 {pct(lat, 50):.0f} us, "
          f"p99 {pct(lat, 99):.0f} us, {a.calls / wall:.0f} calls/s ({a.calls} sequential calls), "
          f"server CPU {cpu:.0f} us/call")

    bench_curl = os.path.join(ROOT, a.build, "bench_curl")
    out = subprocess.run([bench_curl, url + "/v1/customers?limit=3", str(a.calls)],
                         capture_output=True, text=True, check=True).stdout.split()
    direct = [int(x) for x in out[20:]]
    print(f"same GET directly with libcurl:            p50 {pct(direct, 50):.0f} us, "
          f"p99 {pct(direct, 99):.0f} us")
    print(f"server overhead per call (p50 difference): {pct(lat, 50) - pct(direct, 50):.0f} us")

    # 64 concurrent calls to a vendor that answers after 200 ms.
    t0 = time.perf_counter()
    ids = set()
    for _ in range(64):
        ids.add(s.send("tools/call", {"name": "stripe_products_list", "arguments": {}}))
    while ids:
        m, _ = s.recv()
        ids.discard(m.get("id"))
    print(f"64 concurrent calls, vendor answers after 200 ms: wall {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"peak RSS of the server: {s.peak_rss_kib() / 1024:.1f} MiB")
    s.close()
    bench_webhooks(binary, env, tmp, a.deliveries)
    stub.terminate()
    stub.wait()
    bench_events(binary, env, tmp)


def bench_events(binary, env, tmp, n=30):
    """A delivery to `webhooks serve`, then a subscribed MCP server noticing it."""
    secret = "whsec_bench_secret"
    subprocess.run([binary, "connections", "add", "stripe", "--name", "hooks", "--secret-stdin"],
                   input=json.dumps({"api_key": "sk_test_bench", "webhook_secret": secret}).encode(),
                   env=env, check=True, stdout=subprocess.DEVNULL)
    portfile = os.path.join(tmp, "hooks.port")
    listener = subprocess.Popen([binary, "webhooks", "serve", "--listen", "127.0.0.1:0",
                                 "--port-file", portfile], env=env, stderr=subprocess.DEVNULL)
    while not (os.path.exists(portfile) and open(portfile).read().strip()):
        time.sleep(0.02)
    hook_url = f"http://127.0.0.1:{open(portfile).read().strip()}/hooks/stripe/hooks"
    s = Server(binary, env, ["--all", "serve"])
    s.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "bench", "version": "0"}})
    s.call("resources/subscribe", {"uri": "events://stripe/customers"})
    answer, notice = [], []
    for i in range(n):
        body = json.dumps({"id": f"evt_notify_{i}", "object": "event", "type": "customer.created",
                           "data": {"object": {"id": f"cus_{i}"}}}).encode()
        t = int(time.time())
        sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(hook_url, data=body, headers={
            "Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"})
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200, r.status
        answer.append((time.perf_counter() - t0) * 1000)
        while True:
            m, _ = s.recv()
            if m.get("method") == "notifications/resources/updated":
                break
        notice.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.05 + (i % 7) * 0.03)  # land at different points of the store watch
    print(f"signed Stripe delivery answered: p50 {pct(answer, 50):.1f} ms, p99 {pct(answer, 99):.1f} ms "
          f"({n} deliveries)")
    print(f"delivery to notifications/resources/updated: p50 {pct(notice, 50):.0f} ms, "
          f"max {max(notice):.0f} ms")
    s.close()
    listener.terminate()
    listener.wait()


if __name__ == "__main__":
    main()
