python3 "$ROOT/tests/confirm/replicas.py"
