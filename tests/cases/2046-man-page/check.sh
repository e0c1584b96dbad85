# doc/switchboard.1 renders without warnings and names every command and
# option of `switchboard --help` (this case's stdout).
set -eu
page=$ROOT/doc/switchboard.1
if command -v groff >/dev/null; then
	groff -man -ww -z "$page" 2> "$TMP/warn"
	[ ! -s "$TMP/warn" ] || { cat "$TMP/warn"; exit 1; }
fi
text=$(man -l -P cat "$page" 2>/dev/null || groff -man -Tutf8 "$page")
cat > "$TMP/usage"
cmds=$(sed -n '/^commands:/,/^$/p' "$TMP/usage" | grep -oE '^  [a-z][a-z-]+' | sort -u)
opts=$(sed -n '/^options:/,/^$/p' "$TMP/usage" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
[ -n "$cmds" ] && [ -n "$opts" ] || { echo "no commands or options found in --help"; exit 1; }
for w in $cmds $opts; do
	printf '%s\n' "$text" | grep -qe "$w" || { echo "man page lacks '$w'"; exit 1; }
done
echo ok
