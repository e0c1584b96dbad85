# The retry reuses the Idempotency-Key, so Stripe applies the refund once.
python3 - "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
keys = [json.loads(l)["headers"]["idempotency-key"] for l in open(sys.argv[1])]
assert len(keys) == 2 and keys[0] == keys[1], keys
PY
