#!/usr/bin/env python3
"""bench.py - switchboard's performance report (`make bench`); a report, never a pass/fail test.

A raw JSON-RPC client (no SDK in the way) drives build/switchboard against the
loopback stub vendor (tests/stub/stub.py) and prints, side by side with the
floors measured in the same run (tests/bench_floor.c) and the ratio to each:
  - cold start to the first tools/list at 12, 48, 96 and 204 connectors
    (synthetic copies of the built-in files), and in discovery mode, wall
    time and CPU; floor: a stdio JSON-RPC server with jansson that links and
    initialises libcurl (curl_global_init, a multi handle), run interleaved;
    the bare jansson echo beside it
  - peak RSS at 12 and 204 connectors
  - tools/call one at a time: p50/p99 and server CPU per call; floor: a
    minimal C MCP proxy making the same GET (and the GET alone, bench_curl.c)
  - 1/16/64/256 calls in flight to a vendor that answers after 200 ms
    (tests/stub/delaystub.py: one asyncio loop, so the vendor is not the limit)
  - webhooks serve: signed Stripe deliveries (verify + store) from 1 and 8
    connections at once (the load from bench_floor hooks, in C)
  - a signed Stripe webhook delivery: the listener's answer time, and the time
    until a subscribed MCP client gets notifications/resources/updated
  - tools/call over serve --http (one kept connection, and 16 clients at
    once), against the same over stdio
  - replicas: tools/call over HTTP through HAProxy (round-robin) to 1 and 3
    `serve --http` replicas, the store on sqlite (one WAL file) and on
    PostgreSQL, against a vendor stub HAProxy serves itself (so the stub is
    not what is measured); signed deliveries to 1 and 3 `webhooks serve`
    replicas behind HAProxy into one PostgreSQL (load: bench_floor, in C)
"""
import argparse
import hashlib
import hmac
import json
import os
import platform
import resource
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
        """CPU seconds the server's live threads have run so far, to the
        nanosecond (schedstat; /proc/PID/stat counts 10 ms ticks)."""
        total = 0
        for t in os.listdir(f"/proc/{self.p.pid}/task"):
            try:
                with open(f"/proc/{self.p.pid}/task/{t}/schedstat") as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass  # a thread that just ended
        return total / 1e9

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


def row(what, ours, floor, unit, note=""):
    """One line of the report: switchboard, its floor, the ratio."""
    ratio = f"{ours / floor:5.2f}x" if floor else "     -"
    fl = f"{floor:10.1f}" if floor else "         -"
    print(f"  {what:<52} {ours:10.1f} {fl} {unit:<6} {ratio}  {note}")


def header(title):
    print(f"\n{title}")
    print(f"  {'':<52} {'switchbd':>10} {'floor':>10} {'unit':<6} {'ratio':>6}")


def synthetic_registry(tmp, copies):
    """copies x the built-in connectors under new slugs, in a folder of their own;
    written once, so later starts find them unchanged (as a user's files are) and
    serve's outlines of them (made once a file is two seconds old) apply."""
    src = os.path.join(ROOT, "capabilities")
    d = os.path.join(tmp, f"caps-{copies}")
    files = sorted(f for f in os.listdir(src) if f.endswith(".json") and not f.startswith("_"))
    if os.path.isdir(d):
        return d, len(files) * copies
    os.makedirs(d)
    n = 0
    for k in range(1, copies):
        for f in files:
            doc = json.load(open(os.path.join(src, f)))
            doc["slug"] = f"{doc['slug']}{k}"
            doc["name"] = f"{doc['name']} {k}"
            with open(os.path.join(d, f"{doc['slug']}.json"), "w") as out:
                json.dump(doc, out)
            n += 1
    return d, len(files) * copies


def cold_start(binary, env, args, runs=5, floor=None):
    """Median ms from spawn to the first tools/list answer, tool count, bytes,
    RSS KiB, and median CPU ms (user + system, spawn to exit, getrusage). With
    floor (binary, args), the floor runs interleaved with these runs, and its
    median wall and CPU ms follow."""
    times, rss, cpu, ftimes, fcpu = [], [], [], [], []
    ntools = nbytes = 0
    for _ in range(runs):
        for b, a, t_out, c_out in ((binary, args, times, cpu),) + (((floor[0], floor[1], ftimes, fcpu),)
                                                                    if floor else ()):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            s = Server(b, env, a)
            s.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                  "clientInfo": {"name": "bench", "version": "0"}})
            m, n = s.call("tools/list")
            t_out.append((time.perf_counter() - t0) * 1000)
            if b == binary:
                rss.append(s.peak_rss_kib())
                ntools, nbytes = len(m["result"]["tools"]), n
            s.close()
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            c_out.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
    med = statistics.median
    out = (med(times), ntools, nbytes, med(rss), med(cpu))
    return out + ((med(ftimes), med(fcpu)) if floor else ())


