import concurrent.futures
import json
import os
import subprocess
import sys
import time

from mcphttp import Server, modern, expect

ROOT = os.environ["ROOT"]
TMP = os.environ["TMP"]
ISS = os.path.join(TMP, "iss")
sys.path.insert(0, os.path.join(ROOT, "tests", "rs"))
import issuer  # noqa: E402

RESOURCE = "https://mcp.test/mcp"
MD = "https://mcp.test/.well-known/oauth-protected-resource/mcp"
issuer.keygen(ISS, "r1", "rsa")
issuer.keygen(ISS, "e1", "ec")
port_file = os.path.join(TMP, "isp")
iss = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/rs/issuer.py"), "serve", ISS,
                        "--port-file", port_file])
try:
    deadline = time.time() + 20
    while not os.path.exists(port_file) and time.time() < deadline:
        time.sleep(0.05)
    u = "http://127.0.0.1:" + open(port_file).read()
    cfg = os.path.join(TMP, "auth.json")
    with open(os.open(cfg, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        json.dump({"resource": RESOURCE, "issuer": "https://issuer.test", "jwks_uri": u + "/jwks",
                   "scopes_supported": ["mcp:tools"], "required_scopes": ["mcp:tools"]}, f)

    def claims(**kw):
        c = {"iss": "https://issuer.test", "aud": RESOURCE, "sub": "alice", "exp": "now+300",
             "scope": "mcp:tools"}
        c.update(kw)
        return c

    env = dict(os.environ, SWITCHBOARD_LOG="info")
    srv = Server(sys.argv[1], ["--auth-config", cfg], env=env)

    def call(token, scheme="Bearer"):
        h = {"Authorization": f"{scheme} {token}"} if token is not None else {}
        return srv.post(modern(1, "tools/list"), headers=h)

    # Forty requests at once before any key is held: every one is let in
    # (the transport's threads share the resource server), and the JWKS is
    # fetched once for them all.
    alice = issuer.sign(ISS, "r1", claims())
    bob = issuer.sign(ISS, "e1", claims(sub="bob"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        got = list(pool.map(lambda i: call(alice if i % 2 else bob).status, range(40)))
    expect(got == [200] * 40, "forty requests at once", got)
    fetches = open(os.path.join(ISS, "requests.log")).read().count("GET /jwks")
    expect(fetches == 1, "one JWKS fetch for forty requests", fetches)

    # The metadata, at the root and beside the MCP path; nothing elsewhere.
    for path in ("/.well-known/oauth-protected-resource",
                 "/.well-known/oauth-protected-resource/mcp"):
        r = srv.post(None, method="GET", path=path, raw=b"")
        expect(r.status == 200 and r.json["resource"] == RESOURCE, "metadata at " + path, r)
        expect(r.json["authorization_servers"] == ["https://issuer.test"], "authorization_servers", r.json)
        expect(r.json["bearer_methods_supported"] == ["header"], "bearer_methods_supported", r.json)
        expect(r.json["scopes_supported"] == ["mcp:tools"], "scopes_supported", r.json)
    r = srv.post(None, method="GET", path="/.well-known/oauth-protected-resource/other", raw=b"")
    expect(r.status == 404, "metadata of another resource", r)

    # No token: 401 naming the metadata (and the scope), no error code.
    r = call(None)
    expect(r.status == 401, "no token: 401", r)
    expect(r.headers.get("www-authenticate") ==
           f'Bearer scope="mcp:tools", resource_metadata="{MD}"', "no token: challenge", r.headers)
    r = call("dXNlcjpwYXNz", scheme="Basic")
    expect(r.status == 401 and "error=" not in r.headers.get("www-authenticate", ""),
           "another scheme: 401 without an error", r.headers)

    # Two callers, two algorithms.
    r = call(alice)
    expect(r.status == 200 and "tools" in r.json["result"], "alice (RS256)", r)
    r = call(bob)
    expect(r.status == 200 and "tools" in r.json["result"], "bob (ES256)", r)

    # The refusals.
    bad = {
        "wrong audience": issuer.sign(ISS, "r1", claims(aud="https://other.test/mcp")),
        "wrong issuer": issuer.sign(ISS, "r1", claims(iss="https://evil.test")),
        "expired": issuer.sign(ISS, "r1", claims(exp="now-120")),
        "not yet valid": issuer.sign(ISS, "r1", claims(nbf="now+120")),
        "bad signature": issuer.sign(ISS, "r1", claims(), tamper=True),
        "alg none": issuer.sign(ISS, "r1", claims(), alg="none"),
    }
    for what, token in bad.items():
        r = call(token)
        expect(r.status == 401, what + ": 401", r)
        ch = r.headers.get("www-authenticate", "")
        expect(ch.startswith('Bearer error="invalid_token"') and f'resource_metadata="{MD}"' in ch,
               what + ": invalid_token challenge", ch)

    # A good token without the required scope: step up.
    r = call(issuer.sign(ISS, "r1", claims(scope="mcp:read")))
    expect(r.status == 403, "missing scope: 403", r)
    expect(r.headers.get("www-authenticate") ==
           f'Bearer error="insufficient_scope", scope="mcp:tools", resource_metadata="{MD}"',
           "insufficient_scope challenge", r.headers)

    # A malformed header: 400.
    r = call("two words")
    expect(r.status == 400 and 'error="invalid_request"' in r.headers.get("www-authenticate", ""),
           "malformed header: 400", r)

    # Rotation: a key published after the JWKS was cached.
    issuer.keygen(ISS, "r2", "rsa")
    r = call(issuer.sign(ISS, "r2", claims(sub="carol")))
    expect(r.status == 200, "a token of the rotated-in key", r)
    fetches = open(os.path.join(ISS, "requests.log")).read().count("GET /jwks")
    expect(fetches == 2, "one fetch, then one for the new key", fetches)

    err = srv.stop()
    for who in ("alice", "bob", "carol"):
        expect(f"a request of '{who}'" in err, "the caller " + who + " in the log", err)
    expect(alice not in err and bob not in err, "no token in the log", err)
finally:
    iss.terminate()
    iss.wait()
print("ok")
