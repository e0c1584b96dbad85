# An absolute url on the base URL's host is allowed (allowed_hosts empty).
out=$("$BIN" call http_requests_send "{\"method\":\"GET\",\"url\":\"$STUB/api/items?x=1\"}" 2>&1) || { echo "$out"; exit 1; }
case $out in *'"data": ['*) ;; *) echo "$out"; exit 1 ;; esac
