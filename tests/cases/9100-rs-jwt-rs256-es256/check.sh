# JWT access tokens from a real issuer (keys made with openssl, the JWKS
# served over loopback): RS256 and ES256 accepted, each caller its own
# principal, groups and scopes (the groups from a JSON-pointer claim, Entra's
# "scp" as scopes); one JWKS fetch serves every token of the process; the
# RFC 9728 metadata sits beside the resource's path.
set -eu
. "$ROOT/tests/rs/lib.sh"
rs_start
keygen r1 rsa
keygen e1 ec
config '"groups_claim": "/realm_access/roles", "scopes_supported": ["mcp:tools"]'
a=$(sign r1 "$(claims '"realm_access": {"roles": ["ops", "finance"]}')")
b=$(sign e1 "$(claims '"sub": "bob", "scope": null, "scp": ["mcp:tools", "mcp:read"], "aud": ["https://other.test", "https://MCP.test/mcp"]')")
check "$a" "$b" "$a"
verdict 1 status=200 subject=alice groups=ops,finance scopes=mcp:tools www=
verdict 2 status=200 subject=bob groups= scopes=mcp:tools,mcp:read
verdict 3 status=200 subject=alice
[ "$(fetches)" = 1 ] || fail "the JWKS was fetched $(fetches) times for three tokens"
grep -q "$a" "$TMP/v.err" && fail "a token is on stderr"

$BIN auth metadata --auth-config "$TMP/auth.json" >"$TMP/md.json" || fail "auth metadata"
python3 - "$TMP/md.json" <<'PY' || fail "metadata: $(cat "$TMP/md.json")"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["url"] == "https://mcp.test/.well-known/oauth-protected-resource/mcp", m
d = m["document"]
assert d["resource"] == "https://mcp.test/mcp", d
assert d["authorization_servers"] == ["https://issuer.test"], d
assert d["bearer_methods_supported"] == ["header"], d
assert d["scopes_supported"] == ["mcp:tools"], d
PY
echo ok