def in_flight(s, n, tool="stripe_products_list"):
    """Wall ms for n calls sent at once to the 200 ms endpoint."""
    t0 = time.perf_counter()
    ids = {s.send("tools/call", {"name": tool, "arguments": {}}) for _ in range(n)}
    while ids:
        m, _ = s.recv()
        if "result" in m:
            assert not m["result"].get("isError"), m
        ids.discard(m.get("id"))
    return (time.perf_counter() - t0) * 1000


def bench_webhooks(binary, floor, env, tmp, n):
    """Signed Stripe deliveries to webhooks serve (verify + store, each a new
    event), from 1 and from 8 connections at once (bench_floor hooks, in C, so
    the client is not what is measured)."""
    secret = "whsec_bench"
    subprocess.run([binary, "connections", "add", "stripe", "--name", "bench", "--secret-stdin"],
                   input=json.dumps({"api_key": "sk_test_bench", "webhook_secret": secret}).encode(),
                   env=env, check=True, stdout=subprocess.DEVNULL)
    portfile = os.path.join(tmp, "hooks-port")
    p = subprocess.Popen([binary, "webhooks", "serve", "--listen", "127.0.0.1:0", "--port-file", portfile],
                         env=env, stderr=subprocess.DEVNULL)
    while not (os.path.exists(portfile) and open(portfile).read().strip()):
        time.sleep(0.02)
    url = f"http://127.0.0.1:{int(open(portfile).read())}/hooks/stripe/bench"
    res = {}
    for clients in (1, 8):
        out = subprocess.run([floor, "hooks", url, secret, str(n), str(clients)],
                             capture_output=True, text=True, check=True).stdout.split("\n")
        lat = [int(x) for x in out if x and not x.startswith("wall_us")]
        wall = int([x for x in out if x.startswith("wall_us")][0].split()[1]) / 1e6
        res[clients] = (pct(lat, 50), pct(lat, 99), len(lat) / wall)
    p.terminate()
    p.wait(10)
    header(f"webhooks serve: signed Stripe deliveries, verified and stored ({n} each; "
           f"floor: the sequential rate x clients)")
    row("1 client: p50 latency", res[1][0], 0, "us")
    row("1 client: p99 latency", res[1][1], 0, "us")
    row("1 client: deliveries/s", res[1][2], 0, "/s")
    row("8 clients: p50 latency", res[8][0], 0, "us")
    row("8 clients: deliveries/s", res[8][2], res[1][2], "/s",
        f"(goal: >= 3x sequential, each fdatasync'd)")


