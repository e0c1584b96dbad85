# serve --http --auth-config over real HTTP with JWTs from a real issuer:
# the RFC 9728 metadata at both well-known paths, 401 with resource_metadata
# without a token, RS256 and ES256 callers told apart, the refusals (wrong
# audience, expired, bad signature, alg none), 403 insufficient_scope for
# step-up, 400 for a malformed header, a rotated key accepted; the token in
# no log line. The server run of this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
