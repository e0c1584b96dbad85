# OpenAPI 3.1 in YAML: servers, security schemes, $ref/allOf, paging styles,
# errors, webhooks and callbacks, raw bodies; then --only and --exclude.
set -e
cat > $TMP/acme.json
python3 - $TMP/acme.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["slug"] == "acmebilling" and d["base_url"] == "https://{region}.api.acme.example/v2", d["base_url"]
assert d["params"]["region"] == {"type": "string", "default": "eu", "enum": ["eu", "us"],
                                 "description": "Data region of the account."}
auth = d["auth"]
assert auth["default"] == "bearer", auth["default"]  # security lists basic first; a token is preferred
m = {x["type"]: x for x in auth["methods"]}
assert sorted(m) == ["api_key", "basic", "bearer", "oauth2"], sorted(m)
assert m["api_key"]["in"] == "header" and m["api_key"]["name"] == "X-Acme-Key"
o = m["oauth2"]
assert o["authorize_url"] == "https://login.acme.example/authorize" and o["token_url"] == "https://login.acme.example/token"
assert o["scopes"] == ["billing:read", "billing:write"] and o["grants"] == ["authorization_code", "client_credentials", "refresh_token"]
assert o["fields"]["access_token"]["env"] == "ACMEBILLING_ACCESS_TOKEN"
assert d["errors"] == {"message": "/error/message", "code": "/error/type"}, d["errors"]
c = d["entities"]["customers"]
assert c["events"] == {"created": "customer.created", "verified": "customer.verified"}, c["events"]
lst = c["actions"]["list"]
assert lst["pagination"] == {"style": "cursor", "cursor_param": "starting_after", "next_cursor": "$last.id",
    "before_param": "ending_before", "has_more": "/has_more", "limit_param": "limit", "items": "/data"}, lst["pagination"]
assert "limit" not in lst["params"] and "starting_after" not in lst["params"] and "session" not in lst["params"]
cr = c["actions"]["create"]["params"]
assert cr["name"] == {"type": "string", "description": "Full name.", "maxLength": 100, "in": "body", "required": True}, cr["name"]
assert "id" not in cr  # readOnly
assert cr["email"]["type"] == "string" and cr["email"]["format"] == "email"  # 3.1 [string, null]
assert cr["tier"]["enum"] == ["free", "pro"]
assert cr["address"]["properties"]["country"] == {"type": "string", "maxLength": 2, "minLength": 2}
assert c["actions"]["read"]["params"]["customer_id"]["in"] == "path"
inv = d["entities"]["invoices"]
assert inv["events"] == {"paid": "invoice.paid"}
assert inv["actions"]["list"]["pagination"] == {"style": "link", "limit_param": "per_page", "items": ""}
fin = inv["actions"]["finalize"]
assert fin["kind"] == "write" and fin["body_encoding"] == "form" and fin["params"]["Idempotency-Key"]["in"] == "header"
pdf = inv["actions"]["pdf"]
assert pdf["body_encoding"] == "raw" and pdf["raw"] == {"content": "content", "content_type": "application/pdf"}
ev = d["entities"]["events"]["actions"]["list"]
assert ev["pagination"] == {"style": "offset", "cursor_param": "offset", "limit_param": "limit"}, ev["pagination"]
PY
$BIN check $TMP/acme.json
python3 $ROOT/tests/import_check.py $BIN $CASE/spec.yaml $TMP/acme.json --min-coverage 100
# --only by tag, --exclude by glob (operationId, path or tool name)
$BIN connectors import $CASE/spec.yaml --slug acme --only invoices --exclude 'acme_invoices_fin*' > $TMP/only.json 2> $TMP/only.err
grep -q 'GET /customers: not in --only' $TMP/only.err
grep -q 'POST /invoices/{id}/finalize: matches --exclude' $TMP/only.err
grep -q 'imported 2 of 8 operations' $TMP/only.err
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted(e + '_' + a for e, v in d['entities'].items() for a in v['actions'])
assert got == ['invoices_list', 'invoices_pdf'], got
" $TMP/only.json
# The checker catches a connector that strays from its spec: a query
# parameter sent as a header, a wrong path, a body field not required.
python3 - $TMP/acme.json $TMP/bad.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["entities"]["customers"]["actions"]
c["list"]["params"]["email"]["in"] = "header"
c["read"]["path"] = "/customer/{customer_id}"
del c["create"]["params"]["name"]["required"]
json.dump(d, open(sys.argv[2], "w"))
PY
if python3 $ROOT/tests/import_check.py $BIN $CASE/spec.yaml $TMP/bad.json > $TMP/bad.out; then exit 1; fi
grep -q 'acmebilling_customers_list: query parameter email not in the query' $TMP/bad.out
grep -q 'acmebilling_customers_read: path /v2/customer/vcustomerid, spec /customers/vcustomerid' $TMP/bad.out
grep -q 'acmebilling_customers_create: body field name is required by the spec, not by the tool' $TMP/bad.out
