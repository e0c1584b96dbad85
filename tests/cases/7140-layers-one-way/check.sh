# Issue 14's one-way steps stay taken (tests/depcheck.py on copies of src/):
# the CLI may not include the MCP layer (it has options of its own, struct
# cli; main.c maps them into serve's), the CLI's help includes nothing of the
# CLI (the include cycle cli <-> cli_help <-> cli_manage is gone, and no
# cycle is allowed), the events layer may not include the MCP layer (the
# events:// resources are mcp_events.c), and only listen, listen_deadline and
# mcp_http include libmicrohttpd.
set -eu
python3 "$ROOT/tests/depcheck.py" "$ROOT" > "$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
grep -q "0 include cycles (0 allowed)" "$TMP/out" || { cat "$TMP/out"; exit 1; }
grep -q '^ALLOWED_CYCLES = set()$' "$ROOT/tests/depcheck.py" ||
	{ echo "tests/depcheck.py allows an include cycle again"; exit 1; }
grep -q '"cli -> mcp"' "$ROOT/tests/depcheck.py" &&
	{ echo "tests/depcheck.py lets the CLI use the MCP layer again"; exit 1; }

# bad NAME FILE LINE PATTERN: on a fresh copy, FILE gets LINE added after its
# first line; the check must fail and print PATTERN.
bad() {
	rm -rf "$TMP/tree"
	mkdir -p "$TMP/tree/tests"
	cp -R "$ROOT/src" "$TMP/tree/"
	cp "$ROOT/tests/depcheck.py" "$TMP/tree/tests/"
	sed -i "1a $3" "$TMP/tree/src/$2"
	if python3 "$TMP/tree/tests/depcheck.py" "$TMP/tree" > "$TMP/out" 2>&1; then
		echo "depcheck passed a tree with $1"; cat "$TMP/out"; exit 1
	fi
	grep -q -- "$4" "$TMP/out" || { echo "$1: no '$4' in:"; cat "$TMP/out"; exit 1; }
}
bad "the CLI on the server's options" cli/cli.h '#include "mcp.h"' \
	'src/cli/cli.h includes "mcp/mcp.h": cli/ may not use mcp/ (cli -> mcp)'
bad "the help including the CLI" cli/cli_help.c '#include "cli.h"' \
	'include cycle between cli, cli_help'
bad "a print helper including the CLI" cli/cli_print.c '#include "cli.h"' \
	'include cycle between cli, .*cli_print'
bad "the events layer on MCP resources" events/webhook_events.c '#include "mcp_events.h"' \
	'events/ may not use mcp/ (webhook_events -> mcp_events)'
bad "libmicrohttpd in the registry" registry/registry.c '#include <microhttpd.h>' \
	'src/registry/registry.c: includes <microhttpd.h>: only net/listen'
echo ok
