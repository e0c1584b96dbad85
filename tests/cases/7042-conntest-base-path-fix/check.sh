# The vendor lives under /api/v1, not the spec's /v1: every path is 404, the
# fix is the base URL.
WANT="{\"/base_url\": \"$STUB/api/v1\"}"
PROBLEM=base_url
. "$ROOT/tests/conntest/fixed.sh"
