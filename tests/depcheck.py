#!/usr/bin/env python3
"""depcheck.py [--objects BUILD] [ROOT] - the dependency directions of src/,
from its #include graph and, with --objects, from the symbols its object files
(BUILD/src/**/*.o, read with nm) define and use: a call through a header that
hides the real owner (a function of webhook_events.c declared in webhook.h, or
a prototype written by hand) shows there.

src/ has a folder per subsystem (src/base/util.c); a module is a .c and its
.h, named by the file (src/base/util.c is "util"; the auth handlers keep
their folder: src/auth/oauth2.c is "auth/oauth2", src/auth/auth.[ch] is
"auth"); a private header X_int.h belongs to module X. main.c sits in src/.
Fails (exit 1), printing each finding, when:
  1. modules include each other in a cycle (any length);
  2. a module includes a library header its subsystem may not: only net and
     mail include curl, only store includes sqlite3.h, only crypto OpenSSL;
  3. a module includes one of a subsystem it may not use (docs/architecture.md
     and DESIGN.md: "may use"), unless the edge is in ALLOWED below;
  4. a file of src/ is in no subsystem (add it to SUBSYSTEMS), or in another
     subsystem's folder;
  5. with --objects: a module calls (or reads) a symbol of a subsystem it may
     not use, unless the edge is in ALLOWED. Symbol cycles between modules of
     one subsystem (files sharing one header, like store.h) are not findings;
  6. a file outside src/mcp/ spells a CallToolResult's keys ("isError",
     "structuredContent") as a string: below the MCP layer a call's result is
     a struct call_result (result.h), and mcp_result.c alone makes it MCP.
Standard library and nm only."""
import subprocess
import os
import re
import sys
from fnmatch import fnmatch

# Module -> subsystem, first match wins (fnmatch patterns on the module name).
SUBSYSTEMS = [
    ("util", "base"), ("log", "base"), ("jsonx*", "base"), ("crypto", "base"),
    ("urlenc", "base"), ("compat", "base"), ("caller", "base"), ("connection", "base"),
    ("registry*", "registry"), ("connector", "registry"), ("schema", "registry"), ("import*", "registry"),
    ("store*", "store"),
    ("http", "net"), ("listen*", "net"), ("netaddr", "net"),
    ("rs*", "rs"),
    ("auth", "auth"), ("auth/*", "auth"),
    ("oauth_hooks", "quirks"), ("oauth*", "oauth"), ("connect_page", "oauth"),
    ("hooks*", "quirks"),
    ("conns", "call"), ("conntest", "call"), ("conntest_writes", "call"),
    ("request", "call"), ("result", "call"), ("exec", "call"),
    ("tenancy", "call"), ("audit", "call"),
    ("webhook*", "events"),
    ("mail", "mail"), ("imap", "mail"), ("mime*", "mail"),
    ("jsonrpc", "mcp"), ("mcp*", "mcp"), ("tools*", "mcp"), ("search", "mcp"),
    ("confirm", "mcp"),
    ("cli*", "cli"), ("completion", "cli"), ("ui", "cli"), ("main", "main"),
]

# Subsystem -> the subsystems it may use besides itself (DESIGN.md's table).
LOWER = ["base", "registry", "store", "net", "auth", "oauth", "quirks", "call", "events", "mail",
         "rs"]
MAY_USE = {
    "base": [],
    "registry": ["base"],
    "store": ["base"],
    "net": ["base"],
    "auth": ["base", "store", "net", "registry"],
    "oauth": ["base", "store", "net", "registry"],
    "quirks": ["base", "auth", "net", "registry"],
    "call": ["base", "registry", "store", "net", "auth", "oauth", "quirks", "mail"],
    "events": ["call", "store", "net", "registry", "base"],
    "mail": ["base", "net"],
    "rs": ["base", "net"],  # the resource server: who calls over HTTP
    "mcp": LOWER,
    "cli": LOWER,
    "main": LOWER + ["mcp", "cli"],  # main.c: serve (mcp) or a command (cli)
}

# Library headers (by prefix) -> the subsystems or modules that may include them.
LIBRARIES = [
    ("curl/", ["net", "mail"], "only net/ and mail/ know libcurl"),
    ("sqlite3.h", ["store"], "only store/ knows SQL"),
    ("openssl/", ["crypto"], "only base/crypto knows OpenSSL"),
    ("microhttpd.h", ["listen", "listen_deadline", "mcp_http"],
     "only net/listen (and its listen_deadline) and the HTTP transport (mcp_http) know libmicrohttpd"),
]

