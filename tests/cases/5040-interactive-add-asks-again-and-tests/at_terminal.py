"""Case 5040: connections add at a terminal. A malformed key is said and
asked again (not the whole add aborted), so is an empty answer to a required
field; then the test is offered, Enter runs it against the stub, and its
outcome is recorded. With --no-test nothing is offered."""
import os, pty, select, sys, time

binary, stub = os.environ["BIN"], os.environ["STUB"]


def session(argv, steps):
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
            time.sleep(0.1)
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
    if status != 0:
        sys.exit("exit status %d: %r" % (status, seen))
    return seen.decode(errors="replace")


out = session(["connections", "add", "stripe", "--name", "tty", "--set", "base_url=" + stub], [
    (b"api_key: ", b"pk_test_wrongkind\n"),
    (b"try again", None),
    (b"api_key: ", b"\n"),
    (b"'api_key' is required; try again", None),
    (b"api_key: ", b"sk_test_typed123secret\n"),
    (b"Enter skips]: ", b"\n"),
    (b"added stripe/tty", None),
    (b"now with a read call? [Y/n]: ", b"\n"),
    (b"ok: stripe/tty answered stripe_customers_list", None),
])
assert "does not have the expected form" in out, out
assert "pk_test_wrongkind" not in out and "sk_test_typed" not in out, "a secret echoed: " + out

out = session(["connections", "add", "stripe", "--name", "quiet", "--no-test",
               "--set", "base_url=" + stub], [
    (b"api_key: ", b"sk_test_other456secret\n"),
    (b"Enter skips]: ", b"\n"),
    (b"added stripe/quiet", None),
])
assert "[Y/n]" not in out, out
print("ok")
