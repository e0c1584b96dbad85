# The call answers with the first items that fit (under 64 KiB in all) and a
# resource_link; the resource holds all 300 items, in order.
python3 -c '
import json, sys
msgs = {m["id"]: m for m in map(json.loads, sys.stdin)}
call, read = msgs[1]["result"], msgs[2]["result"]
assert len(json.dumps(call)) < 64 * 1024, len(json.dumps(call))
part = call["structuredContent"]
assert 50 < len(part["data"]) == part["shown_items"] < 300, part["shown_items"]
assert json.loads(call["content"][0]["text"]) == part
full = json.loads(read["contents"][0]["text"])
assert [c["id"] for c in full["data"]] == ["cus_%05d" % i for i in range(300)], len(full["data"])
assert full["data"][:len(part["data"])] == part["data"]
assert call["content"][2]["size"] == len(read["contents"][0]["text"].encode())
'
