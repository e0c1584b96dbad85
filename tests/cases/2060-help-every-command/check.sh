# Every command and subcommand answers --help (and `help COMMAND`) with its
# usage on stdout, exit 0, nothing on stderr, and runs nothing: serve --help
# with stdin left open returns at once. The list is the help table itself
# (help --commands), so a command added there is walked too; the top-level
# commands of main.c's table must each have an entry.
set -eu
out=$(cat)
printf '%s\n' "$out" >"$TMP/paths"
python3 - "$BIN" "$TMP/paths" <<'PY'
import subprocess, sys
b, paths = sys.argv[1], [l for l in open(sys.argv[2]).read().splitlines() if l]
assert len(paths) >= 31, f"only {len(paths)} commands in help --commands: {paths}"
top = {p.split()[0] for p in paths}
for must in ["serve", "tools", "call", "connectors", "check", "connections", "key", "oauth-app",
             "connect", "coverage", "webhooks", "events", "help", "version"]:
    assert must in top, f"{must} has no help entry"
for must in ["connections add", "connections refresh", "events poll", "events list",
             "webhooks serve", "oauth-app set", "key rotate"]:
    assert must in paths, f"{must} has no help entry"
def run(argv, stdin=subprocess.DEVNULL):
    # stdin a pipe never written nor closed: a command that waited on it
    # (serve) would time out here.
    return subprocess.run([b] + argv, stdin=stdin, capture_output=True, text=True, timeout=20)
failed = []
for p in paths:
    words = p.split()
    for argv in (words + ["--help"], words + ["-h"], ["help"] + words,
                 words + ["SOMETHING", "--help"] if len(words) == 2 else words + ["--help"]):
        try:
            r = subprocess.run([b] + argv, stdin=subprocess.PIPE, capture_output=True, text=True,
                               timeout=20)
        except subprocess.TimeoutExpired:
            failed.append(f"{argv}: did not return (it ran instead of helping)")
            continue
        if r.returncode != 0 or r.stderr or not r.stdout.startswith("usage: switchboard"):
            failed.append(f"{argv}: exit {r.returncode}, stderr {r.stderr[:200]!r}, "
                          f"stdout {r.stdout[:80]!r}")
        elif words[0] not in ("help", "version") and words[0] not in r.stdout.split("\n")[0]:
            failed.append(f"{argv}: the usage line does not name {words[0]}: {r.stdout[:80]!r}")
    # The subcommand's own help, not its group's (events poll once printed events list's).
    if len(words) == 2 and words[0] not in ("webhooks",):
        first = run(words + ["--help"]).stdout.split("\n")[0]
        if f"{words[0]} {words[1]}" not in first:
            failed.append(f"{p} --help: first line {first!r}")
for argv in (["--help"], ["-h"], ["help"]):
    r = run(argv)
    if r.returncode or not r.stdout.startswith("usage: switchboard [options]"):
        failed.append(f"{argv}: {r.returncode} {r.stdout[:60]!r}")
assert not failed, "\n".join(failed)
PY
echo ok
