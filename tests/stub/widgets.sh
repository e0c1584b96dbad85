# widgets.sh [SED] - the conntest cases' setup: the widgets connector imported
# from the spec specstub.py answers by (specs/widgets.json), pointed at the
# stub ($STUB), in the user's capabilities folder. SED, when given, is one
# more sed expression applied to the imported file.
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
mkdir -p "$D"
"$BIN" connectors import "$ROOT/tests/stub/specs/widgets.json" --slug widgets 2>/dev/null |
	sed "s#https://api.widgets.example/v1#$STUB/v1#${1:+; $1}" >"$D/widgets.json"
grep -q "$STUB/v1" "$D/widgets.json" || { echo "setup: the import has no base_url to point at the stub"; exit 1; }
