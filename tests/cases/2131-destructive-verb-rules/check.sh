# A connector's own actions get the verb rules of the built-in
# _canonical.json (void, send: destructive; void idempotent, send not); an
# action's own "destructive"/"idempotent" wins over the rule and over its
# kind; a verb without a rule is a plain write; kind delete is destructive.
python3 -c '
import json, sys
a = {t["name"]: t["annotations"] for t in json.load(sys.stdin)}
want = {
  "acme_bills_void":    {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True},
  "acme_bills_send":    {"readOnlyHint": False, "destructiveHint": True},
  "acme_bills_approve": {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True},
  "acme_bills_archive": {"readOnlyHint": False, "destructiveHint": False},
  "acme_bills_delete":  {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True},
  "acme_bills_unlink":  {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True},
}
for n, w in want.items():
    assert a[n] == w, (n, a[n], w)
print("ok")
'
