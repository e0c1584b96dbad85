#!/usr/bin/env python3
"""issuer.py - a small OAuth token issuer for the resource-server tests
(standard library, keys and signatures by the openssl command).

  issuer.py keygen DIR KID rsa|ec      a key pair: DIR/keys/KID.pem, its public
                                       JWK in DIR/jwks/KID.json (published)
  issuer.py sign DIR KID CLAIMS [--alg A] [--typ T] [--no-kid] [--tamper]
                                       print a signed JWT; CLAIMS is JSON where a
                                       string "now+N" / "now-N" is a time
                                       (--alg none, HS256: the attacks;
                                       --alg ES256 with an RSA key: a mismatch)
  issuer.py introspect DIR TOKEN ANSWER
                                       what the introspection endpoint answers
                                       for TOKEN (JSON, "now+N" as above)
  issuer.py serve DIR --port-file F    serve GET /jwks (every DIR/jwks/*.json,
                                       so a keygen while serving is a rotation)
                                       and POST /introspect (client switchboard,
                                       secret s3cret; unknown tokens are
                                       inactive); each request's method and path
                                       (never a token) is appended to
                                       DIR/requests.log. A file DIR/down makes
                                       every answer a 503. GET
                                       /.well-known/oauth-authorization-server
                                       is its RFC 8414 metadata (issuer
                                       http://127.0.0.1:PORT, or what
                                       DIR/metadata-issuer says).
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def keygen(d, kid, kind):
    os.makedirs(f"{d}/keys", exist_ok=True)
    os.makedirs(f"{d}/jwks", exist_ok=True)
    pem = f"{d}/keys/{kid}.pem"
    if kind == "rsa":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pem)
        mod = openssl("rsa", "-in", pem, "-noout", "-modulus").decode().strip().split("=", 1)[1]
        jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
               "n": b64u(bytes.fromhex(mod)), "e": b64u((65537).to_bytes(3, "big"))}
    else:
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", pem)
        der = openssl("pkey", "-in", pem, "-pubout", "-outform", "DER")
        point = der[-65:]
        assert point[0] == 4
        jwk = {"kty": "EC", "kid": kid, "use": "sig", "crv": "P-256",
               "x": b64u(point[1:33]), "y": b64u(point[33:])}
    tmp = f"{d}/jwks/.{kid}.tmp"
    with open(tmp, "w") as f:
        json.dump(jwk, f)
    os.rename(tmp, f"{d}/jwks/{kid}.json")


def times(v):
    """'now+N' / 'now-N' strings as times, anywhere in v."""
    if isinstance(v, str) and v.startswith("now"):
        return int(time.time()) + int(v[3:] or 0)
    if isinstance(v, dict):
        return {k: times(x) for k, x in v.items()}
    if isinstance(v, list):
        return [times(x) for x in v]
    return v


def der_to_raw(der):
    """A DER ECDSA-Sig-Value as JWS's R || S (32 bytes each)."""
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 3
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        out += der[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0")
        i += 2 + n
    return out


def sign(d, kid, claims, alg=None, typ="at+jwt", no_kid=False, tamper=False):
    with open(f"{d}/jwks/{kid}.json") as f:
        jwk = json.load(f)
    pem = f"{d}/keys/{kid}.pem"
    alg = alg or ("RS256" if jwk["kty"] == "RSA" else "ES256")
    header = {"alg": alg}
    if typ:
        header["typ"] = typ
    if not no_kid:
        header["kid"] = kid
    signing = (b64u(json.dumps(header).encode()) + "." +
               b64u(json.dumps(times(claims)).encode())).encode()
    if alg == "none":
        sig = b""
    elif alg.startswith("HS"):
        # The classic confusion: the issuer's public key as an HMAC secret.
        with open(f"{d}/jwks/{kid}.json", "rb") as f:
            sig = hmac.new(f.read(), signing, hashlib.sha256).digest()
    else:
        sig = openssl("dgst", "-sha256", "-sign", pem, data=signing)
        if jwk["kty"] == "EC":
            sig = der_to_raw(sig)
    if tamper:
        sig = bytes([sig[0] ^ 1]) + sig[1:]
    return signing.decode() + "." + b64u(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def note(self):
        with open(f"{self.server.dir}/requests.log", "a") as f:
            f.write(f"{self.command} {self.path}\n")

    def do_GET(self):
        self.note()
        d = self.server.dir
        if os.path.exists(f"{d}/down"):
            return self.answer(503, {"error": "temporarily_unavailable"})
        if self.path == "/.well-known/oauth-authorization-server":
            # RFC 8414 metadata; DIR/metadata-issuer names another issuer.
            me = "http://127.0.0.1:%d" % self.server.server_address[1]
            other = f"{d}/metadata-issuer"
            iss = open(other).read().strip() if os.path.exists(other) else me
            return self.answer(200, {"issuer": iss, "jwks_uri": me + "/jwks",
                                     "token_endpoint": me + "/token"})
        if self.path != "/jwks":
            return self.answer(404, {"error": "not_found"})
        keys = []
        for name in sorted(os.listdir(f"{d}/jwks")):
            if name.endswith(".json"):
                with open(f"{d}/jwks/{name}") as f:
                    keys.append(json.load(f))
        self.answer(200, {"keys": keys})

    def do_POST(self):
        self.note()
        d = self.server.dir
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if os.path.exists(f"{d}/down"):
            return self.answer(503, {"error": "temporarily_unavailable"})
        if self.path != "/introspect":
            return self.answer(404, {"error": "not_found"})
        want = "Basic " + base64.b64encode(b"switchboard:s3cret").decode()
        if self.headers.get("Authorization") != want:
            return self.answer(401, {"error": "invalid_client"})
        form = urllib.parse.parse_qs(body.decode())
        token = form.get("token", [""])[0]
        path = f"{d}/introspect/{hashlib.sha256(token.encode()).hexdigest()}.json"
        if not os.path.exists(path):
            return self.answer(200, {"active": False})
        with open(path) as f:
            self.answer(200, json.load(f))


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "keygen":
        keygen(d, sys.argv[3], sys.argv[4])
    elif cmd == "sign":
        args = sys.argv[5:]
        opt = lambda name: args[args.index(name) + 1] if name in args else None
        print(sign(d, sys.argv[3], json.loads(sys.argv[4]), alg=opt("--alg"),
                   typ=opt("--typ") or "at+jwt", no_kid="--no-kid" in args,
                   tamper="--tamper" in args))
    elif cmd == "introspect":
        os.makedirs(f"{d}/introspect", exist_ok=True)
        with open(f"{d}/introspect/{hashlib.sha256(sys.argv[3].encode()).hexdigest()}.json",
                  "w") as f:
            json.dump(times(json.loads(sys.argv[4])), f)
    elif cmd == "serve":
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.dir = d
        port_file = sys.argv[sys.argv.index("--port-file") + 1]
        with open(port_file + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(port_file + ".tmp", port_file)
        srv.serve_forever()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
