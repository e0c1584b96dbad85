# A server on PostgreSQL answers calls on a connection it has loaded without
# a round trip to the database: while LISTEN is in force the data version is
# known until a notice says otherwise, and last_used_at is written once a
# minute, not on every call. A change by another process is still seen by
# the next call (the notice).
set -eu
fail() { echo "FAIL: $*"; exit 1; }
. "$ROOT/tests/pg/lib.sh"
pg_start
printf '{"api_key":"sk_test_rt1"}' | $BIN connections add stripe --name main --secret-stdin --no-test \
	--set "base_url=$STUB" >/dev/null
psql -X -q "$PGSTORE" -c "ALTER DATABASE sb SET log_statement = 'all'"
python3 - "$BIN" "$PGSTORE" "$PGDIR/log" <<'PY' || fail "see above"
import os, subprocess, sys, time
from mcpclient import Session
BIN, URL, LOG = sys.argv[1:4]
env = dict(os.environ, SWITCHBOARD_STORE=URL + "&application_name=sb_rt")
s = Session([BIN, "--connectors", "stripe", "--mode", "static", "serve"], env=env, timeout=30)


def call():
    r = s.tool("stripe_customers_list", {})
    assert not r.get("isError"), r


def statements():
    """What sb_rt's session has run so far (log_statement = all)."""
    return [l for l in open(LOG, errors="replace") if "statement:" in l or "execute" in l]


def settled():
    """The count of statements once none has come for 1.5 s (the server's
    first look at the store, LISTEN, is done), however loaded the machine."""
    n, since, deadline = len(statements()), time.time(), time.time() + 20
    while time.time() - since < 1.5 and time.time() < deadline:
        time.sleep(0.1)
        if len(statements()) != n:
            n, since = len(statements()), time.time()
    return n


call()
n = settled()
for _ in range(20):
    call()
time.sleep(0.3)
extra = statements()[n:]
assert not extra, f"{len(extra)} statements for 20 calls: {extra[:6]}"
# Another process points the connection elsewhere: the next call goes there.
subprocess.run([BIN, "connections", "edit", "main", "--set", "base_url=http://127.0.0.1:9"],
               check=True, capture_output=True, env=dict(os.environ, SWITCHBOARD_STORE=URL))
time.sleep(0.3)
r = s.tool("stripe_customers_list", {})
assert r.get("isError") and "127.0.0.1 port 9" in str(r), r
assert s.close() == 0
PY
echo ok
