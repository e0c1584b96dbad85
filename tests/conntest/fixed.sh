# fixed.sh - the common check of the connectors test --fix cases (7041-7044,
# 7160-7161), sourced by each case's check.sh after it sets WANT (JSON:
# pointer -> the value the fix must write) and PROBLEM (the problem's kind),
# and optionally TEST_ARGS (the options the case's args give besides --fix),
# BEFORE (failures before the fix, default 2) and PASSED (after it, default 8).
# The fixed file is in the user's folder with the old one kept
# as .bak, the change is what the vendor needs, and a new test passes; the
# old file still fails, and the fix is proposed (verified) without --fix.
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
TEST_ARGS=${TEST_ARGS:-}
BEFORE=${BEFORE:-2}
PASSED=${PASSED:-8}
cat > $TMP/out.txt
grep -q "^before the fix: $BEFORE failed; after it:" $TMP/out.txt || { echo "no before/after"; cat $TMP/out.txt; exit 1; }
grep -q "^$PASSED passed, 0 failed, 0 skipped" $TMP/out.txt || { echo "not all pass after the fix"; cat $TMP/out.txt; exit 1; }
[ -f $D/widgets.json.bak ] || { echo "no backup"; exit 1; }
python3 - $D/widgets.json $D/widgets.json.bak "$WANT" <<'PY'
import json, sys
new, old, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), json.loads(sys.argv[3])
def at(d, path):
    for p in path.strip("/").split("/"):
        d = d[int(p)] if isinstance(d, list) else d.get(p)
    return d
for path, value in want.items():
    assert at(new, path) == value, (path, at(new, path), value)
    assert at(old, path) != value, (path, "was already", value)
PY
$BIN connectors test widgets $TEST_ARGS > $TMP/again.txt || { echo "the fixed connector fails"; cat $TMP/again.txt; exit 1; }
mkdir -p $TMP/old/switchboard/capabilities
cp $D/widgets.json.bak $TMP/old/switchboard/capabilities/widgets.json
if XDG_CONFIG_HOME=$TMP/old $BIN connectors test widgets $TEST_ARGS --json > $TMP/old.json; then
	echo "the old file passes"; exit 1
fi
python3 - $TMP/old.json "$WANT" "$PROBLEM" "$BEFORE" <<'PY'
import json, sys
r, want, problem = json.load(open(sys.argv[1])), json.loads(sys.argv[2]), sys.argv[3]
assert r["failed"] == int(sys.argv[4]) and r["fixed"] is False, r
p = r["problems"][0]
assert p["problem"] == problem and p["verified"] is True, p
got = {c["path"]: c["to"] for c in p["changes"]}
for path, value in want.items():
    assert got.get(path) == value, (path, got)
PY
