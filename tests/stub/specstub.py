"""specstub.py - a loopback vendor generated from an OpenAPI 3 spec (standard library only).

stub.py uses it when its script names a spec:
  {"openapi": "specs/widgets.json",   (relative to tests/stub/, or absolute; a list:
                                        the first that exists)
   "paths": ["/v1/customers", ...],    (optional: serve only these paths of the spec)
   "key": "sk_test_123",               (the credential the vendor accepts)
   "items": 3,                         (objects each list holds)
   "fixtures": "stripe-fixtures3.json",(optional, found like openapi: {"resources": {x-resourceId: object}},
                                        Stripe's stripe-fixtures3.json)
   "delay_ms": 300,                    (optional: each answer waits this long)
   "errors": "stripe",                 (error bodies: Stripe's {"error": {message, type,
                                        param}}; default the spec's {"error": {code, message}})
   "misconfigure": {                    (the vendor differs from its spec on purpose)
      "auth": {"in": "header"|"query", "name": "Authorization", "scheme": "Bearer"},
      "base_path": "/api/v1",           (it lives under another path than servers[0])
      "rename_params": {"limit": "page_size"},  (it pages with other names)
      "body_encoding": "form"|"json"}}  (it reads request bodies only so encoded; or
                                         {path template: "form"|"json"} for some paths)

Each request is checked against its operation the way the vendor would:
the base path (404 otherwise, in the vendor's error shape), the path template
and method (404/405), the credential and where it goes (401), unknown query
parameters and missing required ones (400), a request body in a media type the
operation does not take (JSON vendors: 415; Stripe: its 400 "Invalid request:
unsupported Content-Type"), one that does not parse, or misses a required field
or has an unknown one (400), then answered from the spec:
the schema's example (or the fixture of its x-resourceId), else data shaped
by the schema. Lists page for real: the page size parameter and the cursor
(starting_after = the last id seen, page = a number, other cursors opaque).
"""
import base64
import json
import os
import re
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_SIZE = ("limit", "per_page", "page_size", "pageSize", "count")
CURSORS = ("starting_after", "cursor", "after", "page_token", "pageToken", "page", "offset")
MEDIA = {"json": "application/json", "form": "application/x-www-form-urlencoded"}


def first_existing(paths):
    for p in paths if isinstance(paths, list) else [paths]:
        p = p if os.path.isabs(p) else os.path.join(HERE, p)
        if os.path.exists(p):
            return p
    return None


