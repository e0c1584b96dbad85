# tests/rs/lib.sh - shell helpers of the resource-server cases (91xx),
# sourced by their check.sh: . "$ROOT/tests/rs/lib.sh"
# The issuer (tests/rs/issuer.py) keeps its keys in $ISS and serves them at
# $U/jwks, introspection at $U/introspect; $ISS/requests.log lists what it
# was asked. The auth configuration is $TMP/auth.json.

fail() { echo "FAIL: $*"; exit 1; }
. "$ROOT/tests/lib/wait.sh"

ISS="$TMP/iss"
ISSUER=https://issuer.test
RESOURCE=https://mcp.test/mcp
SRV= CHK=
rs_cleanup() {
	[ -z "$CHK" ] || kill $CHK 2>/dev/null || true
	[ -z "$SRV" ] || kill $SRV 2>/dev/null || true
}
trap rs_cleanup EXIT

# rs_start: start the issuer on a free loopback port; sets SRV and U.
rs_start() {
	mkdir -p "$ISS/jwks"
	rm -f "$TMP/isp"
	python3 "$ROOT/tests/rs/issuer.py" serve "$ISS" --port-file "$TMP/isp" &
	SRV=$!
	wait_port "$TMP/isp" "the issuer's port"
	U="http://127.0.0.1:$(cat "$TMP/isp")"
}

keygen() { python3 "$ROOT/tests/rs/issuer.py" keygen "$ISS" "$@" || fail "keygen $*"; }
# sign KID CLAIMS [--alg A] [--typ T] [--no-kid] [--tamper]: print a JWT.
sign() { python3 "$ROOT/tests/rs/issuer.py" sign "$ISS" "$@" || fail "sign $*"; }
# claims [JSON-MEMBERS]: the usual claims (alice, aud $RESOURCE, 5 minutes),
# with the members given added or replacing them.
claims() {
	python3 -c 'import json,sys; c={"iss":sys.argv[1],"aud":sys.argv[2],"sub":"alice",
"exp":"now+300","iat":"now","scope":"mcp:tools","groups":["ops"]}
c.update(json.loads("{"+sys.argv[3]+"}")); print(json.dumps({k:v for k,v in c.items() if v is not None}))' \
		"$ISSUER" "$RESOURCE" "${1:-}"
}
# config JSON-MEMBERS: write $TMP/auth.json (0600) with resource, issuer and
# the issuer's JWKS, plus the members given.
config() {
	umask 077
	printf '{"resource": "%s", "issuer": "%s", "jwks_uri": "%s/jwks"%s}\n' \
		"$RESOURCE" "$ISSUER" "$U" "${1:+, $1}" >"$TMP/auth.json"
}
# check TOKEN...: what switchboard auth check-token makes of each token (one
# process, one JSON line each) into $TMP/v.jsonl; stderr into $TMP/v.err.
check() {
	printf '%s\n' "$@" | $BIN auth check-token --auth-config "$TMP/auth.json" \
		>"$TMP/v.jsonl" 2>"$TMP/v.err" || true
	clean_err
}
# clean_err: no sanitizer report in $TMP/v.err (check-token's exit status
# says only whether every token was accepted).
clean_err() {
	! grep -q 'Sanitizer\|runtime error' "$TMP/v.err" || fail "sanitizer: $(cat "$TMP/v.err")"
}
# verdict N KEY=VALUE...: line N of $TMP/v.jsonl has these (tests/rs/vcheck.py).
verdict() { python3 "$ROOT/tests/rs/vcheck.py" "$TMP/v.jsonl" "$@" || exit 1; }
# fetches: how many times the issuer's JWKS was asked for.
fetches() { grep -c '^GET /jwks' "$ISS/requests.log" 2>/dev/null || true; }