# Today's exceptions to rule 3, "module -> module", each to be removed by a
# later step of issue 14 (named in the comment). Do not add to this list: fix
# the direction instead.
ALLOWED = {
    # The CLI lists and calls the MCP layer's tools (struct tools_filter in its
    # options, tools_build): the typed connector model gives it actions instead.
    "cli -> tools", "cli_manage -> tools",
    # The oauth2 auth handler refreshes through oauth.c; the OAuth quirks
    # (oauth_hooks.c) plug into the connect flow.
    "auth/oauth2 -> oauth", "oauth_hooks -> oauth_connect",
    # The Email connector's hooks run mail.c.
    "hooks_mail -> mail",
}

# The same, for edges only the object files show (--objects): calls through a
# header that is not the callee's own.
ALLOWED_SYMBOLS = {
    # The connect flow looks the OAuth quirks up by name (oauth_hook_find,
    # declared in oauth_connect.h).
    "oauth_connect -> oauth_hooks",
}

# Today's include cycles, each to be broken by a later step of issue 14.
ALLOWED_CYCLES = set()


# mcp_core.h is the transport-free interface of the core in mcp.c; the typed
# connector model (connector.[ch]) is the registry's loader, one module with
# it (the registry fills its structs, and it reads struct connector).
HEADER_OF = {"mcp_core": "mcp", "connector": "registry"}


def module_of(rel):
    """src-relative path -> module name."""
    stem = os.path.splitext(rel)[0]
    # src/SUBSYSTEM/name.c is module "name"; the auth handlers keep their
    # folder ("auth/oauth2"), as their file names have no prefix.
    parts = stem.split("/")
    stem = "/".join(parts[-2:]) if parts[0] == "auth" else parts[-1]
    if stem.endswith("_int"):
        stem = stem[:-4]
    if stem == "auth/auth":
        stem = "auth"
    # Headers whose implementation lives in another module's file.
    return HEADER_OF.get(stem, stem)


def subsystem_of(mod):
    for pat, sub in SUBSYSTEMS:
        if fnmatch(mod, pat):
            return sub
    return None


def scan(root):
    """{file: ([local includes resolved to src-relative paths], [<system> includes])}"""
    src = os.path.join(root, "src")
    files = {}
    for d, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                files[os.path.relpath(os.path.join(d, n), src)] = None
    # Each subsystem folder is on the include path: "util.h" is base/util.h.
    by_name = {os.path.basename(rel): rel for rel in files if "/" in rel and not rel.startswith("auth/")}
    inc = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
    for rel in files:
        local, system = [], []
        with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as f:
            for line in f:
                m = inc.match(line)
                if not m:
                    continue
                if m.group(1) == "<":
                    system.append(m.group(2))
                    continue
                here = os.path.normpath(os.path.join(os.path.dirname(rel), m.group(2)))
                if here in files:
                    local.append(here)
                elif os.path.normpath(m.group(2)) in files:
                    local.append(os.path.normpath(m.group(2)))
                elif m.group(2) in by_name:
                    local.append(by_name[m.group(2)])
        files[rel] = (local, system)
    return files


MCP_WORDS = re.compile(r'"(isError|structuredContent)"')


def mcp_words(root):
    """Findings for CallToolResult keys spelled outside src/mcp/."""
    src, found = os.path.join(root, "src"), []
    for d, _, names in os.walk(src):
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(d, n), src)
            if not n.endswith((".c", ".h")) or rel.startswith("mcp/"):
                continue
            with open(os.path.join(d, n), encoding="utf-8", errors="replace") as f:
                for i, line in enumerate(f, 1):
                    m = MCP_WORDS.search(line)
                    if m:
                        found.append(f"src/{rel}:{i}: spells {m.group(0)}: MCP result keys "
                                     "belong to src/mcp/ (mcp_result.h)")
    return found


def cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def one_cycle(graph, comp):
    """A shortest cycle through comp's first module, as a list of modules."""
    start, members = comp[0], set(comp)
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return [start] + path[::-1][1:] + [start] if len(path) > 1 else [start, v, start]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def symbol_edges(build, root):
    """{(module, module): reason} from the objects' defined and undefined symbols.
    An object whose source is gone (a file moved or removed since that build)
    is left out."""
    defs, uses, where = {}, {}, {}
    objs = os.path.join(build, "src")
    paths = sorted(os.path.join(d, n) for d, _, names in os.walk(objs) for n in names
                   if n.endswith(".o") and os.path.exists(
                       os.path.join(root, "src", os.path.relpath(os.path.join(d, n[:-2] + ".c"), objs))))
    # One nm for them all: "path:[address] type symbol" a line.
    out = subprocess.run(["nm", "-A"] + paths, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        path, _, rest = line.partition(".o:")
        path += ".o"
        rel = os.path.relpath(path, objs)[:-2] + ".c"
        mod = module_of(rel)
        where[mod] = rel
        f = rest.split()
        if len(f) == 3 and f[1] in "TDRBG":
            defs[f[2]] = mod
        elif len(f) == 2 and f[0] == "U":
            uses.setdefault(mod, set()).add(f[1])
    edges = {}
    for mod, syms in sorted(uses.items()):
        for sym in sorted(syms):
            dep = defs.get(sym)
            if dep and dep != mod:
                edges.setdefault((mod, dep), f"src/{where[mod]} uses {sym} of src/{where[dep]}")
    return edges


def main():
    args = sys.argv[1:]
    build = None
    if args[:1] == ["--objects"]:
        build, args = args[1], args[2:]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = scan(root)
    graph, why, problems = {}, {}, []
    for rel, (local, system) in sorted(files.items()):
        mod = module_of(rel)
        sub = subsystem_of(mod)
        graph.setdefault(mod, set())
        folder = rel.split("/")[0] if "/" in rel else "main"
        if sub is None:
            problems.append(f"src/{rel}: module '{mod}' is in no subsystem; add it to SUBSYSTEMS in tests/depcheck.py")
        elif folder != sub:
            problems.append(f"src/{rel}: module '{mod}' belongs to {sub}/ (SUBSYSTEMS in tests/depcheck.py): move it to src/{sub}/")
        for h in local:
            dep = module_of(h)
            if dep != mod:
                graph[mod].add(dep)
                why.setdefault((mod, dep), f"src/{rel} includes \"{h}\"")
        for h in system:
            for prefix, allowed, rule in LIBRARIES:
                if h.startswith(prefix) and sub not in allowed and mod not in allowed:
                    problems.append(f"src/{rel}: includes <{h}>: {rule}")
    for comp in cycles(graph):
        if ", ".join(comp) in ALLOWED_CYCLES:
            continue
        path = one_cycle(graph, comp)
        hops = "; ".join(why[(a, b)] for a, b in zip(path, path[1:]))
        problems.append(f"include cycle between {', '.join(comp)}: {' -> '.join(path)} ({hops})")
    edges = dict(why)
    allowed = set(ALLOWED)
    if build:
        if not os.path.isdir(os.path.join(build, "src")):
            print(f"depcheck: no objects under {build}/src; build first (make)")
            return 2
        for edge, text in symbol_edges(build, root).items():
            edges.setdefault(edge, text)
        allowed |= ALLOWED_SYMBOLS
    excepted = set()
    for (mod, dep), text in sorted(edges.items()):
        a, b = subsystem_of(mod), subsystem_of(dep)
        if a is None or b is None or a == b or b in MAY_USE.get(a, []):
            continue
        if f"{mod} -> {dep}" in allowed:
            excepted.add(f"{mod} -> {dep}")
            continue
        problems.append(f"{text}: {a}/ may not use {b}/ ({mod} -> {dep})")
    for edge in sorted(allowed - excepted):
        problems.append(f"tests/depcheck.py: ALLOWED edge '{edge}' is gone or within the rules; remove it")
    found = {", ".join(c) for c in cycles(graph)}
    for c in sorted(ALLOWED_CYCLES - found):
        problems.append(f"tests/depcheck.py: ALLOWED_CYCLES '{c}' no longer exists; remove it")
    problems += mcp_words(root)
    for p in problems:
        print(p)
    print(f"depcheck: {len(graph)} modules, {sum(len(v) for v in graph.values())} include edges"
          f"{f', {len(edges) - len(why)} more from symbols' if build else ''}, "
          f"{len(found)} include cycles ({len(found & ALLOWED_CYCLES)} allowed), "
          f"{len(excepted)} allowed exceptions, {len(problems)} findings")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
