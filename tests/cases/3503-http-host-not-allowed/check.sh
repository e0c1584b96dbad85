# With allowed_hosts set, only the listed hosts are reachable by url, the
# base URL's own host included; relative paths still go to the base URL.
export HTTP_ALLOWED_HOSTS="api.example.com, *.example.net"
out=$("$BIN" call http_requests_send "{\"method\":\"GET\",\"url\":\"$STUB/api/items\"}" 2>&1)
case $out in *"host '127.0.0.1' is not allowed for this connection (allowed: api.example.com, *.example.net)"*) ;; *) echo "1: $out"; exit 1 ;; esac
out=$("$BIN" call http_requests_send '{"method":"GET","url":"https://example.net.evil.example/x"}' 2>&1)
case $out in *"is not allowed for this connection"*) ;; *) echo "2: $out"; exit 1 ;; esac
out=$("$BIN" call http_requests_send '{"method":"GET","path":"/items"}' 2>&1) || { echo "3: $out"; exit 1; }
# A listed host that resolves to a private address is still checked.
export HTTP_ALLOWED_HOSTS=localhost HTTP_ALLOW_PRIVATE=false
out=$("$BIN" call http_requests_send '{"method":"GET","url":"http://localhost:9/x"}' 2>&1)
case $out in *"resolves to a private, loopback or link-local address"*) ;; *) echo "4: $out"; exit 1 ;; esac
