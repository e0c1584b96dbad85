# A lean definition: the entity's description once (on its list tool); an
# update's body fields are named only, declared on the create tool, which
# the update names (unless create is filtered out: then the update declares
# them itself); the update's own params keep their schemas and words.
set -e
python3 -c '
import json, sys
t = {x["name"]: x for x in json.load(sys.stdin)}
assert "ids start with wd_" in t["acme_widgets_list"]["description"]
assert "ids start with wd_" not in t["acme_widgets_create"]["description"]
up = t["acme_widgets_update"]
assert "acme_widgets_create" in up["description"], up["description"]
p = up["inputSchema"]["properties"]
assert p["name"] == {} and p["size"] == {}, p
assert p["id"]["description"] == "Widget id (wd_...).", p["id"]
assert t["acme_widgets_create"]["inputSchema"]["properties"]["size"]["description"] == "Size in mm."
out = t["acme_widgets_list"]["outputSchema"]
assert out["properties"]["data"] == {"type": "array", "items": {"properties": {"id": {}}}}, out
assert t["acme_widgets_list"]["annotations"] == {"readOnlyHint": True}
assert "title" not in t["acme_widgets_create"]["annotations"]
'
"$BIN" --capabilities "$CASE/caps" --all --connectors acme --mode static --exclude "*_create" tools --json | python3 -c '
import json, sys
t = {x["name"]: x for x in json.load(sys.stdin)}
up = t["acme_widgets_update"]
assert "acme_widgets_create" not in up["description"], up["description"]
assert up["inputSchema"]["properties"]["name"]["description"] == "Widget name."
assert up["inputSchema"]["properties"]["size"]["properties"]["w"] == {"type": "integer", "description": "Width."}
'
echo ok
