python3 -c '
import json, sys
c = json.load(sys.stdin)
assert c["slug"] == "stripe" and c["name"] == "Stripe" and c["auth"] == "api_key", c
assert c["category"] and c["description"], c
acts = c["entities"]["customers"]["actions"]
assert "list" in acts and "read" in acts and "create" in acts, acts
assert isinstance(c["entities"]["customers"]["events"], list), c
'
