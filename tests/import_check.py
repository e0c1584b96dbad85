#!/usr/bin/env python3
"""import_check.py - does each tool of an imported connector send what its
spec operation says? (standard library only)

usage: import_check.py BIN SPEC CONNECTOR.json [--sample N] [--min-coverage P]

For every action (or N spread over them) it makes arguments from the
action's declarations, runs `BIN --capabilities DIR --all call TOOL ARGS
--dry-run`, and compares the request with the operation named by the
action's x-operation, read from the spec itself (YAML through
`BIN connectors import SPEC --dump-spec`; Postman collections directly):
method, path with the path values, query and header parameter placement,
body fields and content type, and that everything the spec requires is
required by the tool. Coverage is the share of the spec's operations some
action carries. Prints one line per problem and a summary; exit 1 on any
problem or coverage below P (default 95).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

METHODS = ("get", "put", "post", "delete", "patch", "head")


def load_spec(binary, path):
    with open(path, "rb") as f:
        head = f.read(1).strip() or f.read(64).strip()[:1]
    if head == b"{":
        with open(path) as f:
            return json.load(f)
    out = subprocess.run([binary, "connectors", "import", path, "--dump-spec"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class Resolver:
    def __init__(self, doc):
        self.doc = doc

    def ref(self, v, hops=0):
        while isinstance(v, dict) and "$ref" in v and hops < 32:
            cur = self.doc
            for part in v["$ref"][2:].split("/"):
                part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
                cur = cur[int(part)] if isinstance(cur, list) else cur.get(part)
            v = cur
            hops += 1
        return v

    def props(self, s, depth=0):
        """(properties, required) of an object schema, allOf merged, and
        oneOf/anyOf of objects merged with nothing required."""
        s = self.ref(s)
        if not isinstance(s, dict) or depth > 8:
            return {}, set()
        props = dict(s.get("properties") or {})
        req = set(s.get("required") or [])
        for part in s.get("allOf") or []:
            p, r = self.props(part, depth + 1)
            for k, v in p.items():
                props.setdefault(k, v)
            req |= r
        variants = s.get("oneOf") or s.get("anyOf") or []
        if variants and all(self._objectish(v) for v in variants):
            for part in variants:
                p, _ = self.props(part, depth + 1)
                for k, v in p.items():
                    props.setdefault(k, v)
        props = {k: v for k, v in props.items() if not (self.ref(v) or {}).get("readOnly")}
        return props, {r for r in req if r in props}

    def _objectish(self, v):
        v = self.ref(v) or {}
        t = v.get("type")
        return "properties" in v or "allOf" in v or t == "object" or (
            isinstance(t, list) and "object" in t)


def openapi_ops(spec):
    """(METHOD, path) -> {params: [(name, in, required)], body: {types, props, required} or None}"""
    r = Resolver(spec)
    swagger = "swagger" in spec
    ops = {}
    for path, item in (spec.get("paths") or {}).items():
        item = r.ref(item) or {}
        for m in METHODS:
            op = item.get(m)
            if not isinstance(op, dict):
                continue
            params, seen, body = [], set(), None
            form = {}
            form_req = set()
            for p in (op.get("parameters") or []) + (item.get("parameters") or []):
                p = r.ref(p) or {}
                key = (p.get("name"), p.get("in"))
                if key in seen or not p.get("name"):
                    continue
                seen.add(key)
                if p["in"] == "body":
                    s = r.ref(p.get("schema") or {})
                    pr, rq = r.props(s)
                    cons = op.get("consumes") or spec.get("consumes") or ["application/json"]
                    body = {"types": cons, "props": pr, "required": rq if True else set(),
                            "schema": s}
                elif p["in"] == "formData":
                    form[p["name"]] = p
                    if p.get("required"):
                        form_req.add(p["name"])
                else:
                    params.append((p["name"], p["in"], bool(p.get("required")) or p["in"] == "path"))
            if form:
                cons = op.get("consumes") or spec.get("consumes") or ["application/x-www-form-urlencoded"]
                body = {"types": cons, "props": form, "required": form_req, "schema": {}}
            rb = r.ref(op.get("requestBody"))
            if rb and not swagger:
                content = rb.get("content") or {}
                types = list(content)
                schema = {}
                for t in types:
                    if "json" in t:
                        schema = content[t].get("schema") or {}
                        break
                else:
                    if types:
                        schema = content[types[0]].get("schema") or {}
                s = r.ref(schema) or {}
                if s.get("type") == "array":
                    s = r.ref(s.get("items")) or {}
                pr, rq = r.props(s)
                body = {"types": types, "props": pr, "required": rq, "schema": s}
            ops[(m.upper(), path)] = {"params": params, "body": body}
    return ops


def postman_ops(doc):
    ops = {}

    def walk(items):
        for it in items:
            if isinstance(it.get("item"), list):
                walk(it["item"])
                continue
            req = it.get("request") or {}
            url = req.get("url") or {}
            segs = []
            params = []
            for s in url.get("path") or []:
                if s.startswith(":"):
                    s = "{" + s[1:] + "}"
                elif s.startswith("{{") and s.endswith("}}"):
                    s = "{" + s[2:-2] + "}"
                if s.startswith("{"):
                    params.append((s[1:-1], "path", True))
                segs.append(s)
            for q in url.get("query") or []:
                if not q.get("disabled"):
                    params.append((q["key"], "query", False))
            for h in req.get("header") or []:
                if h["key"].lower() not in ("content-type", "accept", "authorization") and not h.get("disabled"):
                    params.append((h["key"], "header", False))
            body = None
            b = req.get("body") or {}
            if b.get("mode") == "raw":
                try:
                    ex = json.loads(b.get("raw") or "")
                    body = {"types": ["application/json"], "props": ex if isinstance(ex, dict) else {},
                            "required": set(), "schema": {}}
                except ValueError:
                    pass
            elif b.get("mode") in ("urlencoded", "formdata"):
                t = "application/x-www-form-urlencoded" if b["mode"] == "urlencoded" else "multipart/form-data"
                body = {"types": [t], "props": {f["key"]: {} for f in b[b["mode"]]},
                        "required": set(), "schema": {}}
            ops.setdefault((req.get("method", "GET").upper(), "/" + "/".join(segs)),
                           {"params": params, "body": body})
    walk(doc.get("item") or [])
    return ops


def sample_value(name, d):
    if not isinstance(d, dict):
        return "x"
    if "const" in d:
        return d["const"]
    if d.get("enum"):
        return d["enum"][0]
    t = d.get("type")
    lo = d.get("minimum", 1)
    lo = lo if isinstance(lo, (int, float)) and not isinstance(lo, bool) else 1
    if t == "integer":
        return int(lo) if lo > 0 else 1
    if t == "number":
        return max(lo, 1)
    if t == "boolean":
        return True
    if t == "array":
        return [sample_value(name, d.get("items") or {"type": "string"})]
    if t == "object":
        props = d.get("properties") or {}
        req = d.get("required") if isinstance(d.get("required"), list) else []
        return {k: sample_value(k, props[k]) for k in req if k in props}
    fmt = d.get("format")
    if fmt == "date-time":
        return "2024-01-02T03:04:05Z"
    if fmt == "date":
        return "2024-01-02"
    if fmt == "email":
        return "a@example.com"
    if fmt in ("uri", "url"):
        return "https://example.com/x"
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000001"
    v = "v" + re.sub(r"[^a-z0-9]", "", name.lower())[:10]
    lo = d.get("minLength", 0) if isinstance(d.get("minLength"), int) else 0
    hi = d.get("maxLength", 64) if isinstance(d.get("maxLength"), int) else 64
    v = (v * (lo // len(v) + 2))[:max(lo, min(len(v), hi))]
    return v


def env_for(conn):
    env = {}
    auth = conn["auth"]
    for m in auth["methods"]:
        if m["type"] == auth["default"]:
            for f in (m.get("fields") or {}).values():
                if f.get("env"):
                    env[f["env"]] = "testvalue123"
    return env


def check_one(binary, capdir, slug, ename, aname, action, spec_op, env):
    problems = []
    tool = f"{slug}_{ename}_{aname}"
    params = action.get("params") or {}
    args = {}
    for name, d in params.items():
        args[name] = sample_value(name, d)
    out = subprocess.run([binary, "--all", "call", tool,
                          json.dumps(args), "--dry-run"], capture_output=True, text=True,
                         env=env, timeout=30)
    if out.returncode != 0:
        return [f"{tool}: dry run failed: {out.stderr.strip().splitlines()[-1:]}"]
    req = json.loads(out.stdout)
    op = action["x-operation"]
    if req["method"] != op["method"]:
        problems.append(f"{tool}: method {req['method']}, spec {op['method']}")
    url = urllib.parse.urlsplit(req["url"])
    # the path: the spec's template with the argument values
    spec_path, _, fixed = op["path"].partition("?")
    for k, v in urllib.parse.parse_qsl(fixed, keep_blank_values=True):
        if v not in urllib.parse.parse_qs(url.query, keep_blank_values=True).get(k, []):
            problems.append(f"{tool}: fixed query {k}={v} not sent")
    mine = re.findall(r"\{([^}]+)\}", action["path"])
    theirs = re.findall(r"\{([^}]+)\}", spec_path)
    expect = spec_path
    for a, t in zip(mine, theirs):
        expect = expect.replace("{" + t + "}", urllib.parse.quote(str(args[a]), safe=""), 1)
    if len(mine) != len(theirs):
        problems.append(f"{tool}: path parameters {mine}, spec {theirs}")
    if not urllib.parse.unquote(url.path).endswith(urllib.parse.unquote(expect)):
        problems.append(f"{tool}: path {url.path}, spec {expect}")
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    qkeys = {re.sub(r"\[.*$", "", k) for k in query}
    headers = {h.split(":", 1)[0].lower(): h.split(":", 1)[1].strip() for h in req["headers"]}
    vendor = {(d.get("as") or n): (n, d) for n, d in params.items()}
    pg = action.get("pagination") or {}
    paged = {pg.get("limit_param"), pg.get("cursor_param"), pg.get("before_param")}
    required = {n for n, d in params.items() if d.get("required")}
    for name, where, req_flag in spec_op["params"]:
        if where == "cookie" or (where == "header" and name.lower() in ("authorization", "accept", "content-type")):
            continue
        if name in paged and aname == "list":
            continue
        if where == "path":
            continue  # checked with the path
        got = vendor.get(name)
        if not got:
            problems.append(f"{tool}: {where} parameter {name} is not an argument")
            continue
        arg, d = got
        if req_flag and arg not in required:
            problems.append(f"{tool}: {where} parameter {name} is required by the spec, not by the tool")
        if d.get("type") == "object" and not args[arg]:
            continue
        if where == "query" and name not in qkeys and re.sub(r"\[.*$", "", name) not in qkeys:
            problems.append(f"{tool}: query parameter {name} not in the query ({url.query[:80]})")
        if where == "header" and name.lower() not in headers:
            problems.append(f"{tool}: header {name} not sent")
    body = spec_op["body"]
    ctype = headers.get("content-type", "")
    if body and req["method"] in ("GET", "HEAD"):
        # a GET body is not sent: its fields go in the query
        for name in body["props"]:
            got = vendor.get(name)
            if not got:
                problems.append(f"{tool}: GET body field {name} is not an argument")
            elif got[1].get("type") != "object" and name not in qkeys:
                problems.append(f"{tool}: GET body field {name} not in the query")
    elif body and (body["props"] or "raw" in action or req.get("body")):
        types = [t.split(";")[0] for t in body["types"]]
        if ctype.split(";")[0] not in types:
            problems.append(f"{tool}: content type {ctype!r}, spec {types}")
        sent = set()
        text = req.get("body") or ""
        base = ctype.split(";")[0]
        if "json" in base:
            try:
                v = json.loads(text) if text else {}
                if isinstance(v, list):
                    v = v[0] if v else {}
                sent = set(v)
            except ValueError:
                problems.append(f"{tool}: body is not JSON")
        elif base == "application/x-www-form-urlencoded":
            sent = {re.sub(r"\[.*$", "", k) for k in urllib.parse.parse_qs(text, keep_blank_values=True)}
        elif base == "multipart/form-data":
            sent = {re.sub(r"\[.*$", "", n) for n in re.findall(r'name="([^"]+)"', text)}
        if "raw" not in action:
            for name in body["props"]:
                got = vendor.get(name)
                if not got:
                    problems.append(f"{tool}: body field {name} is not an argument")
                    continue
                arg, d = got
                empty = args[arg] in ({}, [], [{}])
                if not empty and name not in sent:
                    problems.append(f"{tool}: body field {name} not in the body")
                if name in body["required"] and arg not in required:
                    problems.append(f"{tool}: body field {name} is required by the spec, not by the tool")
        elif not text:
            problems.append(f"{tool}: raw body empty")
    elif req.get("body") and req["method"] in ("GET", "DELETE", "HEAD"):
        problems.append(f"{tool}: a body the spec does not declare")
    return problems


def main():
    argv = sys.argv[1:]
    sample = None
    min_cov = 95.0
    if "--sample" in argv:
        i = argv.index("--sample")
        sample = int(argv[i + 1])
        del argv[i:i + 2]
    if "--min-coverage" in argv:
        i = argv.index("--min-coverage")
        min_cov = float(argv[i + 1])
        del argv[i:i + 2]
    binary, spec_paths, conn_path = argv
    ops = {}
    for spec_path in spec_paths.split(","):  # several specs merged into one connector
        spec = load_spec(binary, spec_path)
        more = postman_ops(spec) if "item" in spec and "paths" not in spec else openapi_ops(spec)
        for k, v in more.items():
            ops.setdefault(k, v)
    with open(conn_path) as f:
        conn = json.load(f)
    slug = conn["slug"]
    actions = [(e, a, d) for e, ent in conn["entities"].items()
               for a, d in ent["actions"].items() if "x-operation" in d]
    covered = {(d["x-operation"]["method"], d["x-operation"]["path"]) for _, _, d in actions}
    coverage = 100.0 * len(covered & set(ops)) / max(len(ops), 1)
    chosen = actions
    if sample and len(actions) > sample:
        step = len(actions) / sample
        chosen = [actions[int(i * step)] for i in range(sample)]
    tmp = tempfile.mkdtemp(prefix="impchk")
    try:
        # a data folder of its own: the schema, and only this connector
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        os.symlink(os.path.join(root, "schemas"), os.path.join(tmp, "schemas"))
        os.mkdir(os.path.join(tmp, "capabilities"))
        shutil.copy(conn_path, os.path.join(tmp, "capabilities", slug + ".json"))
        env = dict(os.environ)
        env.update(env_for(conn))
        env["SWITCHBOARD_DATADIR"] = tmp
        env["HOME"] = tmp
        env["XDG_DATA_HOME"] = tmp
        env["SWITCHBOARD_STORE"] = os.path.join(tmp, "store")
        problems = []
        for e, a, d in chosen:
            op = ops.get((d["x-operation"]["method"], d["x-operation"]["path"]))
            if not op:
                problems.append(f"{slug}_{e}_{a}: x-operation {d['x-operation']} is not in the spec")
                continue
            problems += check_one(binary, tmp, slug, e, a, d, op, env)
    finally:
        shutil.rmtree(tmp)
    for p in problems:
        print(p)
    print(f"{slug}: coverage {len(covered & set(ops))}/{len(ops)} = {coverage:.1f}%, "
          f"checked {len(chosen)} tools, {len(problems)} problems")
    return 1 if problems or coverage < min_cov else 0


if __name__ == "__main__":
    sys.exit(main())
