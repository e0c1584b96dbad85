# switchboard_connector_test runs on the server's loop: while its requests
# wait on a slow vendor (400 ms each), other requests are answered; a client's
# cancel stops it (no answer, no more requests), and the server ends cleanly.
set -e
python3 - <<'PY'
import json, os, time
from mcpclient import Session
binary, tmp, root = os.environ["BIN"], os.environ["TMP"], os.environ["ROOT"]
rec = tmp + "/stub-requests.jsonl"
count = lambda: sum(1 for _ in open(rec)) if os.path.exists(rec) else 0
err = open(tmp + "/session.err", "w")
s = Session([binary, "serve", "--builder"], stderr=err)
draft = s.tool("switchboard_connector_import", {"spec": root + "/tests/stub/specs/widgets.json", "slug": "widgets"})["structuredContent"]["connector"]
tid = s.request("tools/call", {"name": "switchboard_connector_test", "arguments": {"connector": draft}})
# The test takes 8 x 400 ms; a blocked loop would answer the ping after it.
pid = s.request("ping")
s.answer(pid)
early = [m for m in s.inbox if m.get("id") == tid]
assert not early, ("the test answered before the ping", early)
r = s.answer(tid, timeout=30)["result"]["structuredContent"]
assert r["passed"] == 8 and r["failed"] == 0, r
seen = count()
# A second test, cancelled after its first request: no answer, no more requests.
tid = s.request("tools/call", {"name": "switchboard_connector_test", "arguments": {"connector": draft}})
end = time.time() + 20
while count() == seen and time.time() < end:
    time.sleep(0.02)
assert count() == seen + 1, (count(), seen)
s.notify("notifications/cancelled", {"requestId": tid})
time.sleep(1.2)
assert count() == seen + 1, "requests went on after the cancel"
pid = s.request("ping")
s.answer(pid)
assert not [m for m in s.inbox if m.get("id") == tid], "a cancelled test answered"
assert s.close() == 0
PY
! grep -q "does not match its outputSchema" $TMP/session.err || { cat $TMP/session.err; exit 1; }
