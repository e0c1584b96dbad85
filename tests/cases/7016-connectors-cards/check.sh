# The cards: where each connector comes from, how many connections it has
# and how many need reconnecting, and with none the command that adds one;
# --json carries the same, beside the connector's file.
set -eu
out=$(cat)
line() { printf '%s\n' "$out" | grep -Eqx "$1" || { echo "no line /$1/ in:"; printf '%s\n' "$out"; exit 1; }; }
line 'acme +PERSONAL +bearer +1 connected +Acme \(by .+\)'
line 'stripe +built-in +api_key +3, 1 to reconnect +Stripe'
line 'github +built-in +oauth2 +none: connect +GitHub'
line 'openai +built-in +api_key +none: connections add +OpenAI'
# Narrow: no line past 80 columns.
printf '%s\n' "$out" | awk 'length > 80 { print "too wide: " $0; bad = 1 } END { exit bad }'
# No header when stdout is not a terminal: shell completion cuts slugs.
printf '%s\n' "$out" | grep -q SLUG && { echo "a header in a pipe"; exit 1; }
$BIN connectors --json | python3 -c '
import json, sys
d = {c["slug"]: c for c in json.load(sys.stdin)}
assert d["stripe"]["source"] == "built-in" and d["stripe"]["name"] == "Stripe", d["stripe"]["source"]
assert d["stripe"]["connections"] == {"count": 3, "needs_reconnect": 1}, d["stripe"]["connections"]
assert d["stripe"]["entities"]["customers"], "the file itself is there too"
assert d["acme"]["source"] == "personal" and d["acme"]["created_by"], d["acme"]
assert d["acme"]["connections"] == {"count": 1, "needs_reconnect": 0}, d["acme"]["connections"]
assert d["github"]["connections"] == {"count": 0, "needs_reconnect": 0, "next": "connect"}, d["github"]
assert d["openai"]["connections"]["next"] == "connections add", d["openai"]
' || exit 1
# A terminal gets a header.
python3 - "$BIN" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "connectors"])
out = b""
try:
    while True:
        data = os.read(fd, 4096)
        if not data:
            break
        out += data
except OSError:
    pass
os.waitpid(pid, 0)
first = out.decode().splitlines()[0].split()
assert first == ["SLUG", "SOURCE", "AUTH", "CONNECTIONS", "NAME"], first
PY
echo ok
