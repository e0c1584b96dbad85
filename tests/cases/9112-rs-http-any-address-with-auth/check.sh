# With --auth-config, serve --http listens on an address other than
# loopback (0.0.0.0), and every request needs a token: none gets 401, a
# static token of the team 200. A configuration that cannot be used stops
# it before it listens (exit 1, the reason on stderr): a missing file, a
# client_secret others may read, a tokens file others may read.
set -u
fail() { echo "FAIL: $*"; exit 1; }
umask 077
tok=team-token-0123456789abcdef
h=$(echo "$tok" | "$BIN" auth hash-token) || fail "hash-token"
echo "$h erin ops" >"$TMP/tokens"
echo '{"resource": "https://mcp.example.com/mcp", "tokens_file": "tokens"}' >"$TMP/auth.json"
python3 - "$BIN" "$TMP/auth.json" "$tok" <<'PY' || exit 1
import sys
from mcphttp import Server, modern, expect
srv = Server(sys.argv[1], ["--auth-config", sys.argv[2]], addr="0.0.0.0:0")
r = srv.post(modern(1, "tools/list"), headers={"Host": "localhost"})
expect(r.status == 401, "no token on 0.0.0.0", r)
expect(r.headers.get("www-authenticate") == 'Bearer resource_metadata="https://mcp.example.com/'
       '.well-known/oauth-protected-resource/mcp"', "the challenge", r.headers)
r = srv.post(modern(2, "tools/list"), headers={"Host": "localhost", "Authorization": "Bearer " + sys.argv[3]})
expect(r.status == 200 and "tools" in r.json["result"], "a team token on 0.0.0.0", r)
srv.stop()
PY

bad() { # bad WHAT PATTERN: serve must refuse $TMP/bad.json with PATTERN on stderr
	"$BIN" --store "$TMP/s.db" serve --http 127.0.0.1:0 --auth-config "$TMP/bad.json" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, not 1: $(cat "$TMP/err")"
	grep -q "$2" "$TMP/err" || fail "$1: $(cat "$TMP/err")"
}
rm -f "$TMP/bad.json"
bad "a missing file" "cannot open"
printf '{"resource": "https://mcp.example.com/mcp", "issuer": "https://i.example.com",
 "introspection_endpoint": "https://i.example.com/introspect", "client_id": "sb",
 "client_secret": "s3cret-value"}\n' >"$TMP/bad.json"
chmod 644 "$TMP/bad.json"
bad "a readable client_secret" "chmod 600"
grep -q s3cret-value "$TMP/err" && fail "the secret on stderr"
echo '{"resource": "https://mcp.example.com/mcp", "tokens_file": "tokens"}' >"$TMP/bad.json"
chmod 640 "$TMP/tokens"
bad "a readable tokens file" "tokens file .* is open to others"
echo ok
