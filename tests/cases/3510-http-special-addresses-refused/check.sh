# The generic HTTP connector refuses every special-purpose address (IANA's
# registries) unless allow_private=true, including the IPv6 forms that carry
# an IPv4 address (IPv4-mapped, NAT64, 6to4); a literal is judged without
# DNS, so --dry-run refuses it too.
fail() { echo "FAIL: $*"; exit 1; }
refused() { # base URL, the range's name in the message
	out=$(HTTP_BASE_URL="$1" "$BIN" call http_requests_send '{"method":"GET","path":"/x"}' --dry-run 2>&1) &&
		fail "$1 was let through: $out"
	case $out in *"resolves to a private, loopback or link-local address; set allow_private=true"*"$2"*) ;;
	*) fail "$1: $out" ;; esac
}
public() { # base URL: a public literal is checked, shown, and not looked up
	out=$(HTTP_BASE_URL="$1" "$BIN" call http_requests_send '{"method":"GET","path":"/x"}' --dry-run 2>&1) ||
		fail "$1 refused: $out"
	case $out in *not_checked*) fail "$1 left unchecked: $out" ;; esac
}
refused 'http://[::ffff:a9fe:a9fe]/' 'link-local'
refused 'http://[::ffff:127.0.0.1]:8080/' 'loopback'
refused 'http://[::ffff:10.1.2.3]/' 'private 10.0.0.0/8'
refused 'http://[64:ff9b::a9fe:a9fe]/' 'link-local'
refused 'http://[64:ff9b::127.0.0.1]/' 'loopback'
refused 'http://[2002:a9fe:a9fe::1]/' 'link-local'
refused 'http://[2002:c0a8:0101::1]/' 'private 192.168.0.0/16'
refused 'http://[::127.0.0.1]/' 'IPv4-compatible'
refused 'http://[fec0::1]/' 'site-local'
refused 'http://[fd00::1]/' 'unique local'
refused 'http://[fe80::1]/' 'link-local'
refused 'http://[ff02::1]/' 'multicast'
refused 'http://[::1]/' 'loopback'
refused 'http://[::]/' 'unspecified'
refused 'http://198.18.0.1/' 'benchmarking'
refused 'http://192.0.0.170/' 'IETF protocol assignments'
refused 'http://0.0.0.0/' 'this network'
refused 'http://240.1.2.3/' 'reserved'
refused 'http://224.0.0.251/' 'multicast'
refused 'http://255.255.255.255/' 'broadcast'
refused 'http://100.64.0.1/' 'shared'
refused 'http://169.254.169.254/' 'link-local'
refused 'http://127.1/' 'loopback'
public 'https://8.8.8.8/'
public 'https://[2606:4700:4700::1111]/'
public 'https://[64:ff9b::808:808]/'
public 'https://[::ffff:8.8.8.8]/'

# The stub really listens on 127.0.0.1: its IPv4-mapped address reaches it
# over a dual-stack socket, so it must be refused before anything is sent.
port=${STUB##*:}
out=$(HTTP_BASE_URL="http://[::ffff:127.0.0.1]:$port/api" "$BIN" call http_requests_send '{"method":"GET","path":"/items"}' 2>&1) &&
	fail "a call to ::ffff:127.0.0.1 went through: $out"
case $out in *"loopback 127.0.0.0/8"*) ;; *) fail "mapped loopback: $out" ;; esac
[ ! -s "$TMP/stub-requests.jsonl" ] || fail "the stub was reached: $(cat "$TMP/stub-requests.jsonl")"
echo ok
