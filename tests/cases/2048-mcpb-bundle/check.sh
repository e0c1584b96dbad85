# make mcpb: a bundle the official packer's validate accepts, holding the binary
# as server.type "binary" with every connector and schema file, tools_generated,
# and user_config for the common credentials (secrets sensitive); unpacked
# anywhere, its binary lists the 12 connectors with no setting.
set -eu
dir="$ROOT/packaging/mcpb"
if [ ! -x "$dir/node_modules/.bin/mcpb" ] && ! sh "$dir/setup.sh" >&2; then
	echo "skip: packaging/mcpb/node_modules is missing and npm ci failed; bundle not built"
	exit 0
fi
mcpb="$dir/node_modules/.bin/mcpb"
bundle=$TMP/out/switchboard.mcpb
make -C "$ROOT" --no-print-directory mcpb BUILD="$(dirname "$BIN")" MCPB="$bundle" > "$TMP/log" 2>&1 ||
	{ cat "$TMP/log"; exit 1; }
"$mcpb" info "$bundle" > "$TMP/info" 2>&1 || { cat "$TMP/info"; exit 1; }
python3 - "$bundle" "$TMP/x" "$ROOT" <<'PY'
import glob, json, os, stat, sys, zipfile
bundle, out, root = sys.argv[1:4]
z = zipfile.ZipFile(bundle)
names = set(z.namelist())
m = json.loads(z.read("manifest.json"))
assert m["server"]["type"] == "binary", m["server"]
assert m["server"]["entry_point"] == "server/bin/switchboard"
assert m["server"]["mcp_config"]["command"] == "${__dirname}/server/bin/switchboard"
assert m["server"]["mcp_config"]["args"] == ["serve"]
assert m["tools_generated"] is True
assert m["version"] == open(os.path.join(root, "src/base/util.h")).read().split('SB_VERSION "')[1].split('"')[0]
for f in glob.glob(os.path.join(root, "capabilities/*.json")) + glob.glob(os.path.join(root, "schemas/*.json")):
    rel = "server/share/switchboard/" + os.path.relpath(f, root)
    assert rel in names, f"{rel} not in the bundle"
    assert z.read(rel) == open(f, "rb").read(), f"{rel} differs"
info = z.getinfo("server/bin/switchboard")
assert (info.external_attr >> 16) & stat.S_IXUSR, "the binary is not executable in the bundle"
uc, env = m["user_config"], m["server"]["mcp_config"]["env"]
for var, secret in [("STRIPE_API_KEY", True), ("GITHUB_TOKEN", True), ("OPENAI_API_KEY", True),
                    ("SLACK_BOT_TOKEN", True), ("HUBSPOT_ACCESS_TOKEN", True),
                    ("SHOPIFY_ACCESS_TOKEN", True), ("SHOPIFY_SHOP", False)]:
    key = var.lower()
    assert env.get(var) == "${user_config.%s}" % key, (var, env.get(var))
    assert uc[key]["sensitive"] is secret, (var, uc[key])
    assert uc[key]["type"] == "string" and uc[key]["title"] and uc[key]["description"]
assert set(env) == {k.upper() for k in uc}, "an env entry without user_config or back"
z.extractall(out)
os.chmod(os.path.join(out, "server/bin/switchboard"), 0o755)
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(m, f)
PY
# server.json beside it: the MCP Registry entry (schema 2025-12-11; its rules
# checked here, as the schema file itself is not on npm or Debian).
python3 - "$TMP/out/server.json" "$bundle" "$TMP/x/manifest.json" <<'PY'
import hashlib, json, re, sys
path, bundle, manifest = sys.argv[1:4]
s = json.load(open(path))
m = json.load(open(manifest))
def obj(v, where, required, allowed):
    assert isinstance(v, dict), f"{where}: not an object"
    for k in required:
        assert k in v, f"{where}: {k} is required"
    extra = set(v) - set(allowed)
    assert not extra, f"{where}: unknown keys {extra}"
def text(v, where, lo=1, hi=None):
    assert isinstance(v, str) and len(v) >= lo and (hi is None or len(v) <= hi), f"{where}: {v!r}"
obj(s, "$", ["name", "description", "version"],
    ["$schema", "_meta", "name", "title", "description", "version", "repository", "websiteUrl",
     "icons", "packages", "remotes"])
assert s["$schema"] == "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
text(s["name"], "name", 3, 200)
assert re.fullmatch(r"[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+", s["name"]), s["name"]
text(s["description"], "description", 1, 100)
text(s["title"], "title", 1, 100)
text(s["version"], "version", 1, 255)
assert not re.search(r"[\^~><*x]|^latest$", s["version"]), "version must not be a range"
assert s["version"] == m["version"]
assert isinstance(s["packages"], list) and len(s["packages"]) == 1
p = s["packages"][0]
obj(p, "packages[0]", ["registryType", "identifier", "transport"],
    ["registryType", "registryBaseUrl", "identifier", "version", "fileSha256", "runtimeHint",
     "transport", "runtimeArguments", "packageArguments", "environmentVariables"])
assert p["registryType"] == "mcpb"
assert re.fullmatch(r"https://\S+\.mcpb", p["identifier"]), p["identifier"]
assert p["version"] == s["version"]
assert re.fullmatch(r"[a-f0-9]{64}", p["fileSha256"])
assert p["fileSha256"] == hashlib.sha256(open(bundle, "rb").read()).hexdigest(), "fileSha256 is not the bundle's"
assert p["transport"] == {"type": "stdio"}
seen = {}
for i, e in enumerate(p["environmentVariables"]):
    w = f"environmentVariables[{i}]"
    obj(e, w, ["name"], ["name", "description", "isRequired", "isSecret", "format", "value",
                         "default", "placeholder", "choices", "variables"])
    text(e["name"], w + ".name")
    text(e["description"], w + ".description")
    assert isinstance(e["isRequired"], bool) and isinstance(e["isSecret"], bool)
    assert e["format"] in ("string", "number", "boolean", "filepath")
    seen[e["name"]] = e["isSecret"]
want = {k: m["user_config"][v[len("${user_config."):-1]]["sensitive"]
        for k, v in m["server"]["mcp_config"]["env"].items()}
assert seen == want, f"server.json variables {seen} differ from the bundle's {want}"
PY
# The packer's own validate on the manifest as packed.
"$mcpb" validate "$TMP/x/manifest.json" > "$TMP/v" 2>&1 || { cat "$TMP/v"; exit 1; }
grep -q "validation passes" "$TMP/v" || { cat "$TMP/v"; exit 1; }
n=$(env -u SWITCHBOARD_DATADIR "$TMP/x/server/bin/switchboard" connectors | wc -l)
[ "$n" -eq 12 ] || { echo "the bundled binary lists $n connectors, not 12"; exit 1; }
# A manifest the packer refuses is caught by the same validate.
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["server"]["type"]="exe"; json.dump(m,open(sys.argv[1],"w"))' "$TMP/x/manifest.json"
if "$mcpb" validate "$TMP/x/manifest.json" > "$TMP/v" 2>&1; then echo "validate accepted server.type exe"; exit 1; fi
echo ok
