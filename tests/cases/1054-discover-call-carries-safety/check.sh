# The call through switchboard_call answers exactly as the direct call did.
cat > stdout.jsonl
python3 - <<'PY'
import json
got = {}
for line in open("stdout.jsonl"):
    m = json.loads(line)
    got[m["id"]] = m.get("result")
assert got[2] == got[3], f"switchboard_call answered {got[2]}, the direct call {got[3]}"
assert got[4] == got[5], f"switchboard_call refused with {got[4]}, the direct call with {got[5]}"
print("ok")
PY
