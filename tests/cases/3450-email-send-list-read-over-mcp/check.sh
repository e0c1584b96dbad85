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
python3 - "$BIN" "$TMP/serve.err" <<'PY'
import base64, sys
from mcpclient import Session
s = Session([sys.argv[1], "serve"], stderr=open(sys.argv[2], "w"), timeout=30)
out = s.tool("email_messages_send", {
    "to": ["bob@example.com"], "subject": "Quarterly numbers é", "text": "See attached.",
    "attachments": [{"filename": "q3.csv", "content_type": "text/csv",
                     "content_base64": base64.b64encode(b"a,b\n1,2\n").decode()}]})
assert not out.get("isError"), out
sent = out["structuredContent"]["data"]
assert sent["accepted"] == ["bob@example.com"], sent
listed = s.tool("email_messages_list", {"mailbox": "INBOX", "limit": 10})
assert not listed.get("isError"), listed
items = listed["structuredContent"]["data"]
assert items and items[0]["subject"] == "Quarterly numbers é", items
uid = items[0]["uid"]
read = s.tool("email_messages_read", {"mailbox": "INBOX", "uid": uid})
assert not read.get("isError"), read
msg = read["structuredContent"]["data"]
assert "See attached." in msg["text"], msg
assert [a["filename"] for a in msg["attachments"]] == ["q3.csv"], msg["attachments"]
assert s.close() == 0
assert "correct horse" not in open(sys.argv[2]).read(), "password in stderr"
print("ok")
PY
