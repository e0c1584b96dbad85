# The mail hooks (src/mail/mail.c) rely on these input schemas: check the
# arguments each email tool takes, its required ones and its annotations.
python3 -c '
import json, sys
tools = {t["name"]: t for t in json.load(sys.stdin) if t["name"].startswith("email_")}
assert sorted(tools) == ["email_mailboxes_list", "email_messages_list", "email_messages_read", "email_messages_send"], sorted(tools)
def props(n): return tools[n]["inputSchema"]["properties"]
send = tools["email_messages_send"]
assert send["inputSchema"]["required"] == ["to"], send["inputSchema"].get("required")
assert {"to", "cc", "bcc", "subject", "text", "html", "reply_to", "in_reply_to", "attachments"} <= set(props("email_messages_send")), props("email_messages_send").keys()
att = props("email_messages_send")["attachments"]["items"]
assert att["required"] == ["filename", "content_base64"] and set(att["properties"]) == {"filename", "content_type", "content_base64"}, att
assert "annotations" not in send, send["annotations"]  # a destructive, non-idempotent write: all MCP defaults
lst = props("email_messages_list")
assert {"mailbox", "unseen", "since", "before", "from", "subject", "search", "since_uid", "limit", "cursor"} <= set(lst), lst.keys()
assert lst["mailbox"]["default"] == "INBOX"
rd = tools["email_messages_read"]
assert rd["inputSchema"]["required"] == ["uid"] and {"mailbox", "uidvalidity", "mark_seen", "include_attachments", "max_chars"} <= set(rd["inputSchema"]["properties"])
assert tools["email_messages_read"]["annotations"]["readOnlyHint"] is True
assert {"pattern", "include_counts"} <= set(props("email_mailboxes_list"))
print("ok")
'
