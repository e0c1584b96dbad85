#!/usr/bin/env python3
"""run.py - switchboard's test runner (standard library only).

    tests/run.py [--build DIR] [-j N] [--valgrind] [--postgres] [--cases DIR] [SUBSTRING...]

Runs every unit test binary (build/tests/test_*) and every data-driven case
under tests/cases/<NNNN-name>/, N at once (-j; default four per core, at
most 32: cases mostly wait on a server, a stub or a timeout, so one per core
leaves the machine idle; the slowest of the last run, remembered in DIR/test-times.json,
start first), prints the results in case order, then "N passed, N failed".
A failed case is printed with the last lines of what explains it (the
server's stderr, check.sh's output, the logs it wrote in $TMP, the diff of
expected and actual stdout), and its $TMP is kept in DIR/failed/<case>
(DIR/failed-postgres/<case> with --postgres; none with --cases).

Every process of a case gets stdin from the case (or /dev/null, never the
terminal), runs in a process group of its own, and carries SBTEST_RUN=$TMP in
its environment; whatever still runs a moment after the case ends is killed,
and the case fails naming it. PYTHONPATH holds tests/lib (mcpclient.py: an
MCP session for scripts).

A case folder holds one session with the server:
  args           command line after the binary (shell words); default: serve
  env            KEY=VALUE lines added to the environment ($STUB, $TMP, $CASE expand)
  setup.sh       run first with sh (BIN, TMP, STUB, CASE set); must exit 0
  in.jsonl       lines written to stdin; "#!wait ID" waits until the answer to
                 request ID has arrived, "#!wait-stub requests N" until the
                 stub has seen N requests, "#!wait-stub replies N" until it
                 has sent N replies (delay_ms included); "#!sleep S" pauses S
                 seconds (prefer a wait on the thing awaited)
  in.py          instead of in.jsonl: a script whose stdout is fed as stdin
  out.jsonl      expected stdout messages, compared as JSON (any order unless
                 a file "ordered" exists); see match() for the patterns
  out.txt        instead of out.jsonl: expected stdout text, exactly
  stub.json      a scripted loopback vendor (tests/stub/stub.py) for the case
  requests.jsonl expected requests the stub saw, in order, compared as JSON
  stderr         regular expressions that must each match somewhere in stderr
  stderr_not     regular expressions that must not match anywhere in stderr
                 (and no case may log a result that does not match its
                 tool's outputSchema)
  check.sh       run last with sh (stdout on stdin), within 180 s or timeout (a
                 sanitizer build on a loaded 2-core machine takes 3 times as
                 long as a plain one alone); must exit 0;
                 a line "skip: <reason>" on its stdout marks the case skipped; a
                 failing setup.sh or check.sh must say why on its output
  exit           expected exit status (default 0)
  sqlite_only    with --postgres: skip the case (the file says why: it reads
                 the sqlite file itself, say)
  timeout        seconds before the case is killed (default 20)

--postgres runs the cases on PostgreSQL: a throwaway cluster (tests/pg/
cluster.sh) for the run, a fresh database per case in SWITCHBOARD_STORE (and
$PGSTORE for setup.sh and check.sh); unit tests are not run then.
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def match(exp, act, path="$"):
    """Return None when act matches exp, else a message.

    Patterns inside expected JSON: "<any>" matches anything; "<string>",
    "<number>", "<object>", "<array>", "<bool>" match by type; a string
    starting with "~" is a regular expression searched in a string value;
    an object with "...": true allows extra keys; an array whose last
    element is "..." matches a prefix (at least the listed elements)."""
    if isinstance(exp, str):
        if exp == "<any>":
            return None
        types = {"<string>": str, "<number>": (int, float), "<object>": dict,
                 "<array>": list, "<bool>": bool}
        if exp in types:
            if isinstance(act, types[exp]) and not (exp == "<number>" and isinstance(act, bool)):
                return None
            return f"{path}: expected {exp}, got {json.dumps(act)[:200]}"
        if exp.startswith("~"):
            if isinstance(act, str) and re.search(exp[1:], act):
                return None
            return f"{path}: {json.dumps(act)[:300]} does not match /{exp[1:]}/"
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            return f"{path}: expected object, got {json.dumps(act)[:200]}"
        partial = exp.get("...") is True
        for k, v in exp.items():
            if k == "...":
                continue
            if k not in act:
                return f"{path}: missing key {k!r}"
            m = match(v, act[k], f"{path}.{k}")
            if m:
                return m
        if not partial:
            extra = [k for k in act if k not in exp]
            if extra:
                return f"{path}: unexpected keys {extra}"
        return None
    if isinstance(exp, list):
        if not isinstance(act, list):
            return f"{path}: expected array, got {json.dumps(act)[:200]}"
        prefix = bool(exp) and exp[-1] == "..."
        items = exp[:-1] if prefix else exp
        if (len(act) < len(items)) if prefix else (len(act) != len(items)):
            return f"{path}: expected {len(items)} items, got {len(act)}"
        for i, v in enumerate(items):
            m = match(v, act[i], f"{path}[{i}]")
            if m:
                return m
        return None
    if type(exp) is not type(act) and not (isinstance(exp, (int, float)) and isinstance(act, (int, float)) and not isinstance(act, bool)):
        return f"{path}: expected {json.dumps(exp)}, got {json.dumps(act)[:200]}"
    if exp != act:
        return f"{path}: expected {json.dumps(exp)}, got {json.dumps(act)[:200]}"
    return None


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                raise SystemExit(f"{path}:{n}: bad JSON: {e}")
    return out


def match_messages(expected, actual, ordered):
    if ordered:
        if len(expected) != len(actual):
            return f"expected {len(expected)} messages, got {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            m = match(e, a, f"message {i + 1}")
            if m:
                return m
        return None
    left = list(actual)
    for i, e in enumerate(expected):
        best = None
        for j, a in enumerate(left):
            m = match(e, a, f"message {i + 1}")
            if m is None:
                best = j
                break
        if best is None:
            # Report against the candidate with the same id, if any.
            same = [a for a in left if isinstance(a, dict) and isinstance(e, dict) and a.get("id") == e.get("id")]
            why = match(e, same[0], f"message {i + 1}") if same else "no such message"
            return f"expected message {i + 1} not found ({why})"
        left.pop(best)
    if left:
        return f"{len(left)} unexpected message(s), first: {json.dumps(left[0])[:400]}"
    return None


class Procs:
    """Every process a case starts, each the leader of its own process group,
    and all of them marked by SBTEST_RUN=<the case's TMP> in their
    environment. finish() kills what is left and names it: a case that leaves
    a process running fails."""

    live = set()  # every Procs not finished yet: what an interrupt stops
    live_lock = threading.Lock()
    stopping = False  # interrupted: a process started now is killed at once

    def __init__(self, marker):
        self.marker = marker
        self.groups = []
        with Procs.live_lock:
            Procs.live.add(self)

    def popen(self, cmd, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)  # never the runner's terminal
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
        with Procs.live_lock:
            self.groups.append(p.pid)
            if Procs.stopping:  # (a stub started after Ctrl-C outlived the runner)
                kill_group(p.pid)
        return p

    def run(self, cmd, what, input=b"", timeout=180, keep=None, **kw):
        """Run cmd to its end: (returncode, stdout, stderr). Files, not pipes,
        hold what it says: a process it leaves behind cannot hold us up. A
        timeout raises CaseError after killing cmd's process group. keep: a
        file that gets what cmd said (stdout, then stderr), timed out or not."""
        with tempfile.TemporaryFile() as i, tempfile.TemporaryFile() as o, \
                tempfile.TemporaryFile() as e:
            i.write(input)
            i.seek(0)
            p = self.popen(cmd, stdin=i, stdout=o, stderr=e, **kw)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                kill_group(p.pid)
                p.wait()
                o.seek(0)
                e.seek(0)
                said = o.read() + e.read()
                save(keep, said)
                raise CaseError(f"{what} timed out after {timeout}s: {tail(said)}")
            o.seek(0)
            e.seek(0)
            out, err = o.read(), e.read()
            save(keep, out + err)
            return p.returncode, out, err

    def finish(self):
        """Kill the case's process groups; the processes that were still
        running a moment after the case ended, as "pid cmdline" strings."""
        deadline = time.time() + 5  # time to finish exiting when asked to
        left = running(self.marker, self.groups)
        while left and time.time() < deadline:
            time.sleep(0.05)
            left = running(self.marker, self.groups)
        names = [f"{pid} {cmdline(pid)}" for pid in left]
        self.kill(scan=bool(left))
        with Procs.live_lock:
            Procs.live.discard(self)
        return names

    def kill(self, scan=True):
        for g in self.groups:
            kill_group(g)
        for pid in running(self.marker, []) if scan else []:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


class CaseError(Exception):
    pass


def tail(b, n=1500):
    s = b.decode("utf-8", errors="replace") if isinstance(b, bytes) else b
    return s[-n:]


def save(path, data):
    if path:
        with open(path, "wb") as f:
            f.write(data)


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def running(marker, groups):
    """Pids of the live processes (not zombies) that are in one of groups or
    carry SBTEST_RUN=marker in their environment (found even when they left
    their process group). Linux's /proc; elsewhere none."""
    want = b"\0SBTEST_RUN=" + marker.encode() + b"\0"
    out = []
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                st = f.read().rsplit(")", 1)[1].split()
            if st[0] == "Z":
                continue
            if int(st[2]) in groups:
                out.append(int(pid))
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if want in b"\0" + f.read() + b"\0":
                    out.append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:200]
    except OSError:
        return "?"


