# stdin and stdout are one socket (as in a terminal, or a client that hands
# the server one socketpair end): the O_NONBLOCK serve sets on stdin is on
# stdout too. A reader that falls behind must not make replies go missing
# or come out cut: 30000 pings, read only after a pause, all answered whole.
python3 - "$BIN" <<'PY'
import fcntl, json, socket, struct, subprocess, sys, termios, threading, time
ours, theirs = socket.socketpair()
proc = subprocess.Popen([sys.argv[1], "serve"], stdin=theirs, stdout=theirs)
theirs.close()
N = 30000
def send():
    ours.sendall(b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(N)))
    ours.shutdown(socket.SHUT_WR)
threading.Thread(target=send, daemon=True).start()
# Let the replies pile up: wait until the bytes waiting in the socket stop
# growing (the server's writes meet a full socket), not a fixed time.
queued = lambda: struct.unpack("i", fcntl.ioctl(ours, termios.FIONREAD, b"\0" * 4))[0]
last, still, end = -1, 0, time.time() + 30
while still < 4 and time.time() < end:
    time.sleep(0.05)
    n = queued()
    still = still + 1 if n == last and n > 0 else 0
    last = n
buf = b""
ours.settimeout(30)
while True:
    chunk = ours.recv(1 << 16)
    if not chunk:
        break
    buf += chunk
proc.wait(10)
lines = buf.split(b"\n")
assert lines[-1] == b"", "last reply cut: %r" % lines[-1][:80]
ids = []
for line in lines[:-1]:
    msg = json.loads(line)
    assert msg.get("result") == {}, line[:200]
    ids.append(msg["id"])
assert ids == list(range(N)), "got %d of %d replies" % (len(ids), N)
assert proc.returncode == 0, "exit %s" % proc.returncode
PY
