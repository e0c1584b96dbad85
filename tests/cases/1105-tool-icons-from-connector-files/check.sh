# A connector without icon_url gives its tools no icons.
python3 -c '
import json, sys
tools = json.loads(sys.stdin.readline())["result"]["tools"]
none = [t for t in tools if t["name"] == "acmenone_widgets_list"]
assert none and "icons" not in none[0], none
'
