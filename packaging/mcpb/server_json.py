#!/usr/bin/env python3
"""server_json.py ROOT VERSION BUNDLE URL NAME: print the MCP Registry entry
(server.json, schema 2025-12-11) for the bundle BUNDLE, to be published at URL
under the registry name NAME (io.github.<owner>/switchboard). The environment
variables are credentials.txt's, described from the connector files as in the
bundle's manifest; fileSha256 is BUNDLE's."""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from manifest import credential_fields  # noqa: E402

SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"


def main():
    root, version, bundle, url, name = sys.argv[1:6]
    with open(bundle, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    env = []
    for var, connector, label, decl in credential_fields(root):
        env.append({
            "name": var,
            "description": f"{connector} {label}: {decl.get('description', '')}".strip(),
            "isRequired": False,
            "isSecret": bool(decl.get("secret")),
            "format": "string",
        })
    repo = os.environ.get("SWITCHBOARD_REPOSITORY")
    doc = {
        "$schema": SCHEMA,
        "name": name,
        "title": "switchboard",
        "description": "Business APIs (Stripe, GitHub, Shopify, Xero, QuickBooks, Slack, ...) as MCP tools",
        "version": version,
        "packages": [{
            "registryType": "mcpb",
            "identifier": url,
            "version": version,
            "fileSha256": sha,
            "transport": {"type": "stdio"},
            "environmentVariables": env,
        }],
    }
    if repo:
        doc["repository"] = {"url": repo, "source": "github"}
    json.dump(doc, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
