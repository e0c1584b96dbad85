# A vendor that reads form bodies on one path only (gadgets) and JSON on the
# other: only the gadgets create is refused (415) while the widgets create
# passes, so the fix is that action's body_encoding, not the connector's.
TEST_ARGS=--writes
WANT='{"/entities/gadgets/actions/create/body_encoding": "form"}'
PROBLEM=body_encoding
BEFORE=1
PASSED=10
. "$ROOT/tests/conntest/fixed.sh"
python3 - $XDG_CONFIG_HOME/switchboard/capabilities/widgets.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["request"]["body"] == "json", d["request"]
assert "body_encoding" not in d["entities"]["widgets"]["actions"]["create"], d["entities"]["widgets"]
PY
