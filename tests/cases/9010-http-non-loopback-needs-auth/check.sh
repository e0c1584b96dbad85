# serve --http on an address other than loopback, with no authenticator
# configured, refuses to start (exit 1, a reason the user can act on) rather
# than hand every connection to whoever reaches the port: 0.0.0.0 (the case's
# own run), ::, a LAN address. Loopback (127.0.0.2, ::1) starts. Bad
# arguments are refused with exit 2.
set -u
fail() { echo "FAIL: $*"; exit 1; }
for addr in '[::]:0' '192.0.2.10:0' '10.1.2.3:8080'; do
	"$BIN" --store "$TMP/s.db" serve --http "$addr" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$addr: exit $rc, not 1: $(cat "$TMP/err")"
	grep -q 'without authentication' "$TMP/err" || fail "$addr: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "$addr: stdout: $(cat "$TMP/out")"
done
for args in '--http' '--http 127.0.0.1' '--http 127.0.0.1:99999' '--http 127.0.0.1:0 --path mcp' \
	'--http 127.0.0.1:0 --bogus 1' '--path /mcp'; do
	# shellcheck disable=SC2086
	"$BIN" --store "$TMP/s.db" serve $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "serve $args: exit $rc, not 2: $(cat "$TMP/err")"
	[ -s "$TMP/err" ] || fail "serve $args: no reason given"
done
python3 - "$BIN" <<'PY' || fail "loopback"
import sys
from mcphttp import Server, modern, expect
for addr in ("127.0.0.2:0", "[::1]:0"):
    srv = Server(sys.argv[1], addr=addr)
    r = srv.post(modern(1, "tools/list"), headers={"Host": "localhost"})
    expect(r.status == 200, addr, r)
    srv.stop()
PY
echo ok
