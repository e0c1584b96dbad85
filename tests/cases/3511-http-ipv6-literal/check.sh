# An IPv6 literal base URL works: the address is checked as it is and
# connected to as it is (no pinned CURLOPT_RESOLVE entry, which libcurl
# cannot parse for a literal). Refused without allow_private, as loopback.
fail() { echo "FAIL: $*"; [ -z "${SRV:-}" ] || kill $SRV; exit 1; }
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	echo "skip: IPv6 loopback (::1) is not available on this machine"
	exit 0
fi
python3 - "$TMP/port" <<'PY' &
import http.server, json, os, socket, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path, "host": self.headers.get("Host")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(http.server.HTTPServer):
    address_family = socket.AF_INET6
s = S(("::1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
SRV=$!
for i in $(seq 600); do [ -s "$TMP/port" ] && break; sleep 0.05; done
PORT=$(cat "$TMP/port")
export HTTP_BASE_URL="http://[::1]:$PORT/api"
out=$(HTTP_ALLOW_PRIVATE=true "$BIN" call http_requests_send '{"method":"GET","path":"/items"}' 2>&1) || fail "allowed: $out"
case $out in *'"path": "/api/items"'*'"host": "[::1]:'$PORT'"'*) ;; *) fail "allowed: $out" ;; esac
out=$(HTTP_ALLOW_PRIVATE=true "$BIN" call http_requests_send "{\"method\":\"GET\",\"url\":\"http://[::1]:$PORT/other\"}" 2>&1) || fail "url: $out"
case $out in *'"path": "/other"'*) ;; *) fail "url: $out" ;; esac
out=$("$BIN" call http_requests_send '{"method":"GET","path":"/items"}' 2>&1) && fail "not allowed, yet: $out"
case $out in *"(::1 is in loopback ::1)"*) ;; *) fail "refusal: $out" ;; esac
kill $SRV
echo ok
