# The install lines in README.md are well formed: the Cursor deep link's base64
# config, the `code --add-mcp` JSON, every `claude mcp add` line, and the JSON
# blocks and mcp.json all parse and run `switchboard serve` (make install's
# command; serve is in this case's `--help` on stdin), with only environment
# variables that some connector file declares.
set -eu
cat > "$TMP/help"
python3 - "$ROOT" "$TMP/help" <<'PY'
import base64, glob, json, re, shlex, sys, urllib.parse
root, helpfile = sys.argv[1:3]
readme = open(f"{root}/README.md").read()
assert re.search(r"^\s+serve\s", open(helpfile).read(), re.M), "serve is not a command of --help"
mk = open(f"{root}/Makefile").read()
assert "$(DESTDIR)$(PREFIX)/bin/switchboard" in mk, "make install no longer installs bin/switchboard"
declared = set()
for f in glob.glob(f"{root}/capabilities/*.json"):
    declared |= set(re.findall(r'"env"\s*:\s*"([A-Z0-9_]+)"', open(f).read()))

def server(entry, where):
    assert entry.get("command") == "switchboard", f"{where}: command {entry.get('command')!r}"
    assert entry.get("args") == ["serve"], f"{where}: args {entry.get('args')!r}"
    for k in entry.get("env", {}):
        assert k in declared, f"{where}: {k} is declared by no connector file"

links = re.findall(r"cursor://anysphere\.cursor-deeplink/mcp/install\?[^\s)`]+", readme)
assert links, "no Cursor deep link"
for link in set(links):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query, strict_parsing=True)
    assert q["name"] == ["switchboard"], link
    cfg = base64.b64decode(q["config"][0], validate=True)
    server(json.loads(cfg), "cursor link")
codes = [l for l in readme.splitlines() if l.startswith("code --add-mcp ")]
assert codes, "no code --add-mcp line"
for line in codes:
    words = shlex.split(line)
    assert words[:2] == ["code", "--add-mcp"] and len(words) == 3, line
    entry = json.loads(words[2])
    assert entry["name"] == "switchboard" and entry.get("type", "stdio") == "stdio", line
    server(entry, "code --add-mcp")
claudes = [l for l in readme.splitlines() if l.startswith("claude mcp add ")]
assert claudes, "no claude mcp add line"
for line in claudes:
    words = shlex.split(line)
    assert "--" in words, line
    cut = words.index("--")
    opts, cmd = words[3:cut], words[cut + 1:]
    assert cmd == ["switchboard", "serve"], line
    assert opts[0] == "switchboard", f"{line}: the server's name comes first"
    env = {}
    i = 1
    while i < len(opts):
        assert opts[i] in ("-e", "--env", "-s", "--scope"), f"{line}: unknown option {opts[i]}"
        if opts[i] in ("-e", "--env"):
            k, _, v = opts[i + 1].partition("=")
            env[k] = v
        i += 2
    server({"command": cmd[0], "args": cmd[1:], "env": env}, line)
# Every ```json block naming switchboard, and mcp.json.
blocks = re.findall(r"```json\n(.*?)```", readme, re.S)
n = 0
for b in blocks + [open(f"{root}/mcp.json").read()]:
    doc = json.loads(b)
    for key in ("mcpServers", "servers"):
        if "switchboard" in doc.get(key, {}):
            server(doc[key]["switchboard"], f"{key} block")
            n += 1
assert n >= 3, f"only {n} client config blocks"
print(f"ok: {len(set(links))} cursor link(s), {len(codes)} code line(s), {len(claudes)} claude line(s), {n} config blocks")
PY
