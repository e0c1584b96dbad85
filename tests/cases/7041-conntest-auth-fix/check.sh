# The vendor wants the key as "Authorization: Bearer KEY", the connector sends
# X-API-Key: every call is refused (401), the fix moves the key.
WANT='{"/auth/methods/0/name": "Authorization", "/auth/methods/0/format": "Bearer {api_key}"}'
PROBLEM=auth
. "$ROOT/tests/conntest/fixed.sh"
