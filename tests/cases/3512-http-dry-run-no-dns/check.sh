# A dry run touches no network: a host name is not looked up (the output
# says its addresses are checked when the request is sent), so a name that
# does not resolve, or resolves to loopback, still shows its request. The
# real send does look it up and refuses loopback.
fail() { echo "FAIL: $*"; exit 1; }
for base in http://api.example.invalid/v1 http://localhost:9/v1; do
	out=$(HTTP_BASE_URL=$base "$BIN" call http_requests_send '{"method":"GET","path":"/items"}' --dry-run 2>&1) ||
		fail "$base: $out"
	printf '%s' "$out" | python3 -c '
import json, sys
req = json.load(sys.stdin)
host = sys.argv[1].split("/")[2].split(":")[0]
assert req["url"] == sys.argv[1] + "/items", req
assert req["not_checked"] == "the addresses of host %r are looked up and checked when the request is sent" % host, req
' "$base" || fail "$base: $out"
done
out=$(HTTP_BASE_URL=http://localhost:9/v1 "$BIN" call http_requests_send '{"method":"GET","path":"/items"}' 2>&1) &&
	fail "sent to localhost: $out"
case $out in *"host 'localhost' resolves to a private, loopback or link-local address"*) ;; *) fail "send: $out" ;; esac
echo ok
