# A private CA: a self-signed certificate for 127.0.0.1, made here.
set -e
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/ca.pem" -days 1 \
	-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>"$TMP/openssl.err" ||
	{ echo "setup: openssl req failed: $(cat "$TMP/openssl.err")"; exit 1; }
