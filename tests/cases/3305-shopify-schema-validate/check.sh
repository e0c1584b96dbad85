# Every Shopify tool's GraphQL request against Shopify's own Admin schema for
# the pinned API version, with its query cost at the largest page:
# tests/shopify/ (pinned by its package-lock.json). The server run of this
# case is only `--version`; the checks are validate.mjs's.
if ! command -v node >/dev/null 2>&1; then
	echo "skip: node is not installed; Shopify schema validation not run"
	exit 0
fi
sh "$ROOT/tests/shopify/setup.sh" >&2 || exit 1
exec node "$ROOT/tests/shopify/validate.mjs" "$BIN" >&2
