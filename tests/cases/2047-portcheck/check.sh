# make portcheck: every file of src/ compiles with -D_POSIX_C_SOURCE=200809L and
# no _GNU_SOURCE; Linux-only calls and headers live in src/base/compat.c only. It
# passes on the tree, and fails on a copy where a file calls pipe2() or
# includes <sys/epoll.h> itself. And compat.c's POSIX fallbacks pass test_compat here.
set -eu
make -C "$ROOT" --no-print-directory portcheck > "$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
grep -q "portcheck: every file compiles" "$TMP/out"
# compat.c's POSIX fallbacks, built on Linux with COMPAT_POSIX_ONLY, pass test_compat.
cc -std=c11 -D_POSIX_C_SOURCE=200809L -DCOMPAT_POSIX_ONLY -Wall -Wextra -Werror -I"$ROOT/src/base" \
	-I"$ROOT/tests/unit" -o "$TMP/test_compat_posix" "$ROOT/tests/unit/test_compat.c" "$ROOT/src/base/compat.c"
"$TMP/test_compat_posix" 2> "$TMP/unit" || { cat "$TMP/unit"; exit 1; }
grep -q " 0 failed" "$TMP/unit"
for bad in call header; do
	rm -rf "$TMP/tree"
	mkdir -p "$TMP/tree/tests"
	cp -R "$ROOT/Makefile" "$ROOT/src" "$TMP/tree/"
	cp "$ROOT/tests/deps.sh" "$TMP/tree/tests/"
	if [ $bad = call ]; then
		printf '#include <fcntl.h>\n#include <unistd.h>\nint port_probe(int *fds);\nint port_probe(int *fds) { return pipe2(fds, O_CLOEXEC); }\n' > "$TMP/tree/src/aa_probe.c"
	else
		printf '#include <sys/epoll.h>\nint port_probe(void);\nint port_probe(void) { return epoll_create1(0); }\n' > "$TMP/tree/src/aa_probe.c"
	fi
	if make -C "$TMP/tree" --no-print-directory portcheck > "$TMP/out" 2>&1; then
		echo "portcheck passed a file with a Linux-only $bad"; exit 1
	fi
	grep -q "aa_probe.c" "$TMP/out" || { cat "$TMP/out"; exit 1; }
done
echo ok
