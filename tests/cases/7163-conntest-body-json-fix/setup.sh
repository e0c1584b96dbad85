# The widgets connector imported from the spec the stub is made from, at the
# stub, with its bodies said to be form: the vendor reads JSON only.
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
mkdir -p $D
$BIN connectors import $ROOT/tests/stub/specs/widgets.json --slug widgets 2>/dev/null |
	sed "s#https://api.widgets.example/v1#$STUB/v1#; s#\"body\": \"json\"#\"body\": \"form\"#" > $D/widgets.json
grep -q '"body": "form"' $D/widgets.json || { echo "setup: no request.body to change"; exit 1; }
