python3 "$CASE/at_terminal.py"
