# A revoked OAuth grant: the tool error says the connection needs
# reconnecting and carries the way to do it in the client (details.connect:
# the switchboard_connect tool and its arguments), as does
# switchboard_connections; that call, through URL elicitation, reconnects it.
set -eu
. "$ROOT/tests/oauth/lib.sh"
oauth_start
mkdir -p "$TMP/caps"
sed "s#http://127.0.0.1:9#$U#g" "$ROOT/tests/cases/4501-oauth-connect-pkce-refresh/caps/oauthtest.json" >"$TMP/caps/oauthtest.json"
SB="$BIN --capabilities $TMP/caps"
oauth_app oauthtest
oauth_connect oauthtest --name work
wait $CON || fail "connect: $(cat "$TMP/c.err")"
curl -s "$U/admin/revoke-access" >/dev/null
curl -s "$U/admin/revoke-refresh" >/dev/null
python3 "$CASE/drive.py" "$SB" 2>"$TMP/s.err" || fail "$(tail -5 "$TMP/s.err")"
echo ok
