# Opaque tokens through RFC 7662 introspection: the server's own client
# credentials (HTTP Basic), active answers checked like a JWT's claims
# (audience, expiry), inactive ones refused, each answer kept for a short
# while (one POST for a token seen twice), a wrong client secret is a 503
# with a clear reason, and the token shows up in no log line.
set -eu
. "$ROOT/tests/rs/lib.sh"
rs_start
cfg() {
	umask 077
	printf '{"resource": "%s", "issuer": "%s", "introspection_endpoint": "%s/introspect",
"client_id": "switchboard", "client_secret": "%s", "groups_claim": "groups"}\n' \
		"$RESOURCE" "$ISSUER" "$U" "$1" >"$TMP/auth.json"
}
cfg s3cret
python3 "$ROOT/tests/rs/issuer.py" introspect "$ISS" opaque-alice-1 \
	'{"active": true, "sub": "alice", "iss": "https://issuer.test", "aud": "https://mcp.test/mcp", "exp": "now+300", "scope": "mcp:tools", "groups": ["ops"]}'
python3 "$ROOT/tests/rs/issuer.py" introspect "$ISS" opaque-carol-1 \
	'{"active": true, "sub": "carol", "aud": "https://other.test", "exp": "now+300"}'
python3 "$ROOT/tests/rs/issuer.py" introspect "$ISS" opaque-dave-1 \
	'{"active": true, "sub": "dave", "aud": ["https://mcp.test/mcp"], "exp": "now-100"}'
printf '%s\n' opaque-alice-1 opaque-revoked-1 opaque-carol-1 opaque-dave-1 opaque-alice-1 |
	SWITCHBOARD_LOG=debug $BIN auth check-token --auth-config "$TMP/auth.json" \
		>"$TMP/v.jsonl" 2>"$TMP/v.err" || true
clean_err
verdict 1 status=200 subject=alice groups=ops scopes=mcp:tools
verdict 2 status=401 'reason~not active' 'www~error="invalid_token"'
verdict 3 status=401 'reason~another audience'
verdict 4 status=401 'reason~expired'
verdict 5 status=200 subject=alice
n=$(grep -c '^POST /introspect' "$ISS/requests.log")
[ "$n" = 4 ] || fail "$n introspection requests for 4 distinct tokens"
grep -q 'opaque-\|s3cret' "$TMP/v.err" && fail "a token or the secret in the log: $(cat "$TMP/v.err")"

cfg wrong-secret
check opaque-alice-1
verdict 1 status=503 'reason~introspection failed' www=
grep -q 'introspection endpoint .* answered HTTP 401' "$TMP/v.err" || fail "no reason logged: $(cat "$TMP/v.err")"
echo ok
