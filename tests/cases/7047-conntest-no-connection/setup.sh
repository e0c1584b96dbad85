# The widgets connector without a key anywhere.
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
mkdir -p $D
$BIN connectors import $ROOT/tests/stub/specs/widgets.json --slug widgets --out $D/widgets.json 2>/dev/null
