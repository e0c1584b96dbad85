# webhooks register/list/remove with GitHub: we generate the secret (GitHub
# returns none), send it in config.secret, keep it sealed, and serve then
# verifies an X-Hub-Signature-256 made with it; --org goes to the org hooks,
# where a 422 gives GitHub's message and exit 1.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
printf 'ghp_regtoken123' | $BIN connections add github --name gh --secret-stdin --set base_url=$STUB >/dev/null

$BIN webhooks register gh --url https://pub.example.net --repo octo/hello --events push,issues \
	>"$TMP/reg.out" 2>"$TMP/reg.err" || fail "register: $(cat "$TMP/reg.err")"
grep -q '^registered 4711  https://pub.example.net/hooks/github/gh' "$TMP/reg.out" || fail "out: $(cat "$TMP/reg.out")"
grep -q 'stored the signing secret as webhook_secret (sealed)' "$TMP/reg.err" || fail "err: $(cat "$TMP/reg.err")"

set +e
$BIN webhooks register gh --url https://pub.example.net --org octo-org >"$TMP/org.out" 2>"$TMP/org.err"
rc=$?
set -e
[ $rc = 1 ] || fail "org exit $rc"
grep -q 'Validation Failed' "$TMP/org.err" || fail "org: $(cat "$TMP/org.err")"
set +e
$BIN webhooks register gh --url https://pub.example.net >"$TMP/norepo.out" 2>"$TMP/norepo.err"
rc=$?
set -e
[ $rc = 1 ] || fail "no repo exit $rc"
grep -q 'owner' "$TMP/norepo.err" && grep -q -- '--repo' "$TMP/norepo.err" || fail "no repo: $(cat "$TMP/norepo.err")"

$BIN webhooks list gh --repo octo/hello >"$TMP/list.out" || fail "list"
grep -q '^\* 4711 .*https://pub.example.net/hooks/github/gh  push,issues$' "$TMP/list.out" || fail "list: $(cat "$TMP/list.out")"
$BIN webhooks remove gh 4711 --repo octo/hello >"$TMP/rm.out" || fail "remove"
grep -qx 'removed 4711' "$TMP/rm.out" || fail "rm: $(cat "$TMP/rm.out")"

python3 - "$TMP/stub-requests.jsonl" "$TMP/secret" <<'PY'
import json, re, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
p = [r for r in reqs if r["path"] == "/repos/octo/hello/hooks" and r["method"] == "POST"]
assert len(p) == 1, reqs
b = p[0]["body"]
secret = b["config"]["secret"]
assert re.fullmatch(r"[0-9a-f]{64}", secret), secret
assert b == {"name": "web", "active": True, "events": ["push", "issues"],
             "config": {"url": "https://pub.example.net/hooks/github/gh", "content_type": "json",
                        "secret": secret, "insecure_ssl": "0"}}, b
assert p[0]["headers"]["authorization"] == "Bearer ghp_regtoken123", p[0]["headers"]
o = [r for r in reqs if r["path"] == "/orgs/octo-org/hooks"]
assert len(o) == 1, reqs
# The org hook reuses the connection's secret: one secret per delivery URL.
assert o[0]["body"]["config"]["secret"] == secret, o[0]["body"]
assert o[0]["body"]["events"][:3] == ["push", "issues", "issue_comment"], o[0]["body"]
assert [r["method"] + " " + r["path"] for r in reqs if r["method"] in ("GET", "DELETE")] == [
    "GET /repos/octo/hello/hooks", "DELETE /repos/octo/hello/hooks/4711"], reqs
open(sys.argv[2], "w").write(secret)
PY
SECRET=$(cat "$TMP/secret")
for f in reg.out reg.err org.out org.err norepo.err list.out rm.out; do
	! grep -q "$SECRET" "$TMP/$f" || fail "the secret in $f"
done
! grep -rqa "$SECRET" "$TMP/data/switchboard" || fail "the secret in plain text in the store"

$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
python3 - "$(cat "$TMP/port")" "$SECRET" <<'PY' || fail "delivery"
import hashlib, hmac, json, sys, urllib.request
port, secret = sys.argv[1], sys.argv[2]
body = json.dumps({"action": "opened", "issue": {"number": 5}}).encode()
def send(key, did):
    sig = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/github/gh", data=body, method="POST",
        headers={"X-Hub-Signature-256": sig, "X-GitHub-Event": "issues", "X-GitHub-Delivery": did,
                 "Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code
assert send("not-the-secret", "d-0") == 401
assert send(secret, "d-1") == 200
PY
kill -TERM $SRV; wait $SRV || true; trap - EXIT
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP"/*.err || fail "sanitizer: $(cat "$TMP"/*.err)"
$BIN events list --jsonl | grep -q '"vendor_event":"issues.opened"' || fail "event not stored"
echo ok
