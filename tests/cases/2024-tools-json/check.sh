python3 -c '
import json, sys
tools = json.load(sys.stdin)
names = [t["name"] for t in tools]
assert names == ["acme_widgets_list", "acme_widgets_read", "acme_widgets_create", "acme_widgets_delete", "acme_gadgets_list", "switchboard_connections", "switchboard_connect"], names
for t in tools:
    assert t["inputSchema"]["type"] == "object", t
    assert all(isinstance(v, bool) for k, v in t.get("annotations", {}).items() if k != "title"), t
'
