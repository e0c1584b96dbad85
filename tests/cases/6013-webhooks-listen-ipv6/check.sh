# webhooks serve on IPv6: [::1]:PORT is IPv6 loopback only; [::]:PORT takes
# IPv6 and IPv4 (dual stack). An IPv6 address without brackets is refused.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP"/serve*.err 2>/dev/null; exit 1; }
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	echo "skip: IPv6 loopback (::1) is not available on this machine"
	exit 0
fi
printf '{"api_key":"sk_test_v6","webhook_secret":"whsec_v6"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null

serve() { # listen, n
	rm -f "$TMP/port"
	$BIN --log-level info webhooks serve --listen "$1" --port-file "$TMP/port" 2>"$TMP/serve$2.err" &
	SRV=$!
	wait_port "$TMP/port"
	[ -s "$TMP/port" ] || fail "no port file for $1"
	PORT=$(cat "$TMP/port")
}
stop() { kill -TERM $SRV; wait $SRV || fail "serve exited $?"; }

serve '[::1]:0' 1
trap 'kill $SRV 2>/dev/null || true' EXIT
grep -q "listening on http://\[::1\]:$PORT/hooks/" "$TMP/serve1.err" || fail "listening line"
python3 "$CASE/deliver.py" ::1 $PORT evt_v6 || fail "delivery over ::1"
python3 "$CASE/deliver.py" ::1 $PORT evt_forged forged || fail "forged over ::1"
! python3 "$CASE/deliver.py" 127.0.0.1 $PORT evt_v4 2>/dev/null || fail "[::1] took IPv4"
stop

serve '[::]:0' 2
grep -q "listening on http://\[::\]:$PORT/hooks/" "$TMP/serve2.err" || fail "listening line 2"
python3 "$CASE/deliver.py" ::1 $PORT evt_dual6 || fail "dual stack over ::1"
python3 "$CASE/deliver.py" 127.0.0.1 $PORT evt_dual4 || fail "dual stack over 127.0.0.1"
python3 "$CASE/deliver.py" 127.0.0.1 $PORT evt_forged forged || fail "forged over 127.0.0.1"
stop
trap - EXIT
# The peer shows as written: ::1, and an IPv4 peer as plain IPv4.
grep -q 'rejected a delivery from ::1:' "$TMP/serve1.err" || fail "peer ::1 in log"
grep -q 'rejected a delivery from 127.0.0.1:' "$TMP/serve2.err" || fail "peer 127.0.0.1 in log"

set +e
$BIN webhooks serve --listen '::1:8787' 2>"$TMP/bad.err"; s=$?
set -e
[ $s = 2 ] && grep -q 'ADDR:PORT or \[IPv6\]:PORT' "$TMP/bad.err" || fail "unbracketed: $s $(cat "$TMP/bad.err")"

$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" <<'PY'
import json, sys
got = sorted(json.loads(l)["vendor_event_id"] for l in open(sys.argv[1]))
assert got == ["evt_dual4", "evt_dual6", "evt_v6"], got
PY
echo ok
