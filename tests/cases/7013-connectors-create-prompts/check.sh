set -eu
python3 "$CASE/at_terminal.py"
# The file it wrote loads.
$BIN connectors acmedesk >/dev/null || { echo "acmedesk does not load"; exit 1; }
