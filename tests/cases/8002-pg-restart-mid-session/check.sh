# A server process survives a PostgreSQL restart: a call while the database
# is down fails with an error that says so, and once it is back calls work
# again in the same process, without restarting switchboard.
set -eu
. "$ROOT/tests/oauth/lib.sh"
. "$ROOT/tests/pg/lib.sh"
pg_start
SB="$BIN --capabilities $CASE/caps"
oauth_start
oauth_app oauthtest
oauth_connected oauthtest --name main --set "base_url=$U"
python3 - "$ROOT/tests/pg/cluster.sh" "$PGDIR" $SB serve 2>"$TMP/py.err" <<'PY' || fail "$(cat "$TMP/py.err")"
import json, select, subprocess, sys, time
cluster, pgdir, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
srv = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
buf = b""
def call(i):
    global buf
    srv.stdin.write((json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params":
                     {"name": "oauthtest_things_list", "arguments": {}}}) + "\n").encode())
    srv.stdin.flush()
    end = time.time() + 20
    while time.time() < end:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            m = json.loads(line)
            if m.get("id") == i:
                if "result" not in m:
                    sys.exit(f"call {i}: {m}")
                return m["result"]
        r, _, _ = select.select([srv.stdout], [], [], 0.2)
        if r:
            buf += srv.stdout.read1(65536)
    sys.exit(f"no answer to call {i}")
def text(res):
    return " ".join(c.get("text", "") for c in res.get("content", []))
r = call(1)
assert not r.get("isError") and '"ok"' in text(r), r
subprocess.run(["sh", cluster, "down", pgdir], check=True)
time.sleep(1)  # the server notices (its store watch) before the call
r = call(2)
assert r.get("isError"), f"a call without the database succeeded: {r}"
assert "cannot reach store" in text(r), r
print("while down:", text(r), file=sys.stderr)
subprocess.run(["sh", cluster, "up", pgdir], check=True)
r = call(3)
assert not r.get("isError") and '"ok"' in text(r), f"no recovery after the restart: {r}"
srv.stdin.close()
rc = srv.wait(10)
e = srv.stderr.read().decode(errors="replace")
assert rc == 0, f"exit {rc}: {e[-2000:]}"
PY
grep -q "while down: .*cannot reach store 'postgresql:///sb" "$TMP/py.err" || fail "the error while down: $(cat "$TMP/py.err")"
echo ok
