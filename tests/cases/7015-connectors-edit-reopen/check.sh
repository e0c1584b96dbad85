set -eu
python3 "$CASE/at_terminal.py"
$BIN connectors xero | grep -q '"description": "Mended on the second run."' || { echo "not loaded"; exit 1; }
