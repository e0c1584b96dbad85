# What a resource server must refuse, each with RFC 6750's answer: a token
# for another audience (RFC 8707), from another issuer, expired or not yet
# valid (beyond 60 s of skew), with a bad signature, alg none, HS256 keyed
# with the public key, ES256 claimed over an RSA key; no token at all (401
# without an error, naming the metadata); a token without the required scope
# (403 insufficient_scope with the scope to step up to); a malformed header.
set -eu
. "$ROOT/tests/rs/lib.sh"
rs_start
keygen k1 rsa
config '"required_scopes": ["mcp:tools"], "scopes_supported": ["mcp:tools", "mcp:admin"]'
md='resource_metadata="https://mcp.test/.well-known/oauth-protected-resource/mcp"'
check "$(sign k1 "$(claims '"aud": "https://other.test/mcp"')")" \
	"$(sign k1 "$(claims '"iss": "https://evil.test"')")" \
	"$(sign k1 "$(claims '"exp": "now-61"')")" \
	"$(sign k1 "$(claims '"nbf": "now+120"')")" \
	"$(sign k1 "$(claims)" --tamper)" \
	"$(sign k1 "$(claims)" --alg none)" \
	"$(sign k1 "$(claims)" --alg HS256)" \
	"$(sign k1 "$(claims)" --alg ES256)" \
	"" \
	"$(sign k1 "$(claims '"scope": "mcp:read"')")" \
	"$(sign k1 "$(claims '"exp": "now-30", "nbf": "now+30"')")"
verdict 1 status=401 'reason~another audience' "www~^Bearer error=\"invalid_token\", error_description=\"the token is meant for another audience\", scope=\"mcp:tools\", $md\$"
verdict 2 status=401 'reason~another issuer'
verdict 3 status=401 'reason~expired'
verdict 4 status=401 'reason~not valid yet'
verdict 5 status=401 'reason~does not verify'
verdict 6 status=401 'reason~algorithm is not accepted'
verdict 7 status=401 'reason~algorithm is not accepted'
verdict 8 status=401 'reason~does not verify'
verdict 9 status=401 "www~^Bearer scope=\"mcp:tools\", $md\$"
verdict 10 status=403 "www~^Bearer error=\"insufficient_scope\", scope=\"mcp:tools\", $md\$"
verdict 11 status=200 subject=alice

# A header that is not "Bearer <token>" (the CLI adds "Bearer ", so the
# space inside the token makes it malformed).
check "a b"
verdict 1 status=400 'www~error="invalid_request"'
echo ok
