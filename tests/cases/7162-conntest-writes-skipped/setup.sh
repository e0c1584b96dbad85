# The widgets connector imported from the spec the stub is made from, at the stub.
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
mkdir -p $D
$BIN connectors import $ROOT/tests/stub/specs/widgets.json --slug widgets 2>/dev/null |
	sed "s#https://api.widgets.example/v1#$STUB/v1#" > $D/widgets.json
grep -q "$STUB/v1" $D/widgets.json || { echo "setup: the import has no base_url to point at the stub"; exit 1; }
