# Every call is 401; the verified fix turns the bearer method into an
# api_key method with the scheme word token (same field, same variable), the
# default; the test passes after it, and the token never shows.
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
cat > $TMP/out.txt
grep -q "^before the fix: 2 failed; after it:" $TMP/out.txt || { cat $TMP/out.txt; exit 1; }
grep -q "^8 passed, 0 failed, 0 skipped" $TMP/out.txt || { cat $TMP/out.txt; exit 1; }
! grep -q wt_secret_9 $TMP/out.txt || { echo "the token was shown"; exit 1; }
python3 - $D/widgets.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["auth"]
assert a == {"default": "api_key", "methods": [{"type": "api_key", "label": "Personal token",
             "fields": {"token": {"type": "string", "secret": True, "required": True, "env": "WIDGETS_TOKEN"}},
             "in": "header", "name": "Authorization", "format": "token {token}"}]}, a
PY
grep -q '"type": "bearer"' $D/widgets.json.bak || { echo "no backup of the bearer file"; exit 1; }
$BIN connectors test widgets > /dev/null || { echo "the fixed file fails"; exit 1; }
grep -q '"authorization": "token wt_secret_9"' $TMP/stub-requests.jsonl || { echo "no request with the token scheme"; exit 1; }
