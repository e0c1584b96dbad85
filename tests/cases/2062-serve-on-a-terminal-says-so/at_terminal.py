"""Case 2062: serve (and a bare switchboard) with stdin on a terminal says on
stderr, in one line, what it is and how to add it to a client; stdout stays
the protocol: a ping typed at the terminal is answered with JSON-RPC only.
With stdin a pipe it says nothing. stdin is the pty; stdout and stderr go to
pipes of their own, so the two are told apart."""
import json, os, pty, select, subprocess, sys, time

b = os.environ["BIN"]
for argv in ([b], [b, "serve"]):
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    os.write(master, b'{"jsonrpc":"2.0","id":7,"method":"ping"}\n')
    line = b""
    end = time.time() + 30
    while not line.endswith(b"\n") and time.time() < end:
        if select.select([p.stdout], [], [], 0.2)[0]:
            line += os.read(p.stdout.fileno(), 4096)
    msg = json.loads(line)
    assert msg == {"jsonrpc": "2.0", "id": 7, "result": {}}, msg
    os.write(master, b"\x04")  # Ctrl-D: end of input at the terminal
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        sys.exit(f"{argv}: did not end at Ctrl-D")
    os.close(master)
    assert out == b"", f"{argv}: more on stdout: {out!r}"
    lines = err.decode().splitlines()
    hint = [l for l in lines if "MCP server" in l]
    assert len(hint) == 1, f"{argv}: stderr {lines}"
    assert "waiting for a client" in hint[0] and "stdin" in hint[0], hint
    assert "claude mcp add switchboard -- switchboard serve" in hint[0], hint
    assert p.returncode == 0, p.returncode

# Not a terminal: not a word.
r = subprocess.run([b, "serve"], input=b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n',
                   capture_output=True, timeout=10)
assert b"MCP server" not in r.stderr, r.stderr
assert json.loads(r.stdout) == {"jsonrpc": "2.0", "id": 1, "result": {}}, r.stdout
print("ok")
