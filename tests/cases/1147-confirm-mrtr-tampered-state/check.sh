python3 "$ROOT/tests/confirm/mrtr.py" tampered