def bench_http(binary, env, tmp, calls):
    """tools/call over serve --http: one client on a kept connection, then 16
    clients at once (a thread each), against one stdio client."""
    import http.client
    import threading
    params = {"name": "stripe_customers_list", "arguments": {"limit": 3}}
    s = Server(binary, env, ["--connectors", "stripe", "--mode", "static", "serve"])
    s.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "bench", "version": "0"}})
    for _ in range(20):
        s.call("tools/call", params)
    stdio = []
    cpu0 = s.cpu_s()
    for _ in range(calls):
        t0 = time.perf_counter()
        s.call("tools/call", params)
        stdio.append((time.perf_counter() - t0) * 1e6)
    stdio_cpu = (s.cpu_s() - cpu0) / calls * 1e6
    s.close()

    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}}
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": dict(params, _meta=meta)}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call",
               "Mcp-Name": params["name"]}

    def cpu_s(pid):
        """As Server.cpu_s: every live thread's CPU, to the nanosecond."""
        total = 0
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass
        return total / 1e9

    def serve(audit):
        portfile = os.path.join(tmp, f"http-port-{audit}")
        p = subprocess.Popen([binary, "--connectors", "stripe", "--mode", "static", "serve",
                              "--http", "127.0.0.1:0", "--port-file", portfile],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=dict(env, SWITCHBOARD_AUDIT=audit))
        while not (os.path.exists(portfile) and open(portfile).read().strip()):
            time.sleep(0.02)
        return p, int(open(portfile).read())

    def client(port, n, out):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(n):
            t0 = time.perf_counter()
            c.request("POST", "/mcp", body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            assert r.status == 200 and b"structuredContent" in data, data[:300]
            out.append((time.perf_counter() - t0) * 1e6)
        c.close()

    def one_client(port, pid):
        """Latencies and server CPU per call of one client, one connection."""
        client(port, 20, [])
        out = []
        cpu0 = cpu_s(pid)
        client(port, calls, out)
        return out, (cpu_s(pid) - cpu0) / calls * 1e6

    # The audit log is on over HTTP by default, off over stdio: the same
    # work is measured too (audit off), so the transport's own cost shows.
    p, port = serve("off")
    _, http_cpu_off = one_client(port, p.pid)
    p.terminate()
    p.wait(15)
    p, port = serve("on")
    one, http_cpu = one_client(port, p.pid)
    many, threads = [], []
    t0 = time.perf_counter()
    for _ in range(16):
        threads.append(threading.Thread(target=client, args=(port, max(calls // 16, 10), many)))
        threads[-1].start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    p.terminate()
    p.wait(15)
    header(f"tools/call stripe_customers_list over serve --http ({calls} calls; floor: the "
           "same over stdio)")
    row("1 client, kept connection: latency p50", pct(one, 50), pct(stdio, 50), "us")
    row("1 client, kept connection: latency p99", pct(one, 99), pct(stdio, 99), "us")
    row("1 client: server CPU per call", http_cpu, stdio_cpu, "us")
    row("1 client: server CPU per call, audit log off", http_cpu_off, stdio_cpu, "us",
        "(as stdio)")
    row("16 clients at once: latency p50", pct(many, 50), pct(stdio, 50), "us")
    row("16 clients at once: calls/s", len(many) / wall, 1e6 / pct(stdio, 50), "/s")
def bench_replicas(binary, floor, env, tmp, n):
    """tools/call and webhook deliveries through HAProxy to 1 and 3 replicas."""
    sys.path.insert(0, os.path.join(ROOT, "tests/lib"))
    from replicas import HAProxy, Replica, free_port
    import shutil
    cluster = os.path.join(ROOT, "tests/pg/cluster.sh")
    if not shutil.which("haproxy"):
        print("\nreplicas: skipped (haproxy is not installed: tests/deps.sh --install test)")
        return
    customers = json.dumps({"object": "list", "url": "/v1/customers", "has_more": False,
                            "data": [{"id": f"cus_{i}", "object": "customer",
                                      "email": f"c{i}@example.com"} for i in range(3)]})
    vport = free_port()
    vcfg = os.path.join(tmp, "vendor.cfg")
    with open(vcfg, "w") as f:
        f.write("global\n    maxconn 4096\ndefaults\n    mode http\n    timeout client 30s\n"
                f"frontend vendor\n    bind 127.0.0.1:{vport}\n"
                "    http-request return status 200 content-type application/json "
                f"string '{customers}'\n")
    vendor = subprocess.Popen(["haproxy", "-db", "-f", vcfg], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    pgdir = tempfile.mkdtemp(prefix="sbbenchpg-")
    try:
        replicas_run(binary, floor, env, tmp, n, vport, cluster, pgdir, HAProxy, Replica)
    finally:  # nothing left running, whatever failed
        subprocess.run(["sh", cluster, "stop", pgdir], check=False)
        vendor.terminate()
        vendor.wait()


def replicas_run(binary, floor, env, tmp, n, vport, cluster, pgdir, HAProxy, Replica):
    pg = subprocess.run(["sh", cluster, "start", pgdir], capture_output=True).returncode == 0
    stores = [("sqlite", os.path.join(tmp, "replicas.db"))]
    if pg:
        subprocess.run(["sh", cluster, "createdb", pgdir, "sb"], check=True)
        stores.append(("postgres", subprocess.run(["sh", cluster, "url", pgdir, "sb"],
                                                  capture_output=True, text=True).stdout.strip()))
    clients = 16
    header(f"tools/call over HTTP through HAProxy, {n} calls from {clients} connections "
           "(floor: 1 replica)")
    for kind, store in stores:
        e = dict(env, SWITCHBOARD_STORE=store)
        for k in ("STRIPE_API_KEY", "STRIPE_BASE_URL"):
            e.pop(k, None)
        subprocess.run([binary, "connections", "add", "stripe", "--name", "bench", "--secret-stdin",
                        "--no-test", "--set", f"base_url=http://127.0.0.1:{vport}"],
                       input=b"sk_test_bench", env=e, check=True, stdout=subprocess.DEVNULL)
        one = None
        for nrep in (1, 3):
            reps = [Replica([binary, "--connectors", "stripe", "--mode", "static", "serve"], e,
                            os.path.join(tmp, f"{kind}-r{i}.err"), f"r{i}") for i in range(nrep)]
            lb = HAProxy([r.port for r in reps], tmp)
            url = f"http://127.0.0.1:{lb.port}/mcp"
            subprocess.run([floor, "mcp", url, "stripe_customers_list", "200", str(clients)],
                           capture_output=True, check=True)  # warm up
            out = subprocess.run([floor, "mcp", url, "stripe_customers_list", str(n), str(clients)],
                                 capture_output=True, text=True)
            lines = out.stdout.split("\n")
            lat = [int(x) for x in lines if x and not x.startswith("wall_us")]
            wall = int([x for x in lines if x.startswith("wall_us")][0].split()[1]) / 1e6
            rate = len(lat) / wall
            note = "" if out.returncode == 0 else f"({out.stderr.strip()})"
            row(f"{kind}, {nrep} replica{'s' if nrep > 1 else ''}: calls/s", rate,
                one if nrep > 1 else 0, "/s", note)
            row(f"{kind}, {nrep} replica{'s' if nrep > 1 else ''}: p50 / p99 latency",
                pct(lat, 50) / 1000, 0, "ms", f"p99 {pct(lat, 99) / 1000:.1f} ms")
            one = one or rate
            lb.stop()
            for r in reps:
                r.stop()
    print(f"  ({os.cpu_count()} cores shared by the load, HAProxy, the replicas and the store: "
          "more replicas than cores adds no throughput here)")
    if pg:
        e = dict(env, SWITCHBOARD_STORE=stores[1][1])
        secret = "whsec_bench"
        subprocess.run([binary, "connections", "add", "stripe", "--name", "hooks", "--secret-stdin",
                        "--no-test"], input=json.dumps({"api_key": "sk_test_bench",
                                                        "webhook_secret": secret}).encode(),
                       env=e, check=True, stdout=subprocess.DEVNULL)
        header(f"signed Stripe deliveries through HAProxy into one PostgreSQL ({n} from 8 "
               "connections; floor: 1 replica)")
        one = None
        for nrep in (1, 3):
            procs, ports = [], []
            for i in range(nrep):
                pf = os.path.join(tmp, f"hooks{nrep}-{i}.port")
                procs.append(subprocess.Popen([binary, "webhooks", "serve", "--listen", "127.0.0.1:0",
                                               "--port-file", pf], env=e, stderr=subprocess.DEVNULL))
                while not (os.path.exists(pf) and open(pf).read().strip()):
                    time.sleep(0.02)
                ports.append(int(open(pf).read()))
            lb = HAProxy(ports, tmp)
            out = subprocess.run([floor, "hooks", f"http://127.0.0.1:{lb.port}/hooks/stripe/hooks",
                                  secret, str(n), "8"], capture_output=True, text=True)
            lines = out.stdout.split("\n")
            lat = [int(x) for x in lines if x and not x.startswith("wall_us")]
            wall = int([x for x in lines if x.startswith("wall_us")][0].split()[1]) / 1e6
            rate = len(lat) / wall
            row(f"{nrep} webhooks serve replica{'s' if nrep > 1 else ''}: deliveries/s", rate,
                one if nrep > 1 else 0, "/s",
                f"p50 {pct(lat, 50) / 1000:.1f} ms, p99 {pct(lat, 99) / 1000:.1f} ms"
                + ("" if out.returncode == 0 else f" ({out.stderr.strip()})"))
            one = one or rate
            lb.stop()
            for p in procs:
                p.terminate()
                p.wait(10)
    else:
        print("\n  PostgreSQL rows skipped: no PostgreSQL (tests/deps.sh --install test)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--deliveries", type=int, default=2000)
    ap.add_argument("--only-webhooks", action="store_true")
    ap.add_argument("--only-http", action="store_true")
    ap.add_argument("--only-replicas", action="store_true")
    a = ap.parse_args()
    binary = os.path.join(ROOT, a.build, "switchboard")
    floor = os.path.join(ROOT, a.build, "bench_floor")
    tmp = tempfile.mkdtemp(prefix="sbbench-")
    customers = {"object": "list", "url": "/v1/customers", "has_more": False,
                 "data": [{"id": f"cus_{i}", "object": "customer", "email": f"c{i}@example.com"}
                          for i in range(3)]}
    stub, url = start_stub(tmp, [
        {"method": "GET", "path": "/v1/customers", "replies": [{"status": 200, "json": customers}]},
    ])
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp + "/config", XDG_DATA_HOME=tmp + "/data",
               XDG_CACHE_HOME=tmp + "/cache",
               SWITCHBOARD_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
               STRIPE_API_KEY="sk_test_bench", STRIPE_BASE_URL=url)
    print(f"switchboard bench, {time.strftime('%Y-%m-%d %H:%M')}: {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.platform()}")
    print("a report, not a test: shared machines are noisy; compare ratios from one run")
    if a.only_http:
        bench_http(binary, env, tmp, a.calls)
        stub.terminate()
        stub.wait()
        return
    if a.only_replicas:
        bench_replicas(binary, floor, env, tmp, a.calls * 4)
        stub.terminate()
        stub.wait()
        return
    if a.only_webhooks:
        bench_webhooks(binary, floor, env, tmp, a.deliveries)
        stub.terminate()
        stub.wait()
        return

    # Cold start: spawn, initialize, first tools/list; the floor answers both at once.
    everything = ["--all", "--mode", "static", "--page-size", "100000", "serve"]
    echo = os.path.join(ROOT, a.build, "bench_echo")
    fl = (floor, ["echo"])
    fl_ms, _, _, fl_rss, fl_cpu = cold_start(floor, env, ["echo"])
    bare_ms, _, _, _, bare_cpu = cold_start(echo, env, ["echo"])
    header("cold start to the first tools/list answer (median of 5, each run beside a floor run)")
    print("  floor: a stdio JSON-RPC server (jansson) linked with libcurl and OpenSSL, after\n"
          "  curl_global_init(CURL_GLOBAL_DEFAULT) (OpenSSL initialised, its config read) and\n"
          "  curl_multi_init, as a server calling https vendors starts; tools/list: no tools")
    print(f"  (the bare jansson echo, no libcurl: {bare_ms:.1f} ms, CPU {bare_cpu:.1f} ms; the floor "
          f"alone: {fl_ms:.1f} ms, CPU {fl_cpu:.1f} ms)")
    sizes = {}
    for copies in (1, 4, 8, 17):
        args = everything
        if copies > 1:
            d, _ = synthetic_registry(tmp, copies)
            args = ["--capabilities", d] + everything
        ms, ntools, nbytes, rss, cpu, f_ms, f_cpu = cold_start(binary, env, args, floor=fl)
        sizes[copies] = (ntools, nbytes, rss)
        row(f"{12 * copies} connectors, {ntools} tools, every tool listed", ms, f_ms, "ms",
            f"{ms / ntools * 1000:.0f} us/tool")
        if copies == 1:
            row("  the same, CPU (user + system, to exit)", cpu, f_cpu, "ms")
    ms, ntools, _, _, cpu, f_ms, f_cpu = cold_start(binary, env, ["serve"], floor=fl)
    row(f"default: the Stripe key in the environment ({ntools} tools)", ms, f_ms, "ms", "(goal: within 2x)")
    row("  the same, CPU (user + system, to exit)", cpu, f_cpu, "ms")
    ms, ntools, _, _, cpu, f_ms, f_cpu = cold_start(binary, env, ["--all", "serve"], floor=fl)
    row(f"12 connectors, --all, auto mode ({ntools} tools: featured + meta)", ms, f_ms, "ms", "(goal: within 2x)")
    row("  the same, CPU (user + system, to exit)", cpu, f_cpu, "ms")
    for copies in (4, 8, 17):
        ms, ntools, _, rss_d, _, f_ms, _ = cold_start(
            binary, env, ["--capabilities", synthetic_registry(tmp, copies)[0], "--all", "--mode", "discover",
                          "serve"], floor=fl)
        row(f"{12 * copies} connectors, discovery mode ({ntools} meta-tools)", ms, f_ms, "ms")
    header("memory: peak RSS (floor: the floor server of the cold start)")
    row(f"12 connectors, {sizes[1][0]} tools listed", sizes[1][2] / 1024, fl_rss / 1024, "MiB")
    row(f"204 connectors, {sizes[17][0]} tools listed", sizes[17][2] / 1024, fl_rss / 1024, "MiB")
    row("204 connectors, discovery mode", rss_d / 1024, fl_rss / 1024, "MiB")
    print(f"  tools/list of the 12 built-in connectors: {sizes[1][0]} tools, {sizes[1][1]} bytes, "
          f"{sizes[1][1] / max(sizes[1][0], 1):.0f} bytes/tool")

    # One call at a time: switchboard against a minimal C MCP proxy making the same GET.
    params = {"name": "stripe_customers_list", "arguments": {"limit": 3}}

    def one_call(s, lat):
        t0 = time.perf_counter()
        r, _ = s.call("tools/call", params)
        lat.append((time.perf_counter() - t0) * 1e6)
        assert "structuredContent" in r["result"], r

    s = Server(binary, env, ["--connectors", "stripe", "--mode", "static", "serve"])
    s.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "bench", "version": "0"}})
    f = Server(floor, env, ["proxy", url + "/v1/customers?limit=3"])
    for _ in range(20):
        s.call("tools/call", params)
        f.call("tools/call", params)
    # Blocks of 50 calls, switchboard's and the floor's in turn, so both see
    # the same machine (a shared one is noisy). A server waiting for its
    # next line uses no CPU, so each one's CPU over the whole run (/proc) is
    # that of its own calls.
    lat_s, lat_f = [], []
    c0_s, c0_f = s.cpu_s(), f.cpu_s()
    for _ in range(max(1, a.calls // 50)):
        for srv, lat in ((s, lat_s), (f, lat_f)):
            for _ in range(50):
                one_call(srv, lat)
    cpu_s, cpu_f = s.cpu_s() - c0_s, f.cpu_s() - c0_f
    ours = (pct(lat_s, 50), pct(lat_s, 99), cpu_s / len(lat_s) * 1e6)
    theirs = (pct(lat_f, 50), pct(lat_f, 99), cpu_f / len(lat_f) * 1e6)
    f.close()
    bench_curl = os.path.join(ROOT, a.build, "bench_curl")
    out = subprocess.run([bench_curl, url + "/v1/customers?limit=3", str(a.calls)],
                         capture_output=True, text=True, check=True).stdout.split()
    direct = [int(x) for x in out[20:]]
    header(f"tools/call stripe_customers_list, one at a time ({a.calls} calls; floor: a "
           "minimal C MCP proxy, jansson + libcurl)")
    row("latency p50", ours[0], theirs[0], "us", f"(the GET alone with libcurl: {pct(direct, 50):.0f} us)")
    row("latency p99", ours[1], theirs[1], "us")
    row("server CPU per call", ours[2], theirs[2], "us", "(goal: within 1.3x)")

    s.close()

    header("calls in flight at once, vendor answers each after 200 ms (floor: the same GETs "
           "at once through one libcurl multi; the ideal is 200 ms)")
    portfile = os.path.join(tmp, "delay-port")
    slow = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/stub/delaystub.py"),
                             "--port-file", portfile, "--delay-ms", "200"])
    while not os.path.exists(portfile):
        time.sleep(0.02)
    slow_url = "http://127.0.0.1:" + open(portfile).read()
    s = Server(binary, dict(env, STRIPE_BASE_URL=slow_url),
               ["--connectors", "stripe", "--mode", "static", "serve"])
    s.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "bench", "version": "0"}})
    for n in (1, 16, 64, 256):
        ours = in_flight(s, n)
        fl = int(subprocess.run([floor, "get", slow_url + "/v1/products", str(n)], capture_output=True,
                                text=True, check=True).stdout) / 1000
        row(f"{n} calls, wall time", ours, fl, "ms")
    print(f"  peak RSS of that server: {s.peak_rss_kib() / 1024:.1f} MiB")
    s.close()
    slow.terminate()
    slow.wait()
    bench_http(binary, env, tmp, a.calls)
    bench_webhooks(binary, floor, env, tmp, a.deliveries)
    stub.terminate()
    stub.wait()
    bench_events(binary, env, tmp)
    bench_replicas(binary, floor, env, tmp, a.calls * 4)


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
