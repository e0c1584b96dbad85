# Key rotation: the issuer publishes a new key after switchboard cached its
# JWKS; the first token signed with it makes one refetch and is accepted.
# A token naming a key the issuer never published makes no other refetch
# within jwks_min_refetch (an attacker cannot make us hammer the issuer), and
# is refused.
set -eu
. "$ROOT/tests/rs/lib.sh"
rs_start
keygen old rsa
config '"jwks_min_refetch": 60'
mkfifo "$TMP/in"
$BIN auth check-token --auth-config "$TMP/auth.json" <"$TMP/in" >"$TMP/v.jsonl" 2>"$TMP/v.err" &
CHK=$!
exec 3>"$TMP/in"
lines() { [ "$(wc -l <"$TMP/v.jsonl")" -ge "$1" ]; }

sign old "$(claims)" >&3
wait_until 20 "the first verdict" lines 1
[ "$(fetches)" = 1 ] || fail "fetches after the first token: $(fetches)"

keygen new ec
sign new "$(claims '"sub": "bob"')" >&3
wait_until 20 "the second verdict" lines 2
[ "$(fetches)" = 2 ] || fail "fetches after the rotation: $(fetches)"

# A key made here but never published.
python3 "$ROOT/tests/rs/issuer.py" keygen "$TMP/rogue" evil rsa
python3 "$ROOT/tests/rs/issuer.py" sign "$TMP/rogue" evil "$(claims)" >&3
sign old "$(claims)" >&3
exec 3>&-
wait $CHK || true
CHK=
clean_err
verdict 1 status=200 subject=alice
verdict 2 status=200 subject=bob
verdict 3 status=401 'reason~does not publish' 'www~error="invalid_token"'
verdict 4 status=200 subject=alice
[ "$(fetches)" = 2 ] || fail "an unknown key id made another fetch within jwks_min_refetch: $(fetches)"
echo ok
