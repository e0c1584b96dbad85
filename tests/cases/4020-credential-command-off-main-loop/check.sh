# A cold credential command runs off the main loop: while it runs (until the
# test lets it finish), a ping sent after the call is answered; then the call
# succeeds with its token. Two calls at once on a cold cache run the command
# once. A call cancelled while its command runs does not keep the process at
# exit for the command's time.
set -eu
runs() { wc -l < "$TMP/runs" | tr -d ' '; }

session() {
	# $1: how many calls; then a ping. stdin stays open until all answers are in.
	python3 - "$BIN" "$TMP/runs" "$1" <<'PY'
import os, sys
from mcpclient import Session
binary, runs, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
for f in (runs + ".done", runs + ".go"):
    if os.path.exists(f):
        os.unlink(f)
s = Session([binary, "serve"], stderr=open(os.path.join(os.path.dirname(runs), "serve-stderr"), "a"))
ids = [s.request("tools/call", {"name": "tcmd_things_list", "arguments": {}}) for _ in range(calls)]
s.answer(s.request("ping"))
if os.path.exists(runs + ".done"):
    sys.exit("the credential command finished before the ping's answer")
if any(m.get("id") in ids for m in s.inbox):
    sys.exit("a call was answered before the ping: the ping waited for the credential command")
open(runs + ".go", "w").close()  # the command may finish now
for i in ids:
    r = s.answer(i)["result"]
    if r.get("isError") or r["structuredContent"]["data"] != [{"id": 1}]:
        sys.exit(f"call failed: {r}")
if s.close() != 0:
    sys.exit(f"exit status {s.proc.returncode}")
PY
}

session 1 || { echo "one call: failed"; exit 1; }
test "$(runs)" = 1 || { echo "one call: $(runs) runs"; exit 1; }
session 2 || { echo "two calls: failed"; exit 1; }
test "$(runs)" = 2 || { echo "two calls at once ran the command $(($(runs) - 1)) times"; exit 1; }

# Cancelled while its command runs, then EOF: the process exits well before
# the command is let go (10 s at most), and answers nothing for the call.
rm -f "$TMP/runs.go" "$TMP/runs.done"
python3 - "$BIN" "$TMP/serve-stderr" "$TMP/runs" <<'PY'
import os, sys, time
from mcpclient import Session
s = Session([sys.argv[1], "serve"], stderr=open(sys.argv[2], "a"))
call = s.request("tools/call", {"name": "tcmd_things_list", "arguments": {}})
end = time.time() + 30  # until the command runs
while sum(1 for _ in open(sys.argv[3])) < 3:
    if time.time() > end:
        sys.exit("the credential command did not start")
    time.sleep(0.02)
s.notify("notifications/cancelled", {"requestId": call})
s.request("ping", id=2)
t0 = time.time()
status = s.close()
took = time.time() - t0
if status != 0:
    sys.exit(f"exit status {status}")
if [m.get("id") for m in s.inbox] != [2]:
    sys.exit(f"answers after the cancel: {s.inbox}")
if took > 5:  # waiting would be for ever: the command waits for runs.go
    sys.exit(f"exit took {took:.1f} s: shutdown waited for the credential command")
PY
test "$(runs)" = 3 || { echo "cancelled call: $(runs) runs"; exit 1; }
# Let the cancelled command go, if the server left it running.
touch "$TMP/runs.go"

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
