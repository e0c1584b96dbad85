# Slack: oauth.v2.access nests a user token under authed_user. It is kept as
# the sealed secret user_token: not in config, not in the .db bytes as text.
# An ok:false answer (HTTP 200) is reported with Slack's error code.
set -eu
. "$ROOT/tests/oauth/lib.sh"
start() {
	oauth_start "$@"
	oauth_app slack
}
connect() {
	oauth_connect slack --set "base_url=$U/api" "$@"
}

start --slack
connect --name ws
wait $CON || fail "connect: $(cat "$TMP/c.err")"
cfg=$(sql "select config from connections where name='ws'")
echo "$cfg" | grep -q '"team_id": *"T1"' || fail "team_id not in config: $cfg"
echo "$cfg" | grep -q 'authed_user_id' || fail "authed_user_id not in config: $cfg"
! echo "$cfg" | grep -q 'xoxp-\|user_token' || fail "user token in config: $cfg"
# The secret is there, sealed: the CLI shows its name, the file never its value.
$BIN connections show slack/ws >"$TMP/show.out" 2>&1 || true
grep -q 'user_token' "$TMP/show.out" || fail "user_token not among the secrets: $(cat "$TMP/show.out")"
python3 - "$XDG_DATA_HOME/switchboard" <<'PY' || fail "the user token is readable in the store files"
import os, sys, re
d = sys.argv[1]
for f in os.listdir(d):
    data = open(os.path.join(d, f), "rb").read()
    if re.search(rb"xoxp-[0-9a-f]{8}", data):
        sys.exit(1)
PY
# The bot token works for calls.
$BIN call slack_channels_list '{}' >"$TMP/call.out" 2>"$TMP/call.err" || fail "call: $(cat "$TMP/call.err")"
oauth_stop

# Slack's failure shape: HTTP 200, ok:false.
start --token-body '{"ok":false,"error":"invalid_code"}'
connect --name bad
if wait $CON; then fail "ok:false connected"; fi
grep -q 'slack token endpoint answered HTTP 200: invalid_code' "$TMP/c.err" || fail "ok:false message: $(cat "$TMP/c.err")"
oauth_stop

# ok:false without an error field is still a failure.
start --token-body '{"ok":false}'
connect --name bad2
if wait $CON; then fail "bare ok:false connected"; fi
grep -q 'answered HTTP 200: ok:false' "$TMP/c.err" || fail "bare ok:false message: $(cat "$TMP/c.err")"
[ "$(sql "select count(*) from connections")" = "[(1,)]" ] || fail "failed flows saved"
! grep -q 'at_\|rt_\|xoxp-' "$TMP/c.err" "$TMP/call.err" || fail "a token in stderr"
echo ok
