#!/bin/sh
# lint.sh - static checks for src/ (make lint):
#   1. cppcheck: errors, warnings, portability and performance (style is left to review);
#   2. banned functions: sprintf, vsprintf, strcpy, strcat, atoi, atol, atoll, gets;
#   3. stdout is the protocol: nothing but src/mcp/jsonrpc.c (and the CLI's main.c and
#      cli*.c, which run when MCP is not served) may write to it;
#   4. dependency directions (tests/depcheck.py): no include cycle between modules,
#      curl only in net/ and mail/, sqlite3.h only in store/, OpenSSL only in crypto.c,
#      and each subsystem includes (and, from $BUILD's objects, calls) only those
#      DESIGN.md lets it use.
# Prints each finding as file:line and exits 1 when there is any.
# A reviewed cppcheck false positive is silenced in place with
# "// cppcheck-suppress <id>" on the line before it.
cd "$(dirname "$0")/.." || exit 2
status=0

# Source lines with comments and string contents blanked, as "file:line:text",
# so the greps below do not trip over prose that names a banned function.
code() {
	for f in src/*.c src/*.h src/*/*.c src/*/*.h; do
		[ -f "$f" ] || continue
		# strings first, so "*/*" or "https://" in one is not taken for a comment
		sed -E "s/'\\\\?\"'/''/g; s/\"([^\"\\\\]|\\\\.)*\"/\"\"/g" "$f" | awk -v f="$f" '
		{
			line = $0; out = ""
			while (length(line) > 0) {
				if (incomment) {
					i = index(line, "*/")
					if (i == 0) { line = ""; break }
					line = substr(line, i + 2); incomment = 0
				} else {
					i = index(line, "/*"); j = index(line, "//")
					if (j > 0 && (i == 0 || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
					if (i == 0) { out = out line; line = ""; break }
					out = out substr(line, 1, i - 1); line = substr(line, i + 2); incomment = 1
				}
			}
			print f ":" NR ":" out
		}'
	done
}

# 1. cppcheck
if command -v cppcheck >/dev/null 2>&1; then
	jansson="$(pkg-config --variable=includedir jansson 2>/dev/null)"
	jansson="${jansson:-/usr/include}/jansson.h"
	# jansson.h is pre-included so cppcheck knows json_object_foreach and friends.
	if ! cppcheck -q --std=c11 --enable=warning,portability,performance --inline-suppr \
		--suppress=missingIncludeSystem --suppress=missingInclude \
		-D_GNU_SOURCE -DSB_VERSION='"0"' -DSB_DATADIR='"/usr/local/share/switchboard"' \
		-I src $(for d in src/*/; do printf -- "-I %s " "${d%/}"; done) --include="$jansson" --error-exitcode=1 \
		--template='{file}:{line}: cppcheck {severity} ({id}): {message}' src; then
		status=1
	fi
else
	echo "lint: cppcheck not installed; skipping it (apt-get install cppcheck)" >&2
fi

# 2. banned functions
banned=$(code | grep -E '(^|[^A-Za-z0-9_])(sprintf|vsprintf|strcpy|strcat|atoi|atol|atoll|gets)[[:space:]]*\(')
if [ -n "$banned" ]; then
	printf '%s\n' "$banned" | sed -E 's/^([^:]+:[0-9]+):[[:space:]]*(.*)$/\1: banned function (use snprintf, xstrdup, buf_*, parse_long, fgets): \2/'
	status=1
fi

# 3. stdout belongs to src/mcp/jsonrpc.c
writers=$(code | grep -vE '^src/(mcp/jsonrpc\.c|main\.c|cli/cli[^/]*\.c):' |
	grep -E '(^|[^A-Za-z0-9_])(printf|vprintf|puts|putchar)[[:space:]]*\(|(fprintf|vfprintf|fputs|fputc|putc|fwrite|fflush)[[:space:]]*\(([^;]*[^A-Za-z0-9_])?stdout([^A-Za-z0-9_]|$)|STDOUT_FILENO|[^A-Za-z0-9_]write[[:space:]]*\([[:space:]]*1[[:space:]]*,')
if [ -n "$writers" ]; then
	printf '%s\n' "$writers" | sed -E 's/^([^:]+:[0-9]+):[[:space:]]*(.*)$/\1: writes to stdout, which only jsonrpc.c may do: \2/'
	status=1
fi

# 4. dependency directions: the includes, and the objects' symbols when built
build=${BUILD:-build}
if [ -d "$build/src" ]; then
	python3 tests/depcheck.py --objects "$build" || status=1
else
	echo "lint: no objects in $build/src; dependency check from the includes only" >&2
	python3 tests/depcheck.py || status=1
fi

[ $status -eq 0 ] && echo "lint: ok"
exit $status
