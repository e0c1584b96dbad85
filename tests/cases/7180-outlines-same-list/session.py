"""One stdio session of build/switchboard: initialize, tools/list, and the
given requests after it; prints each answer's result as compact JSON, one a
line (ids and notifications left out). Usage: session.py BIN JSONLIST ARGS..."""
import json
import subprocess
import sys

binary, extra, args = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
msgs = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
for i, (method, params) in enumerate(extra):
    msgs.append({"jsonrpc": "2.0", "id": 3 + i, "method": method, "params": params})
p = subprocess.run([binary] + args, input="".join(json.dumps(m) + "\n" for m in msgs),
                   capture_output=True, text=True, timeout=30)
out = {}
for line in p.stdout.splitlines():
    m = json.loads(line)
    if "id" in m:
        out[m["id"]] = m.get("result", m.get("error"))
for i in sorted(out):
    print(json.dumps(out[i], separators=(",", ":"), sort_keys=False))
sys.stderr.write(p.stderr)
