"""A session that outlives a connector file's change: initialize and
tools/list, then the file is replaced (argv[2] copied over argv[3]), then a
search; prints every message the server sent, one a line. Usage: live.py
BIN NEW_FILE FILE ARGS..."""
import json
import shutil
import subprocess
import sys

binary, new, path, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
p = subprocess.Popen([binary] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def send(i, method, params):
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\n")
    p.stdin.flush()


def until(i):
    while True:
        line = p.stdout.readline()
        if not line:
            sys.exit("server closed stdout")
        print(line.strip())
        if json.loads(line).get("id") == i:
            return


send(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "t", "version": "0"}})
until(1)
send(2, "tools/list", {})
until(2)
shutil.copyfile(new, path)
send(3, "tools/call", {"name": "switchboard_search", "arguments": {"connector": "acme"}})
until(3)
send(4, "tools/list", {})
until(4)
p.stdin.close()
sys.exit(p.wait(10))
