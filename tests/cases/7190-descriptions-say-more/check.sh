# No argument's description in the static list only restates what its name,
# type, format, date pattern or enum already say ("asc or desc." on an enum
# of asc and desc, "Include the locale." on include_locale, "YYYY-MM-DD." on
# a date pattern, an example and nothing else that its pattern already
# shows): such words cost every client's context and tell a model
# nothing. Descriptions that add a default, a unit, an id format or an
# example stay.
python3 -c '
import json, re, sys
STOP = set("a an and as at be by for in is it its of on one or the this to".split())
DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
def words(text):
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(text))
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP}
bad = []
def walk(tool, name, s):
    if isinstance(s, list):
        for x in s:
            walk(tool, name, x)
    if not isinstance(s, dict):
        return
    d = s.get("description")
    if isinstance(d, str) and name:
        known = words(name) | words(s.get("type", "")) | words(s.get("format", ""))
        for v in s.get("enum") or []:
            known |= words(v)
        if s.get("pattern") == DATE:
            known |= {"yyyy", "mm", "dd", "date"}
        example = re.fullmatch(r"e\.g\. (\S+?)\.?", d)
        if words(d) <= known or (example and s.get("pattern") and re.search(s["pattern"], example.group(1))):
            bad.append((tool, name, d))
    for k, v in s.items():
        if k == "properties":
            for n, sub in v.items():
                walk(tool, n, sub)
        elif k in ("items", "anyOf", "additionalProperties"):
            walk(tool, name, v)
tools = json.load(sys.stdin)
assert len(tools) > 300, len(tools)
for t in tools:
    walk(t["name"], None, t["inputSchema"])
assert not bad, "\n".join(map(str, bad))
print("ok")
'
