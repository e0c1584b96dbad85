# The cursor of a Link-paginated list is the vendor's next URL, which holds
# the stub's port: hence a script rather than in.jsonl.
import json, os
stub = os.environ["STUB"]
def call(i, args, meta=None):
    params = {"name": "tstlink_repos_list", "arguments": args}
    if meta:
        params["_meta"] = meta
    print(json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params}))
call(1, {"limit": 2, "sort": "name", "max_items": 10}, {"progressToken": 7})
call(2, {"limit": 2, "sort": "name"})
call(3, {"cursor": stub + "/repos?page=3&per_page=2&sort=name"})
# Not the connection's origin: refused before any request.
call(4, {"cursor": "http://169.254.169.254/latest/meta-data?x=" + stub})
call(5, {"cursor": stub + ".evil.example/repos?page=2"})
call(6, {"cursor": stub + "@evil.example/repos?page=2"})
