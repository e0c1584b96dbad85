#!/usr/bin/env python3
"""manifest.py ROOT VERSION: print the MCP Bundle manifest.json for switchboard.

manifest.in.json is the template; user_config and mcp_config.env are filled in
for each variable of credentials.txt from the connector file that declares it
(capabilities/*.json: a field or parameter with "env"), so the bundle asks for
exactly what the connectors read, and secret fields are marked sensitive."""
import glob
import json
import os
import sys


def declared(root):
    """{ENV_NAME: (connector name, field name, field declaration)} from every connector file."""
    found = {}

    def walk(node, connector, key):
        if isinstance(node, dict):
            env = node.get("env")
            if isinstance(env, str) and "type" in node:
                found.setdefault(env, (connector, key, node))
            for k, v in node.items():
                walk(v, connector, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, connector, key)

    for path in sorted(glob.glob(os.path.join(root, "capabilities", "*.json"))):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path) as f:
            doc = json.load(f)
        walk(doc, doc.get("name", doc.get("slug", path)), "")
    return found


def credential_fields(root):
    """[(ENV_NAME, connector name, label, declaration)] for credentials.txt's names."""
    here = os.path.dirname(os.path.abspath(__file__))
    fields = declared(root)
    with open(os.path.join(here, "credentials.txt")) as f:
        names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    out = []
    for name in names:
        if name not in fields:
            sys.exit(f"{name} (credentials.txt) is not declared by any connector file")
        connector, field, decl = fields[name]
        label = decl.get("label") or field.replace("_", " ").replace("api", "API")
        out.append((name, connector, label, decl))
    return out


def main():
    root, version = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "manifest.in.json")) as f:
        manifest = json.loads(f.read().replace("@VERSION@", version))
    for name, connector, label, decl in credential_fields(root):
        key = name.lower()
        manifest["user_config"][key] = {
            "type": "string",
            "title": f"{connector}: {label} ({name})",
            "description": decl.get("description", f"{connector} {label}"),
            "sensitive": bool(decl.get("secret")),
            "required": False,
        }
        manifest["server"]["mcp_config"]["env"][name] = "${user_config.%s}" % key
    json.dump(manifest, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
