"""Case 5042: one --json convention. A list is one JSON array, one thing one
JSON object; compact (one line) when stdout is not a terminal, pretty when it
is (a pty); --jsonl streams one compact object a line (events list); without
--json the output is for people (oauth-app show is not JSON)."""
import json, os, pty, subprocess, sys

b = os.environ["BIN"]


def run(*argv, stdin=None):
    r = subprocess.run([b] + list(argv), capture_output=True, text=True, timeout=20,
                       input=stdin)
    assert r.returncode == 0, f"{argv}: exit {r.returncode}: {r.stderr}"
    return r.stdout


def one_line(argv, kind, stdin=None):
    out = run(*argv, stdin=stdin)
    assert out.endswith("\n") and out.count("\n") == 1, f"{argv}: not one line: {out[:300]!r}"
    v = json.loads(out)
    assert isinstance(v, kind), f"{argv}: {type(v).__name__}, not {kind.__name__}"
    return v


run("connections", "add", "stripe", "--name", "a", "--secret-stdin", "--no-test",
    stdin="sk_test_abc123secret")
run("oauth-app", "set", "github", "--client-id", "cid")

one_line(["connections", "list", "--json"], list)
one_line(["connections", "show", "a", "--json"], dict)
one_line(["--all", "--connectors", "stripe", "tools", "--json"], list)
one_line(["connectors", "--json"], list)
one_line(["connectors", "stripe", "--json"], dict)
one_line(["coverage", "customers", "--json"], dict)
one_line(["oauth-app", "show", "github", "--json"], dict)
assert one_line(["events", "list", "--json"], list) == []
assert run("events", "list", "--jsonl") == ""

text = run("oauth-app", "show", "github")
assert "client id:" in text and "cid" in text, text
try:
    json.loads(text)
    sys.exit("oauth-app show printed JSON without --json")
except ValueError:
    pass

# On a terminal: the same value, pretty.
for argv in (["connections", "list", "--json"], ["oauth-app", "show", "github", "--json"]):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(b, [b] + argv)
    out = b""
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    os.waitpid(pid, 0)
    text = out.decode().replace("\r\n", "\n")
    assert text.count("\n") > 3 and "\n  " in text, f"{argv}: not pretty on a terminal: {text!r}"
    assert json.loads(text) == json.loads(run(*argv)), argv
print("ok")
