# The widgets connector written by hand with a bearer method (Authorization:
# Bearer TOKEN), at a vendor that wants "Authorization: token TOKEN" (GitHub's
# scheme word).
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
mkdir -p $D
$BIN connectors import $ROOT/tests/stub/specs/widgets.json --slug widgets --out $TMP/imported.json 2>/dev/null
python3 - $TMP/imported.json $D/widgets.json "$STUB/v1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["base_url"] = sys.argv[3]
d["auth"] = {"default": "bearer", "methods": [{"type": "bearer", "label": "Personal token",
             "fields": {"token": {"type": "string", "secret": True, "required": True, "env": "WIDGETS_TOKEN"}}}]}
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
