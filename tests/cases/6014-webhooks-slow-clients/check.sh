# webhooks serve beside stalled clients: one that sent headers and stopped
# mid-body, and 1100 that stopped mid request line (more than select()'s
# FD_SETSIZE), do not keep a signed delivery from being answered at once;
# the idle timeout then drops them.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
printf '{"api_key":"sk_test_slow","webhook_secret":"whsec_slow"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
# As many descriptors as a desktop's default soft limit allows.
ulimit -Sn 1024
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
[ -s "$TMP/port" ] || fail "no port file"
(ulimit -Sn 4096; python3 "$CASE/slow.py" "$(cat "$TMP/port")" 1100) >"$TMP/slow.out" 2>&1 || fail "$(cat "$TMP/slow.out")"
cat "$TMP/slow.out" >&2
kill -TERM $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
$BIN events list --jsonl | grep -q '"vendor_event_id": *"evt_fast"' || fail "evt_fast not stored"
echo ok