class SpecVendor:
    def __init__(self, script):
        path = first_existing(script["openapi"])
        self.missing = path is None  # a case that needs it says skip
        self.spec = {"paths": {}}
        if path:
            with open(path, encoding="utf-8") as f:
                self.spec = json.load(f)
        self.key = script.get("key", "sk_test_123")
        self.items = int(script.get("items", 3))
        self.errors = script.get("errors", "spec")
        self.delay_ms = int(script.get("delay_ms", 0))
        self.fixtures = {}
        fixtures = script.get("fixtures") and first_existing(script["fixtures"])
        if fixtures:
            with open(fixtures, encoding="utf-8") as f:
                self.fixtures = json.load(f).get("resources", {})
        mis = script.get("misconfigure") or {}
        server = (self.spec.get("servers") or [{"url": "/"}])[0]["url"]
        path = re.sub(r"^[a-z]+://[^/]+", "", server)
        self.base = mis.get("base_path", path).rstrip("/")
        self.rename = mis.get("rename_params") or {}
        enc = mis.get("body_encoding")
        self.body_media = enc if isinstance(enc, dict) else {None: enc}
        self.auth = mis.get("auth") or self.spec_auth()
        only = script.get("paths")
        self.ops = []
        for tmpl, item in self.spec.get("paths", {}).items():
            if only and tmpl not in only:
                continue
            names = re.findall(r"{([^}]+)}", tmpl)
            rx = re.compile("^" + re.sub(r"\\{[^}]+\\}", "([^/]+)", re.escape(tmpl)) + "$")
            common = item.get("parameters", [])
            for method, op in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    params = [self.deref(p) for p in common + op.get("parameters", [])]
                    op = dict(op, **{"x-stub-path": tmpl})
                    self.ops.append((rx, names, method.upper(), op, params))

    # ---- the spec ----

    def deref(self, node, depth=0):
        while isinstance(node, dict) and "$ref" in node and depth < 50:
            target = self.spec
            for part in node_path(node["$ref"]):
                target = target[part]
            node = target
            depth += 1
        return node

    def spec_auth(self):
        schemes = self.spec.get("components", {}).get("securitySchemes", {})
        for s in schemes.values():
            if s.get("type") == "apiKey":
                return {"in": s.get("in", "header"), "name": s["name"], "scheme": ""}
            if s.get("type") == "http" and s.get("scheme", "").lower() == "bearer":
                return {"in": "header", "name": "Authorization", "scheme": "Bearer"}
            if s.get("type") == "http" and s.get("scheme", "").lower() == "basic":
                return {"in": "header", "name": "Authorization", "scheme": "Basic"}
        return None

    # ---- answers ----

    def error(self, status, code, message, param=None):
        if self.errors == "stripe":
            err = {"message": message, "type": "invalid_request_error"}
            if param:
                err["param"] = param
            if status == 401:
                err = {"message": message, "type": "invalid_request_error"}
            return {"status": status, "json": {"error": err}}
        return {"status": status, "json": {"error": {"code": code, "message": message}}}

    def authorized(self, headers, query):
        a = self.auth
        if not a:
            return True
        if a["in"] == "query":
            return query.get(a["name"]) == self.key
        got = headers.get(a["name"].lower())
        scheme = a.get("scheme") or ""
        if scheme.lower() == "basic":
            want = "Basic " + base64.b64encode((self.key + ":").encode()).decode()
            return got == want or got == "Bearer " + self.key
        return got == (scheme + " " if scheme else "") + self.key

    def answer(self, method, path, query, headers, raw=b""):
        reply = self.check_and_answer(method, path, query, headers, raw)
        if self.delay_ms:
            reply["delay_ms"] = self.delay_ms
        return reply

    def check_and_answer(self, method, path, query, headers, raw):
        if not (path == self.base or path.startswith(self.base + "/")):
            return self.error(404, "not_found",
                              "Unrecognized request URL (%s: %s)." % (method, path))
        rel = path[len(self.base):] or "/"
        found = [(rx.match(rel), names, m, op, ps) for rx, names, m, op, ps in self.ops]
        found = [f for f in found if f[0]]
        if not found:
            return self.error(404, "not_found",
                              "Unrecognized request URL (%s: %s)." % (method, path))
        for match, names, m, op, params in found:
            if m == method or (m == "GET" and method == "HEAD"):
                break
        else:
            return self.error(405, "method_not_allowed", "%s is not allowed here" % method)
        if not self.authorized(headers, query):
            return self.error(401, "unauthorized", "No valid API key provided.")
        qnames = {}
        for p in params:
            if p.get("in") == "query":
                qnames[self.rename.get(p["name"], p["name"])] = p
        if self.auth and self.auth["in"] == "query":
            qnames[self.auth["name"]] = {"name": self.auth["name"]}
        for k in query:
            base = re.sub(r"\[.*$", "", k)
            if base not in qnames and k not in qnames:
                return self.error(400, "parameter_unknown",
                                  "Received unknown parameter: %s" % k, k)
        for name, p in qnames.items():
            if p.get("required") and name not in query:
                return self.error(400, "parameter_missing",
                                  "Missing required param: %s." % name, name)
        refused = self.check_body(op, headers, raw)
        if refused:
            return refused
        ids = dict(zip(names, match.groups()))
        return self.respond(op, query, ids)

    def check_body(self, op, headers, raw):
        """The vendor's answer to a request body it cannot take, or None."""
        body = self.deref(op.get("requestBody") or {})
        content = body.get("content") or {}
        if not content or (not raw and not body.get("required")):
            return None
        schema = self.deref(next(iter(content.values())).get("schema") or {})
        enc = self.body_media.get(op["x-stub-path"], self.body_media.get(None))
        takes = [MEDIA[enc]] if enc else list(content)
        ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype not in takes:
            if self.errors == "stripe":
                # Stripe's own words for a body it cannot read (HTTP 400).
                return self.error(400, "invalid_request", "Invalid request: unsupported "
                                  "Content-Type %s. If error persists and you need assistance, "
                                  "please contact support@stripe.com." % ctype)
            return self.error(415, "unsupported_media_type",
                              "Unsupported Content-Type '%s': this endpoint accepts %s"
                              % (ctype, " or ".join(takes)))
        text = raw.decode("utf-8", errors="replace")
        if ctype == "application/json":
            try:
                fields = json.loads(text)
            except ValueError:
                return self.error(400, "invalid_json", "The request body is not valid JSON")
        else:
            fields = {re.sub(r"\[.*$", "", k): v
                      for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True)}
        if not isinstance(fields, dict):
            return self.error(400, "invalid_body", "The request body must be an object")
        for name in schema.get("required", []):
            if name not in fields:
                return self.error(400, "parameter_missing", "Missing required param: %s." % name,
                                  name)
        props = schema.get("properties")
        for name in fields:
            if props is not None and name not in props:
                return self.error(400, "parameter_unknown", "Received unknown parameter: %s"
                                  % name, name)
        return None

    def respond(self, op, query, ids):
        responses = op.get("responses", {})
        status = next((s for s in ("200", "201", "202") if s in responses), None)
        if status is None:
            return {"status": 204}
        resp = self.deref(responses[status])
        schema = self.deref((resp.get("content") or {}).get("application/json", {}).get("schema", {}))
        array_key = list_key(self, schema)
        if array_key:
            return {"status": int(status), "json": self.page(schema, array_key, query)}
        body = self.sample(schema, 0)
        if isinstance(body, dict) and ids:
            want = list(ids.values())[-1]
            if not re.fullmatch(r".*_(\d+)", want) or int(want.rsplit("_", 1)[1]) > self.items:
                return self.error(404, "resource_missing", "No such object: '%s'" % want, "id")
            body["id"] = want
        return {"status": int(status), "json": body}

    def page(self, schema, key, query):
        props = schema.get("properties", {})
        item_schema = self.deref(self.deref(props[key]).get("items", {}))
        everything = [self.sample(item_schema, i) for i in range(self.items)]
        size = None
        for n in PAGE_SIZE:
            name = self.rename.get(n, n)
            if name in query:
                size = max(1, int(query[name]))
        start = 0
        for n in CURSORS:
            name = self.rename.get(n, n)
            if name not in query:
                continue
            v = query[name]
            if n == "starting_after":
                ids = [o.get("id") for o in everything]
                start = ids.index(v) + 1 if v in ids else len(everything)
            elif n == "page":
                start = (int(v) - 1) * (size or len(everything))
            else:
                start = int(v) if v.isdigit() else 0
            break
        end = len(everything) if size is None else min(len(everything), start + size)
        out = self.sample(schema, 0, skip=key)
        out[key] = everything[start:end]
        if "has_more" in props:
            out["has_more"] = end < len(everything)
        for n in ("next_cursor", "next_page_token"):
            if n in props:
                out[n] = str(end) if end < len(everything) else None
        if "url" in props:
            out["url"] = self.base
        return out

    def sample(self, schema, i, depth=0, skip=None):
        """An instance of schema: its example or fixture, else one shaped by it."""
        schema = self.deref(schema)
        if depth > 6 or not isinstance(schema, dict):
            return None
        if "example" in schema and isinstance(schema["example"], dict):
            return with_id(json.loads(json.dumps(schema["example"])), i)
        rid = schema.get("x-resourceId")
        if rid in self.fixtures:
            return with_id(json.loads(json.dumps(self.fixtures[rid])), i)
        for k in ("anyOf", "oneOf", "allOf"):
            if k in schema:
                if k == "allOf":
                    out = {}
                    for part in schema[k]:
                        v = self.sample(part, i, depth + 1)
                        if isinstance(v, dict):
                            out.update(v)
                    return out
                return self.sample(schema[k][0], i, depth + 1)
        if "enum" in schema:
            return schema["enum"][0]
        t = schema.get("type")
        if t == "object" or "properties" in schema:
            out = {}
            for name, sub in schema.get("properties", {}).items():
                if name == skip:
                    continue
                if name == "id":
                    out[name] = "obj_%d" % (i + 1)
                elif name in schema.get("required", []) or depth == 0:
                    out[name] = self.sample(sub, i, depth + 1)
            return out
        if t == "array":
            return []
        if t == "integer":
            return 1767225600 + i
        if t == "number":
            return 1.5
        if t == "boolean":
            return False
        if t == "string":
            return "text_%d" % (i + 1)
        return None


def node_path(ref):
    return [p.replace("~1", "/").replace("~0", "~") for p in ref.lstrip("#/").split("/")]


def with_id(obj, i):
    """An example object as the i-th of a list: its id made unique."""
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        stem = obj["id"].rsplit("_", 1)[0] if "_" in obj["id"] else obj["id"]
        obj["id"] = "%s_%d" % (stem, i + 1)
    return obj


def list_key(vendor, schema):
    """The array property of a list answer (Stripe's data), or None."""
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    for name in ("data", "items", "results"):
        if name in props and vendor.deref(props[name]).get("type") == "array":
            return name
    return None
