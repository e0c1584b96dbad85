# tests/lib/wait.sh - waiting in the cases' shell scripts, sourced:
# . "$ROOT/tests/lib/wait.sh"
# Wait for the thing awaited (a port file, a log line, a row), never a fixed
# time; give up loudly, so a case under load fails with a reason or not at all.

# wait_until SECONDS WHAT COMMAND...: run COMMAND every 50 ms until it
# succeeds; after about SECONDS, say "timed out ... waiting for WHAT" on
# stdout and exit 1.
wait_until() {
	_wu_n=$(($1 * 20))
	_wu_what=$2
	shift 2
	while ! "$@"; do
		_wu_n=$((_wu_n - 1))
		if [ $_wu_n -le 0 ]; then
			echo "FAIL: timed out waiting for $_wu_what"
			exit 1
		fi
		sleep 0.05
	done
}

# wait_port FILE [WHAT]: wait until FILE (a --port-file) is written.
wait_port() {
	wait_until 20 "${2:-the port in $1}" test -s "$1"
}
