# The issuer alone configured: its jwks_uri comes from its RFC 8414
# metadata (well-known URI), fetched once, and its tokens are checked. A
# metadata document naming another issuer is not used (a 503 that says so
# in the log, no token accepted).
set -eu
. "$ROOT/tests/rs/lib.sh"
rs_start
keygen k1 ec
ISSUER=$U
umask 077
printf '{"resource": "%s", "issuer": "%s"}\n' "$RESOURCE" "$U" >"$TMP/auth.json"
t=$(sign k1 "$(claims)")
check "$t" "$t"
verdict 1 status=200 subject=alice
verdict 2 status=200 subject=alice
[ "$(grep -c '^GET /.well-known/oauth-authorization-server$' "$ISS/requests.log")" = 1 ] ||
	fail "metadata requests: $(cat "$ISS/requests.log")"
[ "$(fetches)" = 1 ] || fail "JWKS fetches: $(fetches)"

echo "https://evil.test" >"$ISS/metadata-issuer"
check "$t"
verdict 1 status=503 'reason~signing keys cannot be fetched'
grep -q 'names another issuer; not used' "$TMP/v.err" || fail "stderr: $(cat "$TMP/v.err")"
echo ok
