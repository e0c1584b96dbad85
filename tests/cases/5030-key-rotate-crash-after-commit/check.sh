# kill -9 between the rotation's commit and the rename of key.new over the
# key file (SWITCHBOARD_FAULT, see fault_point in src/base/util.h): the store is
# sealed with key.new. The next start finishes the rename and says so, and
# the secrets open. A key.new that does not open the store is left alone.
set -u
fail() { echo "FAIL: $*"; exit 1; }
K=$XDG_CONFIG_HOME/switchboard/key
rc=0
SWITCHBOARD_FAULT=key_rotate_after_commit $BIN key rotate >"$TMP/rot.out" 2>"$TMP/rot.err" || rc=$?
[ "$rc" = 137 ] || fail "the fault did not kill the rotation (exit $rc): $(cat "$TMP/rot.err")"
[ -e "$K.new" ] || fail "no key.new after the crash"
cmp -s "$TMP/oldkey" "$K" || fail "the key file changed before the rename"
cp "$K.new" "$TMP/newkey"

out=$($BIN connections test acme 2>"$TMP/t.err") || fail "test after the crash: $out $(cat "$TMP/t.err")"
case $out in "ok: stripe/acme"*) ;; *) fail "test after the crash: $out" ;; esac
grep -q "finished an interrupted key rotation: the store is sealed with '$K.new', now moved over '$K'" "$TMP/t.err" ||
	fail "no word of the finished rotation: $(cat "$TMP/t.err")"
[ ! -e "$K.new" ] || fail "key.new is still there"
cmp -s "$TMP/newkey" "$K" || fail "the key file is not the new key"
[ "$(stat -c %a "$K")" = 600 ] || fail "key file mode $(stat -c %a "$K")"
$BIN connections test acme 2>"$TMP/t2.err" | grep -q '^ok: stripe/acme' || fail "second test"
! grep -q "interrupted" "$TMP/t2.err" || fail "the rotation was finished twice"

# A rotation that died before its commit leaves a key.new the store was
# never sealed with: it is no key of ours, and it is left where it is.
head -c 32 /dev/urandom | base64 >"$K.new"
chmod 600 "$K.new"
cp "$K" "$TMP/keep"
$BIN connections test acme 2>"$TMP/t3.err" | grep -q '^ok: stripe/acme' || fail "test with a stale key.new: $(cat "$TMP/t3.err")"
[ -e "$K.new" ] || fail "a stale key.new was taken"
cmp -s "$TMP/keep" "$K" || fail "the key file was replaced by a stale key.new"
$BIN key rotate >/dev/null 2>"$TMP/r2.err" && fail "rotated over a leftover key.new"
grep -q "is left from an interrupted key rotation" "$TMP/r2.err" || fail "leftover: $(cat "$TMP/r2.err")"
rm "$K.new"
$BIN key rotate >/dev/null || fail "rotate after removing the leftover"
$BIN connections test acme | grep -q '^ok: stripe/acme' || fail "test after a clean rotation"
! grep -rq sk_test_crash456secret "$TMP"/*.err || fail "the secret in stderr"
echo ok
