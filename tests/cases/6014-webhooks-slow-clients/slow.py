"""Stalled clients against webhooks serve on argv[1]: one that sent its
headers and part of a body, and argv[2] more that sent half a request line
(slowloris). A signed delivery must still be answered, promptly, and the
server must drop the stalled ones after its idle timeout."""
import hashlib, hmac, http.client, json, socket, sys, time

port, crowd = int(sys.argv[1]), int(sys.argv[2])


def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=5)


stalled = connect()
stalled.sendall(b"POST /hooks/stripe/main HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n"
                b"Stripe-Signature: t=1,v1=00\r\n\r\n{\"id\": \"evt_")
others = []
for i in range(crowd):
    s = connect()
    s.sendall(b"POST /hooks/stripe/ma")
    others.append(s)
# Wait until the server has accepted them all: its listening socket's
# accept queue (rx_queue of the LISTEN line in /proc/net/tcp) is empty.
def backlog():
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if parts[1].endswith(":%04X" % port) and parts[3] == "0A":
                return int(parts[4].split(":")[1], 16)
    return 0
end = time.time() + 30
while backlog() and time.time() < end:
    time.sleep(0.02)

body = json.dumps({"id": "evt_fast", "object": "event", "type": "customer.created",
                   "data": {"object": {"id": "cus_fast", "object": "customer"}}}).encode()
t = int(time.time())
sig = hmac.new(b"whsec_slow", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
t0 = time.monotonic()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
try:
    c.request("POST", "/hooks/stripe/main", body,
              {"Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"})
    r = c.getresponse()
    status = r.status
except OSError as e:
    sys.exit(f"delivery beside {crowd + 1} stalled connections failed: {e!r}")
ms = (time.monotonic() - t0) * 1000
if status != 200:
    sys.exit(f"delivery: status {status}")
if ms > 4000:  # blocked by the stalled ones would be their 10 s idle timeout
    sys.exit(f"delivery took {ms:.0f} ms beside stalled connections")
print(f"delivery beside {crowd + 1} stalled connections: {ms:.1f} ms")

# The idle timeout closes the stalled connection (EOF or reset), with an
# answer or without.
stalled.settimeout(1)
deadline = time.monotonic() + 20
t0 = time.monotonic()
while True:
    try:
        if stalled.recv(4096) == b"":
            break
    except socket.timeout:
        if time.monotonic() > deadline:
            sys.exit("the stalled connection was never closed")
    except ConnectionResetError:
        break
print(f"stalled connection closed after {time.monotonic() - t0:.1f} s")
for s in others:
    s.close()
