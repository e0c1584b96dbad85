# The widgets connector imported from the spec the stub is made from, at the
# stub, with its bodies said to be form: the vendor reads JSON only.
set -e
sh "$ROOT/tests/stub/widgets.sh" 's#"body": "json"#"body": "form"#'
grep -q '"body": "form"' "$XDG_CONFIG_HOME/switchboard/capabilities/widgets.json" ||
	{ echo "setup: no request.body to change"; exit 1; }
