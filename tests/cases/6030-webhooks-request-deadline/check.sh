# webhooks serve --request-timeout 2: a client that trickles its request a
# byte every half second (never idle long enough for the 10 s idle timeout)
# is cut off after about 2 s, one trickling its body too, while a signed
# delivery on another connection is answered; keep-alive requests each get
# their own deadline.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
printf '{"api_key":"sk_test_slow","webhook_secret":"whsec_trickle"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" --request-timeout 2 \
	--log-level debug 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
[ -s "$TMP/port" ] || fail "no port file"
python3 "$CASE/trickle.py" "$(cat "$TMP/port")" >"$TMP/trickle.out" 2>&1 || fail "$(cat "$TMP/trickle.out")"
cat "$TMP/trickle.out" >&2
kill -TERM $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
grep -q 'not complete within 2 s' "$TMP/serve.err" || fail "no log line for the cut"
n=$($BIN events list --jsonl | grep -c '"vendor_event_id": *"evt_' || true)
[ "$n" = 4 ] || fail "expected 4 stored events (evt_ok, evt_keep1 to 3), got $n"
echo ok
