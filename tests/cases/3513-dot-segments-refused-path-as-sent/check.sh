# What a dry run prints is what goes on the wire, byte for byte: dot
# segments are sent as written (CURLOPT_PATH_AS_IS), a fragment is never
# sent, and bytes outside printable ASCII are percent-encoded first.
fail() { echo "FAIL: $*"; exit 1; }
export HTTP_BASE_URL=$STUB/api HTTP_ALLOW_PRIVATE=true
out=$("$BIN" call stripe_customers_delete '{"id":".."}' --dry-run 2>&1) && fail "dry run of '..': $out"
case $out in *"path parameter 'id' may not be '.' or '..'"*) ;; *) fail "dry run of '..': $out" ;; esac
: >"$TMP/sent"
for p in '/a/./b/../c' '/a/%2e%2e/b' '/x/..' '/x/.' '/a//b' '/caf\u00e9/\u65e5' '/x#frag' '/q/..?k=v#f'; do
	args="{\"method\":\"GET\",\"path\":\"$p\"}"
	dry=$("$BIN" call http_requests_send "$args" --dry-run 2>&1) || fail "dry run of $p: $dry"
	"$BIN" call http_requests_send "$args" >/dev/null 2>"$TMP/err" || fail "send of $p: $(cat "$TMP/err")"
	printf '%s\n' "$dry" | python3 -c 'import json, sys; print(json.load(sys.stdin)["url"])' >>"$TMP/sent"
done
python3 - "$TMP/sent" "$TMP/stub-requests.jsonl" "$STUB" <<'PY'
import json, sys, urllib.parse
dry = [l.rstrip("\n") for l in open(sys.argv[1])]
seen = [json.loads(l) for l in open(sys.argv[2])][2:]  # after the Stripe session's two
stub = sys.argv[3]
want = ["/api/a/./b/../c", "/api/a/%2e%2e/b", "/api/x/..", "/api/x/.", "/api/a//b",
        "/api/caf%C3%A9/%E6%97%A5", "/api/x", "/api/q/..?k=v"]
assert len(seen) == len(dry) == len(want), (dry, seen)
for d, s, w in zip(dry, seen, want):
    assert d == stub + w, ("dry run", d, w)
    q = urllib.parse.urlencode(s["query"])
    assert s["path"] + ("?" + q if q else "") == w, ("sent", s, w)
PY