class Stub:
    def __init__(self, script, tmp, procs, env):
        self.record = os.path.join(tmp, "stub-requests.jsonl")
        self.done = os.path.join(tmp, "stub-replies.jsonl")
        portfile = os.path.join(tmp, "stub-port")
        self.proc = procs.popen(
            [sys.executable, os.path.join(ROOT, "tests/stub/stub.py"), "--script", script,
             "--record", self.record, "--done", self.done, "--port-file", portfile],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "stub-stderr"), "w"))
        deadline = time.time() + 30
        while not (os.path.exists(portfile) and open(portfile).read().strip()):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("stub server did not start")
            time.sleep(0.02)
        self.url = "http://127.0.0.1:" + open(portfile).read().strip()

    def requests(self):
        return read_jsonl(self.record) if os.path.exists(self.record) else []

    def count(self, what):
        """How many requests the stub has seen ("requests") or answered ("replies")."""
        path = self.record if what == "requests" else self.done
        try:
            with open(path, "rb") as f:
                return f.read().count(b"\n")
        except OSError:
            return 0

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Skip(str):
    """run_case's answer when check.sh printed "skip: <reason>" and exited 0:
    the machine lacks what the case needs (IPv6 loopback, say)."""


def expand(s, env):
    for k in ("STUB", "TMP", "CASE", "BIN", "ROOT"):
        s = s.replace("$" + k, env.get(k, ""))
    return s


