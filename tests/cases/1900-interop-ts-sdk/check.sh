# The official MCP TypeScript SDK client against this build: tests/interop/.
# The server run of this case is only `--version`; the session is interop.mjs's.
dir="$ROOT/tests/interop"
if [ ! -d "$dir/node_modules/@modelcontextprotocol/sdk" ]; then
	if ! sh "$dir/setup.sh" >&2; then
		echo "skip: tests/interop/node_modules is missing and npm ci failed; interop not run" >&2
		exit 0
	fi
fi
exec node "$dir/interop.mjs" "$BIN"
