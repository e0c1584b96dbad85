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
os.makedirs(os.path.join(ISS, "jwks"))
port_file = os.path.join(TMP, "isp")
iss = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/rs/issuer.py"), "serve", ISS,
                        "--port-file", port_file])


def private(path, text):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(text)


def introspected(token, answer):
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/rs/issuer.py"), "introspect", ISS,
                    token, json.dumps(answer)], check=True)


try:
    deadline = time.time() + 20
    while not os.path.exists(port_file) and time.time() < deadline:
        time.sleep(0.05)
    u = "http://127.0.0.1:" + open(port_file).read()
    static = "static-token-of-dave-0123456789"
    h = subprocess.run([sys.argv[1], "auth", "hash-token"], input=static + "\n",
                       capture_output=True, text=True, check=True).stdout.strip()
    private(os.path.join(TMP, "tokens"), f"{h} dave ops\n")
    cfg = os.path.join(TMP, "auth.json")
    private(cfg, json.dumps({"resource": RESOURCE, "issuer": "https://issuer.test",
                             "introspection_endpoint": u + "/introspect",
                             "client_id": "switchboard", "client_secret": "s3cret",
                             "tokens_file": "tokens"}))
    introspected("opaque-alice", {"active": True, "sub": "alice", "aud": RESOURCE,
                                  "iss": "https://issuer.test", "exp": "now+300"})
    introspected("opaque-bob", {"active": True, "sub": "bob", "aud": RESOURCE, "exp": "now+300"})

    srv = Server(sys.argv[1], ["--auth-config", cfg], env=dict(os.environ, SWITCHBOARD_LOG="info"))

    def call(token):
        return srv.post(modern(1, "tools/list"), headers={"Authorization": "Bearer " + token})

    for token in ("opaque-alice", "opaque-alice", "opaque-bob", static):
        r = call(token)
        expect(r.status == 200 and "tools" in r.json["result"], token[:10] + ": 200", r)
    r = call("opaque-unknown")
    expect(r.status == 401 and 'error="invalid_token"' in r.headers.get("www-authenticate", ""),
           "an inactive token: 401 invalid_token", r)
    posts = open(os.path.join(ISS, "requests.log")).read().count("POST /introspect")
    expect(posts == 3, "introspection requests for alice (kept), bob, unknown", posts)

    open(os.path.join(ISS, "down"), "w").close()
    r = call("opaque-carol")
    expect(r.status == 503, "the issuer down: 503", r)
    expect(call("opaque-alice").status == 200, "a kept answer while the issuer is down", None)
    expect(call(static).status == 200, "a static token while the issuer is down", None)

    err = srv.stop()
    for who in ("alice", "bob", "dave"):
        expect(f"a request of '{who}'" in err, "the caller " + who + " in the log", err)
    expect("opaque-" not in err and static not in err and "s3cret" not in err,
           "no token or secret in the log", err)
finally:
    iss.terminate()
    iss.wait()
print("ok")
