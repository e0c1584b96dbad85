"""Trickling clients against webhooks serve --request-timeout 2 on argv[1]."""
import hashlib, hmac, http.client, json, socket, sys, threading, time

port = int(sys.argv[1])
SECRET = b"whsec_trickle"


def signed(evt):
    body = json.dumps({"id": evt, "object": "event", "type": "customer.created",
                       "data": {"object": {"id": "cus_1", "object": "customer"}}}).encode()
    t = int(time.time())
    sig = hmac.new(SECRET, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"}


def trickle(data, result, key):
    """Send data a byte every 0.5 s; record when the server closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    t0 = time.monotonic()
    try:
        for b in data:
            s.sendall(bytes([b]))
            time.sleep(0.5)
            if time.monotonic() - t0 > 12:
                result[key] = None
                return
        result[key] = "complete"  # the whole request went through
    except OSError:
        result[key] = time.monotonic() - t0
        return
    finally:
        s.close()


body, hdrs = signed("evt_slow")
head = ("POST /hooks/stripe/main HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items())
        + f"Content-Length: {len(body)}\r\n\r\n").encode()
result = {}
# One trickles its request line and headers, one sends its headers at once
# and trickles the body.
t1 = threading.Thread(target=trickle, args=(head + body, result, "headers"))
t1.start()
s2 = socket.create_connection(("127.0.0.1", port), timeout=5)
s2.sendall(head)
time.sleep(0.5)

# A signed delivery beside them is answered at once.
b, h = signed("evt_ok")
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
c.request("POST", "/hooks/stripe/main", b, h)
r = c.getresponse()
r.read()
if r.status != 200:
    sys.exit(f"delivery beside tricklers: status {r.status}")
# Requests on one kept connection 1.2 s apart, 2.4 s in all: each has its
# own 2 s (with room for a loaded machine's delays).
for evt in ("evt_keep1", "evt_keep2", "evt_keep3"):
    b, h = signed(evt)
    c.request("POST", "/hooks/stripe/main", b, h)
    r = c.getresponse(); r.read()
    if r.status != 200:
        sys.exit(f"{evt} on a kept connection: status {r.status}")
    if evt != "evt_keep3":
        time.sleep(1.2)
c.close()

# The body trickler on s2.
t0 = time.monotonic()
cut = None
try:
    for ch in body:
        s2.sendall(bytes([ch]))
        time.sleep(0.5)
        if time.monotonic() - t0 > 12:
            break
except OSError:
    cut = time.monotonic() - t0
t1.join()
if cut is None:
    sys.exit("the body trickler was never cut off")
h = result.get("headers")
if not isinstance(h, float):
    sys.exit(f"the header trickler was not cut off: {h!r}")
if h > 5:
    sys.exit(f"the header trickler was cut after {h:.1f} s, not about 2 s")
print(f"header trickler cut after {h:.1f} s, body trickler after {cut + 0.5:.1f} s more")
