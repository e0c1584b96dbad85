# The whole built-in registry: every file checks; tool names are unique,
# [a-z0-9_] and at most 64 characters; every entity can be listed and read
# (or says why not in its description); every connector declares events or
# a polling field per entity.
set -eu
cat >"$TMP/tools.json"
"$BIN" check >/dev/null
python3 - "$ROOT/capabilities" "$TMP/tools.json" <<'PY'
import json, os, re, sys
tools = json.load(open(sys.argv[2]))
names = [t["name"] for t in tools]
bad = [n for n in names if not re.fullmatch(r"[a-z0-9_]{1,64}", n)]
assert not bad, f"bad tool names: {bad}"
assert len(names) == len(set(names)), "duplicate tool names"
problems = []
# Entities that cannot have these, and why.
NO_READ = {"http/requests": "sends any request; nothing to list",
           "openai/images": "generation only; the API keeps no image list"}
NO_EVENTS = {"cin7core/webhooks": "the subscriptions themselves",
             "github/org_webhooks": "the subscriptions themselves",
             "shopify/webhook_subscriptions": "the subscriptions themselves",
             "stripe/webhook_endpoints": "the subscriptions themselves",
             "email/mailboxes": "folders change rarely; messages poll by UID",
             "http/requests": "generic requests",
             "openai/embeddings": "computed on demand, nothing changes",
             "openai/images": "computed on demand, nothing changes"}
folder = sys.argv[1]
slugs = set()
for f in sorted(os.listdir(folder)):
    if not f.endswith(".json") or f.startswith("_"):
        continue
    doc = json.load(open(os.path.join(folder, f)))
    slugs.add(doc["slug"])
    for ename, ent in doc["entities"].items():
        acts = ent["actions"]
        kinds = {a: (v.get("kind") or ("read" if a in ("list", "read", "search", "get") else "write")) for a, v in acts.items()}
        reads = [a for a, k in kinds.items() if k == "read"]
        key = f"{doc['slug']}/{ename}"
        if not reads and key not in NO_READ:
            problems.append(f"{doc['slug']}/{ename}: no read or list action")
        has_events = bool(ent.get("events")) or bool(ent.get("polling"))
        if not has_events and key not in NO_EVENTS:
            problems.append(f"{doc['slug']}/{ename}: neither events nor a polling field")
        for aname, a in acts.items():
            for p in re.findall(r"\{([^}]+)\}", a.get("path", "")):
                decl = a.get("params", {}).get(p)
                if not decl or decl.get("in") != "path":
                    problems.append(f"{doc['slug']}/{ename}/{aname}: path parameter {p} not declared")
expected = {"shopify", "stripe", "xero", "quickbooks", "cin7core", "cin7omni", "github", "slack",
            "hubspot", "email", "http", "openai"}
missing = expected - slugs
assert not missing, f"missing connectors: {missing}"
for s in sorted(slugs):
    assert any(n.startswith(s + "_") for n in names), f"{s} has no tools"
assert not problems, "\n".join(problems)
print(f"{len(names)} tools from {len(slugs)} connectors")
PY
