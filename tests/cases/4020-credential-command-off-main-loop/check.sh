# A cold credential command runs off the main loop: while it takes 2 s, a
# ping sent after the call is answered, and at that moment the command has
# not finished (no marker yet); then the call succeeds with its token. Two
# calls at once on a cold cache run the command once. A call cancelled while
# its command runs does not keep the process at exit for the command's time.
set -eu
runs() { wc -l < "$TMP/runs" | tr -d ' '; }

session() {
	# $1: how many calls; then a ping. stdin stays open until all answers are in.
	python3 - "$BIN" "$TMP/runs.done" "$1" <<'PY'
import json, os, subprocess, sys
binary, marker, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
if os.path.exists(marker):
    os.unlink(marker)
p = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=open(marker.replace("runs.done", "serve-stderr"), "a"))
def send(m):
    p.stdin.write((json.dumps(m) + "\n").encode()); p.stdin.flush()
send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
      "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
json.loads(p.stdout.readline())
for i in range(1, calls + 1):
    send({"jsonrpc": "2.0", "id": i, "method": "tools/call",
          "params": {"name": "tcmd_things_list", "arguments": {}}})
send({"jsonrpc": "2.0", "id": "ping", "method": "ping"})
order = []
while len(order) < calls + 1:
    m = json.loads(p.stdout.readline())
    if "id" not in m:
        continue
    order.append(m["id"])
    if m["id"] == "ping" and os.path.exists(marker):
        sys.exit("the ping was answered only after the credential command finished")
    if m["id"] != "ping" and (m["result"].get("isError") or
                              m["result"]["structuredContent"]["data"] != [{"id": 1}]):
        sys.exit(f"call failed: {m}")
p.stdin.close()
if p.wait() != 0:
    sys.exit(f"exit status {p.returncode}")
if order[0] != "ping":
    sys.exit(f"answers came in order {order}: the ping waited for the credential command")
PY
}

session 1 || { echo "one call: failed"; exit 1; }
test "$(runs)" = 1 || { echo "one call: $(runs) runs"; exit 1; }
session 2 || { echo "two calls: failed"; exit 1; }
test "$(runs)" = 2 || { echo "two calls at once ran the command $(($(runs) - 1)) times"; exit 1; }

# Cancelled while its command runs, then EOF: the process exits well before
# the command's 2 s are up, and answers nothing for the call.
python3 - "$BIN" "$TMP/serve-stderr" <<'PY'
import json, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=open(sys.argv[2], "a"))
def send(m):
    p.stdin.write((json.dumps(m) + "\n").encode()); p.stdin.flush()
send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
      "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
json.loads(p.stdout.readline())
send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
      "params": {"name": "tcmd_things_list", "arguments": {}}})
time.sleep(0.3)
send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})
send({"jsonrpc": "2.0", "id": 2, "method": "ping"})
t0 = time.time()
p.stdin.close()
rest = [json.loads(l) for l in p.stdout.read().splitlines() if l.strip()]
took = time.time() - t0
if p.wait() != 0:
    sys.exit(f"exit status {p.returncode}")
if [m.get("id") for m in rest] != [2]:
    sys.exit(f"answers after the cancel: {rest}")
if took > 1.2:
    sys.exit(f"exit took {took:.1f} s: shutdown waited for the credential command")
PY
test "$(runs)" = 3 || { echo "cancelled call: $(runs) runs"; exit 1; }

# What the vendor saw: the first process's token, then the second's twice.
python3 - "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
seen = [json.loads(l)["headers"].get("authorization") for l in open(sys.argv[1]) if l.strip()]
want = ["Bearer slow-base-secret-4020-1"] + ["Bearer slow-base-secret-4020-2"] * 2
if seen != want:
    sys.exit(f"authorization headers: {seen}")
PY

# Neither the secret nor the command's token reached a log.
if grep -q -e base-secret-4020 -e slow- "$TMP/serve-stderr"; then
	echo "a secret in stderr"; exit 1
fi
