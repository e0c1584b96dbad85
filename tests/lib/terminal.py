"""terminal.py - drive $BIN at a terminal (a pty) for the cases that check
interactive prompts (standard library only)."""
import os
import pty
import select
import sys
import time


def session(argv, steps, want_status=0, pause=0.05):
    """Run $BIN argv on a pty. steps: (text to wait for, answer bytes or
    None) in order. Fails the case on a timeout or another exit status;
    returns everything the program wrote."""
    binary = os.environ["BIN"]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(binary, [binary] + argv)
    seen = b""

    def until(text, timeout=30):
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
            time.sleep(pause)
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
