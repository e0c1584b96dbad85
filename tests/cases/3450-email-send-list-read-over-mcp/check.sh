# The Email connector end to end through MCP against the loopback SMTP/IMAP
# server: send a message with an attachment, list the inbox, read it back.
set -eu
. "$ROOT/tests/lib/wait.sh"
python3 "$ROOT/tests/mailserver/mailserver.py" --dir "$TMP/mail" --port-file "$TMP/mp" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/mp"
read SMTP IMAP < "$TMP/mp"
export EMAIL_SMTP_HOST=127.0.0.1 EMAIL_SMTP_PORT=$SMTP EMAIL_IMAP_HOST=127.0.0.1 EMAIL_IMAP_PORT=$IMAP
export EMAIL_USERNAME=alice@example.com EMAIL_PASSWORD='correct horse' EMAIL_FROM=alice@example.com
export EMAIL_SECURITY=none
python3 - "$BIN" <<'PY'
import base64, json, subprocess, sys
msgs = [
    {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "email_messages_send", "arguments": {
        "to": ["bob@example.com"], "subject": "Quarterly numbers é", "text": "See attached.",
        "attachments": [{"filename": "q3.csv", "content_type": "text/csv",
                         "content_base64": base64.b64encode(b"a,b\n1,2\n").decode()}]}}},
]
def run(lines):
    p = subprocess.run([sys.argv[1], "serve"], input="".join(json.dumps(m) + "\n" for m in lines),
                       capture_output=True, text=True, timeout=20)
    assert "correct horse" not in p.stderr, "password in stderr"
    return {m["id"]: m for m in map(json.loads, p.stdout.splitlines())}
out = run(msgs)[1]["result"]
assert not out.get("isError"), out
sent = out["structuredContent"]["data"]
assert sent["accepted"] == ["bob@example.com"], sent
listed = run([{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "email_messages_list",
              "arguments": {"mailbox": "INBOX", "limit": 10}}}])[2]["result"]
assert not listed.get("isError"), listed
items = listed["structuredContent"]["data"]
assert items and items[0]["subject"] == "Quarterly numbers é", items
uid = items[0]["uid"]
read = run([{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "email_messages_read",
            "arguments": {"mailbox": "INBOX", "uid": uid}}}])[3]["result"]
assert not read.get("isError"), read
msg = read["structuredContent"]["data"]
assert "See attached." in msg["text"], msg
assert [a["filename"] for a in msg["attachments"]] == ["q3.csv"], msg["attachments"]
print("ok")
PY
