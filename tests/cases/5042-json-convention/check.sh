python3 "$CASE/check.py"
