"""An MCP session (argv[1] serve) beside webhooks serve (port argv[2])."""
import hashlib, hmac, json, sys, time, urllib.request
from mcpclient import Session

BIN, PORT, ERR = sys.argv[1], sys.argv[2], sys.argv[3]
s = Session([BIN, "serve"], stderr=open(ERR, "w"), initialize=False, timeout=30)
ok, error, read_until, inbox = s.result, s.error, s.until, s.inbox


def deliver(eid, etype):
    body = json.dumps({"id": eid, "type": etype, "data": {"object": {"id": "cus_9"}}}).encode()
    t = str(int(time.time()))
    sig = hmac.new(b"whsec_resources", t.encode() + b"." + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}/hooks/stripe/main", data=body,
                                 headers={"Stripe-Signature": f"t={t},v1={sig}"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


init = ok("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                         "clientInfo": {"name": "t", "version": "1"}})
assert init["capabilities"]["resources"] == {"subscribe": True, "listChanged": True}, init
s.notify("notifications/initialized")

tpl = ok("resources/templates/list")["resourceTemplates"]
assert tpl[0]["uriTemplate"] == "events://{connector}/{entity}", tpl
assert ok("resources/list") == {"resources": []}
empty = ok("resources/read", {"uri": "events://stripe/customers"})["contents"]
assert empty == [{"uri": "events://stripe/customers", "mimeType": "application/json", "text": "[]"}], empty
assert "Resource not found" in error("resources/read", {"uri": "events://stripe/nosuch"}, -32002)
error("resources/read", {"uri": "events://nosuch/customers"}, -32002)
error("resources/read", {"uri": "file:///etc/passwd"}, -32002)
error("resources/read", {"uri": "events://stripe/customers/1"}, -32002)
error("resources/read", {}, -32602)
error("resources/subscribe", {"uri": "events://nosuch/x"}, -32002)
error("resources/subscribe", {}, -32602)
error("resources/list", {"cursor": "bogus"}, -32602)
assert ok("resources/subscribe", {"uri": "events://stripe/customers"}) == {}

t0 = time.time()
deliver("evt_r1", "customer.created")
note = read_until(lambda m: m.get("method") == "notifications/resources/updated")
lag = time.time() - t0
assert note["params"] == {"uri": "events://stripe/customers"}, note
read_until(lambda m: m.get("method") == "notifications/resources/list_changed")

res = ok("resources/list")["resources"]
uris = [r["uri"] for r in res]
assert uris[0] == "events://stripe/customers" and uris[1].startswith("events://stripe/customers/"), uris
assert res[0]["mimeType"] == "application/json" and "1 events" in res[0]["description"], res[0]
coll = json.loads(ok("resources/read", {"uri": "events://stripe/customers"})["contents"][0]["text"])
assert [e["vendor_event_id"] for e in coll] == ["evt_r1"], coll
one = ok("resources/read", {"uri": uris[1]})["contents"][0]
assert one["uri"] == uris[1] and json.loads(one["text"])["payload"]["id"] == "evt_r1", one
error("resources/read", {"uri": uris[1].replace("customers", "invoices")}, -32002)

# After unsubscribing: the list changes, but no update for the URI.
assert ok("resources/unsubscribe", {"uri": "events://stripe/customers"}) == {}
assert ok("resources/subscribe", {"uri": "events://stripe/invoices"}) == {}
deliver("evt_r2", "customer.updated")
deliver("evt_r3", "invoice.paid")
note = read_until(lambda m: m.get("method") == "notifications/resources/updated")
assert note["params"] == {"uri": "events://stripe/invoices"}, note
coll = json.loads(ok("resources/read", {"uri": "events://stripe/customers"})["contents"][0]["text"])
assert [e["vendor_event_id"] for e in coll] == ["evt_r2", "evt_r1"], coll  # newest first
# Events are looked at in the order stored, and all new ones at once: had
# evt_r2 brought an update, it came before the invoices one. The ping's
# answer comes after anything already sent.
ok("ping")
stray = [m for m in inbox if m.get("method") == "notifications/resources/updated"]
assert not stray, stray

assert s.close() == 0
print(f"notification {lag * 1000:.0f} ms after the delivery", file=sys.stderr)
