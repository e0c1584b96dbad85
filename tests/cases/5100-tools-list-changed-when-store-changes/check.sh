# A connection added in another terminal while the server runs: the server
# notices without a restart, sends notifications/tools/list_changed, and the
# new connector's tools appear. Removing it takes them away again.
set -eu
python3 - "$BIN" <<'PY'
import subprocess, sys
from mcpclient import Session
binary = sys.argv[1]
s = Session([binary, "--mode", "static", "serve"], stderr=subprocess.DEVNULL)
before = sorted(s.tool_names())
assert before == ["switchboard_connect", "switchboard_connections"], before
subprocess.run([binary, "connections", "add", "stripe", "--name", "acme", "--secret-stdin"],
               input=b"sk_test_list_changed_1", check=True, capture_output=True)
s.notification("notifications/tools/list_changed")
after = s.tool_names()
assert any(n.startswith("stripe_customers_") for n in after), after
subprocess.run([binary, "connections", "remove", "stripe/acme"], check=True, capture_output=True)
s.notification("notifications/tools/list_changed")
assert sorted(s.tool_names()) == ["switchboard_connect", "switchboard_connections"]
assert s.close() == 0
print("ok")
PY
