python3 $CASE/at_terminal.py
$BIN connections show tty --json | grep -q '"secrets":{"api_key":true,"webhook_secret":false}'
