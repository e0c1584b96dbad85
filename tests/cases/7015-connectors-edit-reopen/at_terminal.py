"""Case 7015: connectors edit at a terminal: an edit that fails the schema is
said and the editor offered again (Enter: yes); the mended edit is saved.
Answering n keeps the edit aside instead."""
import os, pty, select, sys, time

binary = os.environ["BIN"]


def session(argv, steps, want_status=0):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(binary, [binary] + argv)
    seen = b""

    def until(text, timeout=10):
        nonlocal seen
        end = time.time() + timeout
        while text not in seen:
            if time.time() > end:
                sys.exit("timed out waiting for %r; got %r" % (text, seen))
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    seen += os.read(fd, 1024)
                except OSError:
                    sys.exit("terminal closed; got %r" % seen)

    for wait, answer in steps:
        until(wait)
        if answer is not None:
            time.sleep(0.05)
            os.write(fd, answer)
    try:
        while True:
            data = os.read(fd, 1024)
            if not data:
                break
            seen += data
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != want_status:
        sys.exit("exit status %d: %r" % (status, seen))
    return seen.decode(errors="replace")


u = os.path.join(os.environ["XDG_CONFIG_HOME"], "switchboard/capabilities")
out = session(["connectors", "edit", "xero"], [
    (b"your edit of xero: ", None),
    (b"Edit again? [Y/n] ", b"\n"),
    (b"saved " + u.encode() + b"/xero.json", None),
])
assert "/description" in out, out
runs = open(os.path.join(os.environ["TMP"], "editor.log")).read().split()
assert runs == ["xero.json", "xero.json"], runs
assert "Mended on the second run." in open(os.path.join(u, "xero.json")).read()

# n: the edit is kept aside, the saved file unchanged.
os.remove(os.path.join(os.environ["TMP"], "editor.log"))
before = open(os.path.join(u, "xero.json")).read()
out = session(["connectors", "edit", "xero"], [
    (b"Edit again? [Y/n] ", b"n\n"),
    (b"your edit is kept in " + u.encode() + b"/xero.json.rejected; xero is unchanged", None),
], want_status=1)
assert open(os.path.join(u, "xero.json")).read() == before
assert '"description": 42' in open(os.path.join(u, "xero.json.rejected")).read()
print("ok")
