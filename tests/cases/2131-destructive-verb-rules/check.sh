# A connector's own actions get the verb rules of the built-in
# _canonical.json (void, send: destructive; void idempotent, send not); an
# action's own "destructive"/"idempotent" wins over the rule and over its
# kind; a verb without a rule is a plain write; kind delete is destructive.
# Annotations say only what differs from MCP's defaults (a destructive,
# non-idempotent write says nothing).
python3 -c '
import json, sys
a = {t["name"]: t.get("annotations", {}) for t in json.load(sys.stdin)}
want = {
  "acme_bills_void":    {"idempotentHint": True},
  "acme_bills_send":    {},
  "acme_bills_approve": {"idempotentHint": True},
  "acme_bills_archive": {"destructiveHint": False},
  "acme_bills_delete":  {"idempotentHint": True},
  "acme_bills_unlink":  {"destructiveHint": False, "idempotentHint": True},
}
for n, w in want.items():
    assert a[n] == w, (n, a[n], w)
print("ok")
'
