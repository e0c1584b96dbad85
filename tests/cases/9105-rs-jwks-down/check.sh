# The issuer's JWKS cannot be had: a clear 503 (not a crash, not a 401 that
# would send the client to log in again), and no second attempt within
# jwks_min_refetch, so a dead issuer does not hold every request for a
# timeout. Keys fetched before keep working while the issuer is down.
set -eu
. "$ROOT/tests/rs/lib.sh"
rs_start
keygen k1 rsa
t=$(sign k1 "$(claims)")

# Nothing listens there (port 1: a port found free here could be another
# running case's by the time of use).
port=1
umask 077
printf '{"resource": "%s", "issuer": "%s", "jwks_uri": "http://127.0.0.1:%s/jwks"}\n' \
	"$RESOURCE" "$ISSUER" "$port" >"$TMP/auth.json"
check "$t" "$t"
verdict 1 status=503 "reason~signing keys cannot be fetched" www=
verdict 2 status=503
[ "$(grep -c 'cannot fetch the issuer' "$TMP/v.err")" = 1 ] || fail "stderr: $(cat "$TMP/v.err")"

# The issuer answers 503; then it is down after one good fetch.
touch "$ISS/down"
config
check "$t"
verdict 1 status=503
rm "$ISS/down"
config '"jwks_max_age": 0, "jwks_min_refetch": 0'
mkfifo "$TMP/in"
rm -f "$TMP/v.jsonl"
$BIN auth check-token --auth-config "$TMP/auth.json" <"$TMP/in" >"$TMP/v.jsonl" 2>"$TMP/v.err" &
CHK=$!
exec 3>"$TMP/in"
echo "$t" >&3
wait_until 20 "the first verdict" test -s "$TMP/v.jsonl"
[ "$(fetches)" = 2 ] || fail "fetches: $(fetches)"
touch "$ISS/down"
echo "$t" >&3
exec 3>&-
wait $CHK || true
CHK=
clean_err
verdict 1 status=200 subject=alice
verdict 2 status=200 subject=alice
grep -q 'JWKS answered HTTP 503' "$TMP/v.err" || fail "the failed refetch was not said: $(cat "$TMP/v.err")"
echo ok
