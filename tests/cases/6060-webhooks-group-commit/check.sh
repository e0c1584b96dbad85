# Group commit: eight signed deliveries arrive while another process holds
# the store's write lock. None may be answered before its events are
# committed; once the lock is free, those that waited go to disk together
# (one transaction, one flush), each answered 200, all kept.
set -eu
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
printf '{"api_key":"sk_test_abc123secret","webhook_secret":"whsec_group_secret"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
SWITCHBOARD_LOG=debug $BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" \
	2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
python3 - "$TMP" <<'PY' || fail "deliveries"
import glob, hashlib, hmac, json, os, sqlite3, sys, threading, time, urllib.request
tmp = sys.argv[1]
deadline = time.time() + 30
while not (os.path.exists(tmp + "/port") and open(tmp + "/port").read().strip()):
    assert time.time() < deadline, "no port file"
    time.sleep(0.02)
port = int(open(tmp + "/port").read())
db = glob.glob(tmp + "/data/switchboard/*.db")[0]
lock = sqlite3.connect(db, isolation_level=None, timeout=10)
lock.execute("BEGIN IMMEDIATE")  # the write lock, as another process would hold it
answers = {}
def deliver(i):
    body = json.dumps({"id": f"evt_group_{i}", "object": "event", "type": "customer.created",
                       "data": {"object": {"id": f"cus_{i}", "object": "customer"}}}).encode()
    t = int(time.time())
    sig = hmac.new(b"whsec_group_secret", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/stripe/main", data=body,
                                 headers={"Stripe-Signature": f"t={t},v1={sig}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        answers[i] = (r.status, time.time())
threads = [threading.Thread(target=deliver, args=(i,)) for i in range(8)]
for th in threads:
    th.start()
# Wait until every delivery is verified and waiting for the store.
while open(tmp + "/serve.err").read().count("queued for the store") < 8:
    assert time.time() < deadline + 10, "the deliveries were not all queued"
    time.sleep(0.01)
assert not answers, f"answered before anything could be committed: {answers}"
released = time.time()
lock.execute("ROLLBACK")
lock.close()
for th in threads:
    th.join()
assert sorted(answers) == list(range(8)), answers
assert all(s == 200 for s, _ in answers.values()), answers
assert all(t >= released for _, t in answers.values()), "an answer came before the commit"
PY
kill -TERM $SRV; wait $SRV || fail "serve exited $?"
trap - EXIT
grep -Eq 'deliveries go to the store in one transaction' "$TMP/serve.err" ||
	fail "no delivery shared a transaction"
[ "$($BIN events list --jsonl | grep -c evt_group_)" = 8 ] || fail "not all 8 kept: $($BIN events list --jsonl)"
echo ok
