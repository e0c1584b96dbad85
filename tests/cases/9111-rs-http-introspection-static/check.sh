# serve --http --auth-config with opaque tokens and static tokens in one
# server: introspection (RFC 7662, the server's client credentials) names
# the caller, an inactive token is refused, an answer is kept a while (one
# POST for a token used twice); a static token works without the issuer;
# while the issuer is down an unknown opaque token gets a 503, not a 401.
# The server run of this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
