#!/usr/bin/env python3
"""run.py - switchboard's test runner (standard library only).

Runs every unit test binary (build/tests/test_*) and every data-driven case
under tests/cases/<NNNN-name>/, then prints "N passed, N failed".

A case folder holds one session with the server:
  args           command line after the binary (shell words); default: serve
  env            KEY=VALUE lines added to the environment ($STUB, $TMP, $CASE expand)
  setup.sh       run first with sh (BIN, TMP, STUB, CASE set); must exit 0
  in.jsonl       lines written to stdin; a line "#!sleep S" pauses S seconds,
                 "#!wait ID" waits until the answer to request ID has arrived
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
  check.sh       run last with sh (stdout on stdin), within 60 s or timeout; must exit 0; a line
                 "skip: <reason>" on its stdout marks the case skipped
  exit           expected exit status (default 0)
  timeout        seconds before the case is killed (default 20)
"""
import argparse
import json
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
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


class Stub:
    def __init__(self, script, tmp):
        self.record = os.path.join(tmp, "stub-requests.jsonl")
        portfile = os.path.join(tmp, "stub-port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests/stub/stub.py"), "--script", script,
             "--record", self.record, "--port-file", portfile],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "stub-stderr"), "w"))
        deadline = time.time() + 10
        while not (os.path.exists(portfile) and open(portfile).read().strip()):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("stub server did not start")
            time.sleep(0.02)
        self.url = "http://127.0.0.1:" + open(portfile).read().strip()

    def requests(self):
        return read_jsonl(self.record) if os.path.exists(self.record) else []

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Skip(str):
    """run_case's answer when check.sh printed "skip: <reason>" and exited 0:
    the machine lacks what the case needs (IPv6 loopback, say)."""


def expand(s, env):
    for k in ("STUB", "TMP", "CASE", "BIN", "ROOT"):
        s = s.replace("$" + k, env.get(k, ""))
    return s


def run_case(case_dir, binary, valgrind):
    name = os.path.basename(case_dir)
    f = lambda n: os.path.join(case_dir, n)
    tmp = tempfile.mkdtemp(prefix="sbtest-")
    stub = None
    try:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SWITCHBOARD_") and not k.endswith(("_API_KEY", "_TOKEN", "_SECRET_KEY"))}
        env.update({"TMP": tmp, "CASE": case_dir, "BIN": binary, "ROOT": ROOT,
                    "HOME": tmp, "XDG_CONFIG_HOME": tmp + "/config", "XDG_DATA_HOME": tmp + "/data",
                    "XDG_CACHE_HOME": tmp + "/cache",
                    "SWITCHBOARD_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                    "LC_ALL": "C"})
        if os.path.exists(f("stub.json")):
            stub = Stub(f("stub.json"), tmp)
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
            r = subprocess.run(["sh", f("setup.sh")], env=env, cwd=tmp, capture_output=True, timeout=60)
            if r.returncode != 0:
                return f"setup.sh failed: {r.stderr.decode(errors='replace')[-800:]}"
        args = shlex.split(expand(open(f("args")).read(), env)) if os.path.exists(f("args")) else ["serve"]
        cmd = [binary] + args
        if valgrind:
            cmd = ["valgrind", "-q", "--leak-check=full", "--error-exitcode=99"] + cmd
        timeout = float(open(f("timeout")).read()) if os.path.exists(f("timeout")) else 20.0
        if valgrind:
            timeout *= 5
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=tmp)
        out_chunks, err_chunks = [], []
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

        deadline = time.time() + timeout
        if os.path.exists(f("in.py")):
            feed = subprocess.run([sys.executable, f("in.py")], capture_output=True, env=env).stdout
            lines = [feed]
        elif os.path.exists(f("in.jsonl")):
            lines = open(f("in.jsonl"), "rb").read().split(b"\n")
            lines = [l + b"\n" for l in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
        else:
            lines = []
        try:
            for line in lines:
                if line.startswith(b"#!sleep"):
                    end = time.time() + float(line.split()[1])
                    while time.time() < end:
                        pump(max(0, end - time.time()))
                    continue
                if line.startswith(b"#!wait"):
                    want = json.dumps(json.loads(line.split(None, 1)[1]))
                    while want not in seen_ids and time.time() < deadline:
                        pump(0.05)
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
                        raise TimeoutError
            proc.stdin.close()
        except (BrokenPipeError, TimeoutError):
            pass
        while proc.poll() is None and time.time() < deadline:
            pump(0.05)
        if proc.poll() is None:
            proc.kill()
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
            if stdout.decode("utf-8", errors="replace") != want:
                return f"stdout differs:\n--- expected\n{want}\n--- got\n{stdout.decode(errors='replace')[:3000]}"
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
                return m + "\n  stdout: " + stdout.decode(errors="replace")[:2000] + "\n  stderr: " + stderr[-1000:]
        if os.path.exists(f("stderr")):
            for pat in open(f("stderr")).read().splitlines():
                if pat and not re.search(pat, stderr, re.M):
                    return f"stderr does not match /{pat}/: {stderr[-1500:]}"
        # Every call in every case: a success result must match the tool's
        # outputSchema (exec.c logs a mismatch with src/schema.c's verdict).
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
            r = subprocess.run(["sh", f("check.sh")], env=env, cwd=tmp, capture_output=True,
                               timeout=max(60.0, timeout), input=stdout)
            if r.returncode != 0:
                return f"check.sh failed: {(r.stdout + r.stderr).decode(errors='replace')[-1500:]}"
            for line in r.stdout.decode(errors="replace").splitlines():
                if line.startswith("skip:"):
                    return Skip(line[5:].strip())
        return None
    finally:
        if stub:
            stub.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--valgrind", action="store_true")
    ap.add_argument("only", nargs="*", help="case name substrings")
    a = ap.parse_args()
    build = os.path.join(ROOT, a.build) if not os.path.isabs(a.build) else a.build
    binary = os.path.join(build, "switchboard")
    passed = failed = skipped = 0
    failures = []
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    units = sorted(os.listdir(os.path.join(build, "tests"))) if os.path.isdir(os.path.join(build, "tests")) else []
    for u in units:
        if a.only and not any(o in u for o in a.only):
            continue
        cmd = [os.path.join(build, "tests", u)]
        if a.valgrind:
            cmd = ["valgrind", "-q", "--leak-check=full", "--error-exitcode=99"] + cmd
        r = subprocess.run(cmd, capture_output=True, cwd=ROOT, timeout=600)
        if r.returncode == 0:
            passed += 1
            print(f"ok    unit/{u}")
        else:
            failed += 1
            failures.append(u)
            print(f"FAIL  unit/{u}\n" + r.stderr.decode(errors="replace")[-3000:])
    cases_dir = os.path.join(ROOT, "tests", "cases")
    for name in sorted(os.listdir(cases_dir)):
        d = os.path.join(cases_dir, name)
        if not os.path.isdir(d) or (a.only and not any(o in name for o in a.only)):
            continue
        t0 = time.time()
        try:
            why = run_case(d, binary, a.valgrind)
        except Exception as e:  # a broken case is a failure, not a crash
            why = f"runner error: {e!r}"
        ms = int((time.time() - t0) * 1000)
        if why is None:
            passed += 1
            print(f"ok    {name} ({ms} ms)")
        elif isinstance(why, Skip):
            skipped += 1
            print(f"skip  {name} ({why})")
        else:
            failed += 1
            failures.append(name)
            print(f"FAIL  {name} ({ms} ms)\n  {why}")
        sys.stdout.flush()
    if failures:
        print("failed: " + " ".join(failures))
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
