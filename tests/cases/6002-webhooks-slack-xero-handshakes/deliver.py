"""Slack url_verification and Xero intent-to-receive, then real deliveries."""
import base64, hashlib, hmac, json, sys, time, urllib.request, urllib.error

BASE = f"http://127.0.0.1:{sys.argv[1]}"


def post(path, body, headers):
    req = urllib.request.Request(BASE + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def expect(what, got, status, body=None):
    if got[0] != status or (body is not None and got[1] != body):
        sys.exit(f"{what}: got {got}, expected {status} {body!r}")


def slack(body, secret=b"slack-signing-secret-1", ts=None):
    ts = str(int(time.time()) if ts is None else ts)
    sig = hmac.new(secret, f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + sig,
            "Content-Type": "application/json"}


def xero(body, key=b"xero-webhook-key-1"):
    sig = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()
    return {"x-xero-signature": sig, "Content-Type": "application/json"}


challenge = json.dumps({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}).encode()
got = post("/hooks/slack/team", challenge, slack(challenge))
expect("slack challenge", got, 200)
assert json.loads(got[1]) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}, got
expect("unsigned challenge", post("/hooks/slack/team", challenge, {}), 401)
expect("challenge, other secret", post("/hooks/slack/team", challenge, slack(challenge, b"nope")), 401)
expect("old challenge", post("/hooks/slack/team", challenge, slack(challenge, ts=int(time.time()) - 400)), 401)

# Xero's intent to receive: the same empty payload, signed wrongly then rightly.
itr = json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0,
                  "entropy": "S0MEENTROPY"}).encode()
expect("xero bad signature", post("/hooks/xero/books", itr, xero(itr, b"wrong-key")), 401)
expect("xero good signature", post("/hooks/xero/books", itr, xero(itr)), 200, b"")

batch = json.dumps({"events": [
    {"resourceUrl": "https://api.xero.com/api.xro/2.0/Contacts/c-1", "resourceId": "c-1",
     "eventDateUtc": "2026-01-31T09:00:00.000", "eventType": "CREATE", "eventCategory": "CONTACT",
     "tenantId": "00000000-0000-4000-8000-000000000001", "tenantType": "ORGANISATION"},
    {"resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/i-1", "resourceId": "i-1",
     "eventDateUtc": "2026-01-31T09:00:01.000", "eventType": "UPDATE", "eventCategory": "INVOICE",
     "tenantId": "00000000-0000-4000-8000-000000000001", "tenantType": "ORGANISATION"}],
    "firstEventSequence": 1, "lastEventSequence": 2, "entropy": "ABC"}).encode()
expect("xero events", post("/hooks/xero/books", batch, xero(batch)), 200)
expect("xero events again", post("/hooks/xero/books", batch, xero(batch)), 200)

msg = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "Ev01",
                  "event_time": 1767225600,
                  "event": {"type": "message", "channel_type": "channel", "channel": "C1",
                            "text": "hello", "ts": "1767225600.000100"}}).encode()
expect("slack message", post("/hooks/slack/team", msg, slack(msg)), 200)
# A Slack retry carries the same event_id.
retry = slack(msg)
retry["X-Slack-Retry-Num"] = "1"
expect("slack retry", post("/hooks/slack/team", msg, retry), 200)
