# Every tool's inputSchema compiles in Ajv's strict mode (tests/ajv, pinned
# by its package-lock.json): union "type" arrays in connector files come out
# as anyOf branches, each with its type's keywords; nothing at the top level
# of an inputSchema is anyOf/oneOf/allOf. Skipped only without node or npm.
set -e
cat >"$TMP/tools.json"
python3 -c '
import json, sys
t = {x["name"]: x for x in json.load(open(sys.argv[1]))}
amount = t["hubspot_deals_create"]["inputSchema"]["properties"]["amount"]
assert amount["anyOf"] == [{"type": "string"}, {"type": "number"}] and "type" not in amount, amount
pause = t["stripe_subscriptions_update"]["inputSchema"]["properties"]["pause_collection"]
assert pause["anyOf"][0]["type"] == "object" and "behavior" in pause["anyOf"][0]["properties"], pause
assert pause["anyOf"][1] == {"type": "string"} and "properties" not in pause, pause
' "$TMP/tools.json"
if ! command -v node >/dev/null 2>&1; then
	echo "skip: node is not installed; Ajv strict check not run"
	exit 0
fi
dir="$ROOT/tests/ajv"
if ! sh "$dir/setup.sh" >&2; then
	echo "skip: tests/ajv/node_modules is missing and npm ci failed; Ajv not run"
	exit 0
fi
node "$dir/check.mjs" <"$TMP/tools.json"
