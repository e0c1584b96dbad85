# connectors import https://... from a server whose certificate a private CA
# signed (a loopback server with the certificate setup.sh made): refused with
# the certificate problem and the way out when the CA is not given; imported,
# the same connector as from the file, with --cacert FILE, SSL_CERT_FILE or
# CURL_CA_BUNDLE (libcurl reads none of them itself).
fail() { echo "FAIL: $*"; [ -z "${SRV:-}" ] || kill $SRV; exit 1; }
python3 - "$TMP" "$ROOT/tests/stub/specs" <<'PY' &
import http.server, os, ssl, sys, functools
tmp, specs = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *a):
        with open(tmp + "/https.log", "a") as f:
            f.write(self.requestline + "\n")
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=specs))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(tmp + "/ca.pem", tmp + "/key.pem")
s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(tmp + "/port.tmp", "w").write(str(s.server_address[1]))
os.rename(tmp + "/port.tmp", tmp + "/port")
s.serve_forever()
PY
SRV=$!
for i in $(seq 600); do [ -s "$TMP/port" ] && break; sleep 0.05; done
[ -s "$TMP/port" ] || fail "the https server did not start"
URL="https://127.0.0.1:$(cat "$TMP/port")/widgets.json"
# The environment this runs in may name a CA bundle already.
unset CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR
"$BIN" connectors import "$ROOT/tests/stub/specs/widgets.json" --slug widgets >"$TMP/file.json" 2>/dev/null || fail "file import"
if "$BIN" connectors import "$URL" --slug widgets >"$TMP/none.json" 2>"$TMP/none.err"; then
	fail "imported without the CA"
fi
grep -q "cannot fetch: SSL certificate problem: self-signed certificate (a server with a private CA: --cacert FILE, or SSL_CERT_FILE)" "$TMP/none.err" ||
	fail "no certificate error: $(cat "$TMP/none.err")"
[ ! -s "$TMP/none.json" ] || fail "wrote something without the CA"
"$BIN" connectors import "$URL" --slug widgets --cacert "$TMP/ca.pem" >"$TMP/cacert.json" 2>"$TMP/cacert.err" || fail "--cacert: $(cat "$TMP/cacert.err")"
SSL_CERT_FILE="$TMP/ca.pem" "$BIN" connectors import "$URL" --slug widgets >"$TMP/env.json" 2>"$TMP/env.err" || fail "SSL_CERT_FILE: $(cat "$TMP/env.err")"
CURL_CA_BUNDLE="$TMP/ca.pem" "$BIN" connectors import "$URL" --slug widgets >"$TMP/curl.json" 2>"$TMP/curl.err" || fail "CURL_CA_BUNDLE: $(cat "$TMP/curl.err")"
for f in cacert env curl; do
	cmp -s "$TMP/file.json" "$TMP/$f.json" || fail "$f: the https import differs from the file import"
done
grep -q "^fetched $URL (" "$TMP/cacert.err" || fail "no fetched line: $(cat "$TMP/cacert.err")"
# A CA file that cannot be read is named, and nothing is fetched for it.
if "$BIN" connectors import "$URL" --cacert "$TMP/missing.pem" >/dev/null 2>"$TMP/missing.err"; then
	fail "imported with a missing CA file"
fi
grep -q "cannot read the CA file '$TMP/missing.pem': No such file or directory" "$TMP/missing.err" || fail "missing CA file: $(cat "$TMP/missing.err")"
# The three that trusted the CA reached the server (the refused handshake never did).
[ "$(grep -c "^GET /widgets.json HTTP/1.1" "$TMP/https.log")" = 3 ] || fail "server saw: $(cat "$TMP/https.log")"
kill $SRV
echo ok