def script_failed(what, code, out):
    """The message for a setup.sh or check.sh that exited non-zero; never empty."""
    text = out.decode("utf-8", errors="replace").strip()
    if not text:
        text = ("(it printed nothing: a command failed under set -e? "
                "Say what failed, e.g. cmd || fail \"...\")")
    lines = text.splitlines()
    text = "\n".join(l if len(l) <= 300 else l[:300] + "..." for l in lines[-40:])
    return f"{what} failed (exit status {code}): " + ("...\n" if len(lines) > 40 else "") + text


PG = {}  # with --postgres: "dir" of the cluster, "n" a count for database names
PG_LOCK = threading.Lock()


def pg_store(name):
    """A new database on the run's cluster for the case: its URL."""
    with PG_LOCK:
        PG["n"] = PG.get("n", 0) + 1
        db = "case%d_%s" % (PG["n"], name.split("-")[0])
    cluster = os.path.join(ROOT, "tests", "pg", "cluster.sh")
    subprocess.run(["sh", cluster, "createdb", PG["dir"], db], check=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    return subprocess.run(["sh", cluster, "url", PG["dir"], db], check=True, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL).stdout.strip()


def run_case(case_dir, binary, valgrind):
    if PG and os.path.exists(os.path.join(case_dir, "sqlite_only")):
        return Skip("sqlite only: " + open(os.path.join(case_dir, "sqlite_only")).read().strip())
    tmp = tempfile.mkdtemp(prefix="sbtest-")
    procs = Procs(tmp)
    why = None
    try:
        why = run_session(case_dir, binary, valgrind, tmp, procs)
    except CaseError as e:
        why = str(e)
    except Exception as e:  # the stub did not start, say: still kept and shown
        why = f"runner error: {e!r}"
    finally:
        left = procs.finish()
    if left:
        gone = "left processes running (killed): " + "; ".join(left)
        why = gone if why is None or isinstance(why, Skip) else why + "\n  and " + gone
    kept = os.path.join(FAILED, os.path.basename(case_dir)) if FAILED else None
    if kept:
        shutil.rmtree(kept, ignore_errors=True)  # an earlier run's
    if why is not None and not isinstance(why, Skip):
        why += evidence(tmp, why)
        if kept:
            keep_folder(tmp, kept)
            why += f"\n  kept: {os.path.relpath(kept, ROOT)}"
    shutil.rmtree(tmp, ignore_errors=True)
    return why


FAILED = None  # where a failed case's folder is kept: BUILD/failed/NNNN-name


def last_lines(path, n=40, width=300):
    """The last n lines of a file (its last 64 KiB), each cut at width."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 65536))
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(l if len(l) <= width else l[:width] + "..." for l in text.splitlines()[-n:])


def evidence(tmp, why):
    """What a failed case left that explains it, bounded, for the report: the
    tails of the server's stderr, of check.sh's and the stub's output, of
    the logs the case wrote (*.log, *.err, stderr in $TMP or a folder in
    it), and the diff of expected and actual stdout. Fixture secrets are
    fake: they may show. A tail already in why is not repeated."""
    names = ["_run.diff", "_run.server.stderr", "_run.check.out", "stub-stderr"]
    logs = []
    for top, dirs, files in os.walk(tmp):
        if top.count(os.sep) - tmp.count(os.sep) >= 1:
            dirs[:] = []  # the case's folder and the folders in it
        logs += [os.path.relpath(os.path.join(top, n), tmp) for n in files
                 if n.endswith((".log", ".err")) or n == "stderr"]
    names += sorted(logs)[:8]
    out = ""
    for n in names:
        text = last_lines(os.path.join(tmp, n))
        if text.strip() and text.strip()[-200:] not in why:
            label = {"_run.diff": "stdout, expected vs actual (diff)",
                     "_run.server.stderr": "server stderr", "_run.check.out": "check.sh output"}.get(n, n)
            out += f"\n  --- {label} (last lines)\n" + text
    return out


def keep_folder(tmp, dest, limit=64 << 20):
    """Copy the case's folder to dest: regular files up to 8 MiB each and
    limit in all (a browser profile stays behind)."""
    total = 0
    for top, dirs, files in os.walk(tmp):
        rel = os.path.relpath(top, tmp)
        os.makedirs(os.path.join(dest, rel), exist_ok=True)
        for n in files:
            src = os.path.join(top, n)
            try:
                size = os.lstat(src).st_size
                if not os.path.isfile(src) or os.path.islink(src) or size > (8 << 20) or total + size > limit:
                    continue
                shutil.copy2(src, os.path.join(dest, rel, n))
                total += size
            except OSError:
                pass


def run_session(case_dir, binary, valgrind, tmp, procs):
    f = lambda n: os.path.join(case_dir, n)
    stub = None
    out_chunks, err_chunks = [], []  # the server's stdout and stderr
    try:
        # A case's shell is a user's: nothing of switchboard's, no credentials,
        # and no make variables of the make that runs the suite (make asan's
        # BUILD=build-asan would otherwise reach a case that runs make).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SWITCHBOARD_") and not k.endswith(("_API_KEY", "_TOKEN", "_SECRET_KEY"))
               and k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
        env.update({"TMP": tmp, "CASE": case_dir, "BIN": binary, "ROOT": ROOT,
                    "HOME": tmp, "XDG_CONFIG_HOME": tmp + "/config", "XDG_DATA_HOME": tmp + "/data",
                    "XDG_CACHE_HOME": tmp + "/cache",
                    "SWITCHBOARD_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                    # exec.c checks each result against outputSchema (below)
                    "SWITCHBOARD_CHECK_OUTPUT": "1",
                    "LC_ALL": "C", "SBTEST_RUN": tmp,
                    "PYTHONPATH": os.path.join(ROOT, "tests", "lib")})
        if PG:
            env["SWITCHBOARD_STORE"] = env["PGSTORE"] = pg_store(os.path.basename(case_dir))
        if os.path.exists(f("stub.json")):
            stub = Stub(f("stub.json"), tmp, procs, env)
            env["STUB"] = stub.url
        if os.path.exists(f("env")):
            for line in open(f("env")):
                line = line.rstrip("\n")
                if line and not line.startswith("#") and "=" in line:
                    k, v = line.split("=", 1)
                    if v == "<unset>":
                        env.pop(k, None)
                    else:
                        env[k] = expand(v, env)
        if os.path.exists(f("setup.sh")):
            code, out, err = procs.run(["sh", f("setup.sh")], "setup.sh", env=env, cwd=tmp)
            if code != 0:
                return script_failed("setup.sh", code, out + err)
        args = shlex.split(expand(open(f("args")).read(), env)) if os.path.exists(f("args")) else ["serve"]
        cmd = [binary] + args
        if valgrind:
            cmd = ["valgrind", "-q", "--leak-check=full", "--error-exitcode=99"] + cmd
        timeout = float(open(f("timeout")).read()) if os.path.exists(f("timeout")) else 20.0
        if valgrind:
            timeout *= 5
        deadline = time.time() + timeout
        if os.path.exists(f("in.py")):
            code, feed, err = procs.run([sys.executable, f("in.py")], "in.py", env=env, cwd=tmp,
                                        timeout=timeout)
            if code != 0:
                return script_failed("in.py", code, err)
            lines = [feed]
        elif os.path.exists(f("in.jsonl")):
            lines = open(f("in.jsonl"), "rb").read().split(b"\n")
            lines = [l + b"\n" for l in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
        else:
            lines = []
        proc = procs.popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, cwd=tmp)
        seen_ids = set()
        pending = b""
        streams = [proc.stdout, proc.stderr]

        def pump(wait):
            """Read what is ready; False when nothing was (or nothing is left)."""
            nonlocal pending
            if not streams:
                time.sleep(wait)
                return False
            r, _, _ = select.select(streams, [], [], wait)
            got = False
            for s in r:
                data = os.read(s.fileno(), 65536)
                if not data:
                    streams.remove(s)
                    continue
                got = True
                if s is proc.stdout:
                    out_chunks.append(data)
                    pending += data
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        try:
                            m = json.loads(line)
                            if isinstance(m, dict) and "id" in m:
                                seen_ids.add(json.dumps(m["id"]))
                        except ValueError:
                            pass
                else:
                    err_chunks.append(data)
            return got

        def wait_until(ready, what):
            while not ready():
                if time.time() > deadline:
                    raise TimeoutError(what)
                pump(0.02)

        try:
            for line in lines:
                if line.startswith(b"#!sleep"):
                    end = time.time() + float(line.split()[1])
                    while time.time() < end:
                        pump(max(0, end - time.time()))
                    continue
                if line.startswith(b"#!wait-stub"):
                    _, what, n = line.split()
                    what, n = what.decode(), int(n)
                    wait_until(lambda: stub.count(what) >= n, line.decode().strip())
                    continue
                if line.startswith(b"#!wait"):
                    want = json.dumps(json.loads(line.split(None, 1)[1]))
                    wait_until(lambda: want in seen_ids, line.decode().strip())
                    continue
                # Write in pieces, draining output so neither pipe fills up.
                view = memoryview(line)
                while view:
                    _, w, _ = select.select([], [proc.stdin], [], 0.05)
                    if w:
                        n = os.write(proc.stdin.fileno(), view[:65536])
                        view = view[n:]
                    pump(0)
                    if time.time() > deadline:
                        raise TimeoutError("writing stdin")
            proc.stdin.close()
        except BrokenPipeError:
            pass
        except TimeoutError as e:
            if e.args and proc.poll() is None:
                kill_group(proc.pid)
                proc.wait()
                return f"timed out after {timeout}s at {e.args[0]}"
        while proc.poll() is None and time.time() < deadline:
            pump(0.05)
        if proc.poll() is None:
            kill_group(proc.pid)
            proc.wait()
            return f"timed out after {timeout}s"
        while pump(0):
            pass
        stdout = b"".join(out_chunks)
        stderr = b"".join(err_chunks).decode("utf-8", errors="replace")
        want_exit = int(open(f("exit")).read()) if os.path.exists(f("exit")) else 0
        if proc.returncode != want_exit:
            return f"exit status {proc.returncode}, expected {want_exit}; stderr: {stderr[-1500:]}"
        if "ERROR: AddressSanitizer" in stderr or "runtime error:" in stderr or "LeakSanitizer" in stderr:
            return "sanitizer report: " + stderr[-3000:]
        if os.path.exists(f("out.txt")):
            want = expand(open(f("out.txt")).read(), env)
            got = stdout.decode("utf-8", errors="replace")
            if got != want:
                save(os.path.join(tmp, "_run.diff"), diff(want.splitlines(), got.splitlines()))
                return "stdout differs from out.txt"
        elif os.path.exists(f("out.jsonl")):
            actual = []
            for line in stdout.split(b"\n"):
                if not line:
                    continue
                try:
                    actual.append(json.loads(line))
                except ValueError:
                    return f"stdout line is not JSON: {line[:300]!r}"
            expected = read_jsonl(f("out.jsonl"))
            expected = json.loads(expand(json.dumps(expected), env))
            m = match_messages(expected, actual, os.path.exists(f("ordered")))
            if m:
                one = lambda m: json.dumps(m, sort_keys=True)
                save(os.path.join(tmp, "_run.diff"),
                     diff([one(m) for m in expected], [one(m) for m in actual]))
                return m
        if os.path.exists(f("stderr")):
            for pat in open(f("stderr")).read().splitlines():
                if pat and not re.search(pat, stderr, re.M):
                    return f"stderr does not match /{pat}/: {stderr[-1500:]}"
        # Every call in every case: a success result must match the tool's
        # outputSchema (exec.c, asked by SWITCHBOARD_CHECK_OUTPUT=1, logs a
        # mismatch with src/registry/schema.c's verdict).
        if "does not match its outputSchema" in stderr:
            return "structuredContent does not match outputSchema: " + stderr[-1500:]
        if os.path.exists(f("stderr_not")):
            for pat in open(f("stderr_not")).read().splitlines():
                if pat and re.search(expand(pat, env), stderr, re.M):
                    return f"stderr matches forbidden /{pat}/"
        if os.path.exists(f("requests.jsonl")):
            if stub is None:
                return "requests.jsonl without stub.json"
            exp = json.loads(expand(json.dumps(read_jsonl(f("requests.jsonl"))), env))
            m = match_messages(exp, stub.requests(), True)
            if m:
                return "stub requests: " + m + "\n  seen: " + json.dumps(stub.requests())[:2000]
        if os.path.exists(f("check.sh")):
            code, out, err = procs.run(["sh", f("check.sh")], "check.sh", input=stdout, env=env,
                                       cwd=tmp, timeout=max(180.0, timeout) * (5 if valgrind else 1),
                                       keep=os.path.join(tmp, "_run.check.out"))
            if code != 0:
                return script_failed("check.sh", code, out + err)
            for line in out.decode(errors="replace").splitlines():
                if line.startswith("skip:"):
                    return Skip(line[5:].strip())
        return None
    finally:
        if stub:
            stub.stop()
        save(os.path.join(tmp, "_run.server.stdout"), b"".join(out_chunks))
        save(os.path.join(tmp, "_run.server.stderr"), b"".join(err_chunks))


def diff(want, got):
    """A unified diff of two lists of lines, as bytes."""
    d = difflib.unified_diff(want, got, "expected", "actual", lineterm="")
    return "\n".join(d).encode("utf-8", errors="replace")


def run_unit(path, valgrind):
    cmd = [path]
    if valgrind:
        cmd = ["valgrind", "-q", "--leak-check=full", "--error-exitcode=99"] + cmd
    tmp = tempfile.mkdtemp(prefix="sbunit-")
    procs = Procs(tmp)
    try:
        code, _, err = procs.run(cmd, "the test", timeout=600, cwd=ROOT,
                                 env=dict(os.environ, SBTEST_RUN=tmp))
        why = None if code == 0 else f"exit status {code}\n" + tail(err, 3000)
    except CaseError as e:
        why = str(e)
    finally:
        left = procs.finish()
        shutil.rmtree(tmp, ignore_errors=True)
    if left:
        why = (why + "\n  and " if why else "") + "left processes running (killed): " + "; ".join(left)
    return why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--valgrind", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=min(32, 4 * (os.cpu_count() or 1)),
                    help="cases run at once (default: four per core, at most 32)")
    ap.add_argument("--cases", help="run the cases of this folder only (no unit tests)")
    ap.add_argument("--postgres", action="store_true", help="the store on a throwaway PostgreSQL")
    ap.add_argument("only", nargs="*", help="case name substrings")
    a = ap.parse_args()
    if a.postgres:
        cluster = os.path.join(ROOT, "tests", "pg", "cluster.sh")
        PG["dir"] = tempfile.mkdtemp(prefix="sbpg-", dir="/tmp")  # short, and open to nobody
        if subprocess.run(["sh", cluster, "start", PG["dir"]], stdin=subprocess.DEVNULL).returncode:
            print("cannot start a PostgreSQL cluster (tests/pg/cluster.sh)")
            return 1
        try:
            return run_all(a)
        finally:
            subprocess.run(["sh", cluster, "stop", PG["dir"]], stdin=subprocess.DEVNULL)
    return run_all(a)


def run_all(a):
    build = os.path.join(ROOT, a.build) if not os.path.isabs(a.build) else a.build
    global FAILED
    # (Case 8000 runs cases with --postgres while the same cases run here;
    # case 0900's --cases fail on purpose.)
    FAILED = (os.path.join(build, "failed-postgres" if PG else "failed")
              if os.path.isdir(build) and not a.cases else None)
    binary = os.path.join(build, "switchboard")
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    wanted = lambda n: not a.only or any(o in n for o in a.only)
    jobs = []  # (name, function): all run in parallel, reported in this order
    units_dir = os.path.join(build, "tests")
    if not a.cases and not a.postgres and os.path.isdir(units_dir):
        for u in sorted(os.listdir(units_dir)):
            if wanted(u):
                jobs.append(("unit/" + u, lambda u=u: run_unit(os.path.join(units_dir, u), a.valgrind)))
    cases_dir = os.path.abspath(a.cases) if a.cases else os.path.join(ROOT, "tests", "cases")
    for name in sorted(os.listdir(cases_dir)):
        d = os.path.join(cases_dir, name)
        if os.path.isdir(d) and wanted(name):
            jobs.append((name, lambda d=d: run_case(d, binary, a.valgrind)))

    # The slowest jobs of the last run start first; results print in order.
    times_file = os.path.join(build, "test-times.json")
    try:
        with open(times_file) as f:
            last = json.load(f)
    except (OSError, ValueError):
        last = {}
    order = sorted(range(len(jobs)), key=lambda i: -last.get(jobs[i][0], 1000))
    results = [None] * len(jobs)
    done = threading.Condition()

    def work(i):
        name, fn = jobs[i]
        t0 = time.time()
        try:
            why = fn()
        except Exception as e:  # a broken case is a failure, not a crash
            why = f"runner error: {e!r}"
        with done:
            results[i] = (why, int((time.time() - t0) * 1000))
            done.notify()

    def interrupted(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)  # as Ctrl-C: stop the cases too
    passed = failed = skipped = 0
    failures = []
    pool = concurrent.futures.ThreadPoolExecutor(max(1, a.jobs))
    for i in order:
        pool.submit(work, i)
    try:
        for i, (name, _) in enumerate(jobs):
            with done:
                while results[i] is None:
                    done.wait(0.5)
            why, ms = results[i]
            last[name] = ms
            if why is None:
                passed += 1
                print(f"ok    {name} ({ms} ms)" if not name.startswith("unit/") else f"ok    {name}")
            elif isinstance(why, Skip):
                skipped += 1
                print(f"skip  {name} ({why})")
            else:
                failed += 1
                failures.append(name)
                print(f"FAIL  {name} ({ms} ms)\n  {why}")
            sys.stdout.flush()
    except KeyboardInterrupt:
        # The cases run in sessions of their own, out of the terminal's
        # reach: stop them here, and do not wait for the workers.
        with Procs.live_lock:
            Procs.stopping = True
            for procs in list(Procs.live):
                procs.kill()
                shutil.rmtree(procs.marker, ignore_errors=True)
        print("interrupted")
        sys.stdout.flush()
        os._exit(130)
    pool.shutdown()
    if not a.cases and not a.postgres and os.path.isdir(build):
        try:
            with open(times_file + ".tmp", "w") as f:
                json.dump(last, f, indent=0, sort_keys=True)
            os.replace(times_file + ".tmp", times_file)
        except OSError:
            pass
    if failures:
        print("failed: " + " ".join(failures))
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
