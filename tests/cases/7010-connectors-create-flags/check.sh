# connectors create from options: the file it writes (in the user's folder,
# private, mode 0600, who made it), that check passes it with a word about
# the missing entities, that the next start loads it (connectors SLUG, its
# card), that an import merged into it gives tools, and that an existing
# slug (the user's or a built-in) is refused unless --force.
set -eu
path=$(cat)
f="$XDG_CONFIG_HOME/switchboard/capabilities/acmecrm2.json"
[ "$path" = "$f" ] || { echo "stdout: '$path', expected $f"; exit 1; }
[ "$(stat -c %a "$f")" = 600 ] || { echo "mode $(stat -c %a "$f")"; exit 1; }
ls "$XDG_CONFIG_HOME/switchboard/capabilities" | grep -vx acmecrm2.json && { echo "a stray file"; exit 1; }
python3 - "$f" <<'PY'
import json, os, pwd, sys
d = json.load(open(sys.argv[1]))
assert d["slug"] == "acmecrm2" and d["name"] == "Acme CRM 2", d
assert d["description"] == "Acme's CRM." and d["category"] == "Other", d
assert d["domain"] == "acme.example" and d["visibility"] == "private", d
assert d["icon_url"] == "https://acme.example/icon.png", d
assert d["base_url"] == "https://api.acme.example/v1", d
assert d["created_by"] == pwd.getpwuid(os.geteuid()).pw_name, d
assert d["entities"] == {}, d
a = d["auth"]
assert a["default"] == "oauth2", a
m = {x["type"]: x for x in a["methods"]}
assert list(m) == ["api_key", "oauth2", "custom"], list(m)
k = m["api_key"]
assert (k["in"], k["name"], k["format"]) == ("query", "apikey", "{api_key}"), k
assert k["fields"]["api_key"]["secret"] is True and k["fields"]["api_key"]["env"] == "ACMECRM2_API_KEY", k
o = m["oauth2"]
assert o["authorize_url"] == "https://acme.example/oauth/authorize", o
assert o["token_url"] == "https://acme.example/oauth/token", o
assert o["scopes"] == ["contacts.read", "contacts.write"] == o["default_scopes"], o
c = m["custom"]
assert c["headers"] == {"X-Acme-Account": "{account}", "X-Acme-Key": "{key}"}, c
assert sorted(c["fields"]) == ["account", "key"], c
assert all(v["secret"] and v["required"] for v in c["fields"].values()), c
assert c["fields"]["account"]["env"] == "ACMECRM2_ACCOUNT", c
PY
# check: valid, and says how to add entities.
$BIN check "$f" >"$TMP/check.out" 2>"$TMP/check.err" || { echo "check failed: $(cat "$TMP/check.err")"; exit 1; }
grep -q "ok: 1 connectors, 0 tools" "$TMP/check.out" || { cat "$TMP/check.out"; exit 1; }
grep -q "has no entities yet, so no tools; add them with: switchboard connectors edit acmecrm2" "$TMP/check.err" || { echo "no hint: $(cat "$TMP/check.err")"; exit 1; }
$BIN check >/dev/null 2>&1 || { echo "the whole registry fails check"; exit 1; }
# The next start loads it.
$BIN connectors acmecrm2 | python3 -c '
import json, os, pwd, sys
s = json.load(sys.stdin)
assert s["slug"] == "acmecrm2" and s["auth"] == "oauth2" and s["entities"] == {}, s
assert s["source"] == "personal" and s["created_by"] == pwd.getpwuid(os.geteuid()).pw_name, s
assert s["connections"] == {"count": 0, "needs_reconnect": 0, "next": "connect"}, s
' || exit 1
$BIN connectors | grep -Eqx "acmecrm2 +PERSONAL +oauth2 +none: connect +Acme CRM 2 \(by .+\)" || { echo "card: $($BIN connectors | grep acme)"; exit 1; }
# No tools yet; an import merged into it adds them, and the next start has them.
$BIN --all tools 2>/dev/null | grep -q '^acmecrm2_' && { echo "tools before entities"; exit 1; }
$BIN connectors import "$ROOT/tests/cases/7001-import-openapi-yaml/spec.yaml" --merge "$f" --out "$f" 2>/dev/null
$BIN --all --mode static tools 2>/dev/null | grep -q '^acmecrm2_customers_list ' || { echo "no tools after the import"; exit 1; }
# An existing slug is refused: the user's own, and a built-in one.
$BIN connectors create --name "Acme CRM 2" --auth bearer 2>"$TMP/again.err" && { echo "overwrote"; exit 1; }
grep -q "a connector 'acmecrm2' exists already" "$TMP/again.err" || { cat "$TMP/again.err"; exit 1; }
grep -q '"customers"' "$f" || { echo "the refused create changed the file"; exit 1; }
$BIN connectors create --name Stripe --auth api_key 2>"$TMP/stripe.err" && { echo "shadowed stripe"; exit 1; }
grep -q "a connector 'stripe' exists already" "$TMP/stripe.err" || { cat "$TMP/stripe.err"; exit 1; }
[ -e "$XDG_CONFIG_HOME/switchboard/capabilities/stripe.json" ] && { echo "wrote stripe.json"; exit 1; }
# --force replaces it.
$BIN connectors create --name "Acme CRM 2" --auth bearer --force >/dev/null 2>&1 || { echo "--force failed"; exit 1; }
grep -q '"default": "bearer"' "$f" || { echo "--force did not replace"; exit 1; }
echo ok
