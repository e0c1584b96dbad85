# Static bearer tokens for a small team: a file of SHA-256 hashes (made by
# auth hash-token), each mapped to a principal and groups; other tokens are
# refused; the file is refused while others may read it.
set -eu
. "$ROOT/tests/rs/lib.sh"
umask 077
ha=$(echo "team-token-alice-0001" | $BIN auth hash-token) || fail "hash-token"
hb=$(echo "team-token-bob-0002" | $BIN auth hash-token)
echo "$ha" | grep -Eq '^sha256:[0-9a-f]{64}$' || fail "hash-token printed $ha"
printf '# who may call\n%s alice ops,finance\n%s bob\n' "$ha" "$hb" >"$TMP/tokens"
printf '{"resource": "http://127.0.0.1:8931/mcp", "tokens_file": "tokens"}\n' >"$TMP/auth.json"
check team-token-alice-0001 team-token-bob-0002 team-token-carol-0003 ""
verdict 1 status=200 subject=alice groups=ops,finance
verdict 2 status=200 subject=bob groups=
verdict 3 status=401 'reason~not known' 'www~error="invalid_token"'
verdict 4 status=401 'www~^Bearer resource_metadata="http://127.0.0.1:8931/.well-known/oauth-protected-resource/mcp"$'
grep -q team-token "$TMP/tokens" && fail "a token in the tokens file"

chmod 644 "$TMP/tokens"
if echo x | $BIN auth check-token --auth-config "$TMP/auth.json" >/dev/null 2>"$TMP/err"; then
	fail "a tokens file others may read was used"
fi
grep -q "chmod 600" "$TMP/err" || fail "no advice: $(cat "$TMP/err")"
echo ok
