# The runner itself (tests/run.py --cases on cases/ here), run as from a
# terminal: its stdin, stdout and stderr a pty. No case gets the terminal as
# stdin; a process left running fails its case, named, and is killed (in the
# case's process group or not); a script failing without a word still gets a
# message; #!wait-stub waits for the stub, and times out with a reason;
# results come in case order whatever finishes first; Ctrl-C stops the lot.
set -eu
python3 - "$ROOT/tests/run.py" "$(dirname "$BIN")" "$CASE/cases" <<'PY'
import os, pty, re, signal, sys, time
runner, build, cases = sys.argv[1:]
ME = str(os.getpid())  # in what cases b and c leave running: theirs, not another run's
os.environ["SELFTEST_ID"] = ME


def start():
    pid, fd = pty.fork()
    if pid == 0:
        # As from a terminal, whatever this runs under (a job started with
        # & in a script has SIGINT ignored, and would pass that on).
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execvp(sys.executable, [sys.executable, runner, "--build", build, "--cases", cases, "-j", "3"])
    return pid, fd


def read_all(fd, until=None):
    """What the runner writes on its terminal, until it ends (or until the
    function until(text) holds)."""
    out = b""
    end = time.time() + 50
    while time.time() < end and not (until and until(out)):
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the runner is gone
            break
        if not data:
            break
        out += data
    return out.decode(errors="replace").replace("\r\n", "\n")


def sleepers():
    """The processes the cases b and c leave, still running."""
    found = []
    for p in os.listdir("/proc"):
        try:
            cmd = open(f"/proc/{p}/cmdline", "rb").read()
            state = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if cmd in (b"sleep\x00300.%s\x00" % ME.encode(), b"sleep\x00301.%s\x00" % ME.encode()) and state != "Z":
            found.append(f"{p} {cmd!r}")
    return found


pid, fd = start()
text = read_all(fd)
_, status = os.waitpid(pid, 0)
def fail(why):
    sys.exit(f"{why}\n--- the runner said:\n{text}")
if os.waitstatus_to_exitcode(status) != 1:
    fail(f"runner exit status {status}, expected 1 (failures)")
verdicts = re.findall(r"^(ok|FAIL|skip) +(\S+)", text, re.M)
names = [n for _, n in verdicts]
if names != sorted(os.listdir(cases)):
    fail(f"results not in case order: {names}")
want = {"a-stdin-not-a-terminal": "ok", "b-leaves-a-process": "FAIL", "c-leaves-its-group": "FAIL",
        "d-silent-set-e": "FAIL", "e-wait-stub": "ok", "f-wait-stub-times-out": "FAIL"}
if dict((n, v) for v, n in verdicts) != want:
    fail(f"verdicts {verdicts}, expected {want}")
for pat in [r"FAIL  b-leaves-a-process.*\n  left processes running \(killed\): \d+ sleep 300\." + ME,
            r"FAIL  c-leaves-its-group.*\n  left processes running \(killed\): \d+ sleep 301\." + ME,
            r"FAIL  d-silent-set-e.*\n  check.sh failed \(exit status 1\): \(it printed nothing",
            r"FAIL  f-wait-stub-times-out.*\n  timed out after 3.0s at #!wait-stub requests 2",
            r"\n2 passed, 4 failed\n$"]:
    if not re.search(pat, text):
        fail(f"no /{pat}/")
end = time.time() + 20
while sleepers() and time.time() < end:
    time.sleep(0.02)
left = sleepers()
if left:
    fail(f"left running after the runner: {left}")

# Ctrl-C at the terminal while cases run: the cases' processes (in sessions
# of their own, so the terminal's SIGINT does not reach them) are stopped too.
pid, fd = start()
text = read_all(fd, lambda out: b"a-stdin-not-a-terminal" in out)  # it reads the terminal now
end = time.time() + 20
while len(sleepers()) < 2 and time.time() < end:
    time.sleep(0.02)
if len(sleepers()) < 2:
    sys.exit(f"cases b and c did not start their processes: {sleepers()}")
os.write(fd, b"\x03")
text += read_all(fd)
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 130 or "interrupted" not in text:
    fail(f"after Ctrl-C: exit status {status}, expected 130 and 'interrupted'")
# The runner has killed them; the kernel may take a moment to reap them.
end = time.time() + 20
while sleepers() and time.time() < end:
    time.sleep(0.02)
left = sleepers()
if left:
    fail(f"left running after Ctrl-C: {left}")
PY
