#!/usr/bin/env python3
"""oauth_server.py - a loopback OAuth 2.0 provider and API for switchboard's tests
(standard library only).

    oauth_server.py --port-file F [--client-id ID] [--client-secret S]
                    [--expires-in N] [--no-rotate] [--grace S] [--token-delay S]
                    [--refresh-gate FILE]
                    [--deny] [--extra k=v ...] [--refresh-expires-in N]

/authorize  answers 302 to redirect_uri with code and state at once (consent is
            assumed), or error=access_denied with --deny; --extra values are
            added to the redirect (QuickBooks realmId)
/token      authorization_code (checks redirect_uri and the PKCE S256 verifier),
            refresh_token (rotates unless --no-rotate: the old refresh token
            stops working at once, or after S seconds with --grace S, as
            Xero's retry window), client_credentials; --token-delay S answers
            after S seconds;
            client authentication by Basic header or form body;
            --refresh-expires-in N: refresh tokens die N seconds after they
            are issued, and answers say so in refresh_token_expires_in
/api/...    any path: 200 {"ok": true, "path": ...} with a valid unexpired bearer
            token (or X-Shopify-Access-Token), else 401
/admin/revoke-access   the current access tokens stop working (next call: 401)
/admin/revoke-refresh  every refresh token is revoked (next refresh: invalid_grant)
/admin/age?seconds=N   as if N seconds had passed: every token's expiry moves N
                       seconds closer (tests/oauth/lib.sh's oauth_age; no sleeping)
/admin/stats           {"refreshes": N, "codes": N, "client_credentials": N,
                        "introspections": N, "accept": [Accept headers seen at /token],
                        "invalid_grants": N (refresh tokens refused: dead or unknown),
                        "refresh_times": [when each refresh was answered, Unix seconds],
                        "token_requests": N (requests to /token received, counted
                        on arrival, before --token-delay)}
--refresh-gate FILE     a refresh request, once counted, waits until FILE exists
                        (at most 60 s): a case acts while a refresh is surely
                        in flight, however slow the machine

Vendor shapes:
--hmac-secret S    sign the redirect the Shopify way: timestamp added, then hmac =
                   hex HMAC-SHA256(S, sorted "k=v&..." of every other parameter)
--timestamp-offset S  that timestamp is S seconds off the clock (negative: past)
--tenants JSON     GET /connections (bearer) answers this list (Xero tenants);
                   ?authEventId=X keeps those whose authEventId is X
--jwt-access ID    access tokens are JWT-shaped (unsigned), their payload
                   carrying authentication_event_id ID, as Xero's do
--slack            the code exchange answers Slack's oauth.v2.access shape: ok,
                   team, and a user token nested under authed_user
--token-body JSON  the code exchange answers HTTP 200 with this body instead
                   (Slack {"ok":false,...}, GitHub {"error":"bad_verification_code"})
/oauth/2026-03/token/introspect  POST token=...: HubSpot's token info, hub_id 4242

Revocation, each in its vendor's shape; a revoked token ends its whole grant
(the access and refresh tokens issued in one consent and its refreshes):
POST /connect/revocation          Xero (RFC 7009): Basic client auth, form token;
                                  200 even for an unknown token
POST /v2/oauth2/tokens/revoke     QuickBooks: Basic client auth, JSON {"token"};
                                  400 unless Content-Type is JSON
POST /oauth/2026-03/token/revoke  HubSpot: form client_id, client_secret, token,
                                  token_type_hint; 204
POST /api/auth.revoke             Slack: the token as Bearer; 200 {ok, revoked},
                                  or 200 {ok: false, error: invalid_auth}
DELETE /applications/{id}/grant   GitHub: Basic client auth, JSON {"access_token"};
                                  204, or 404 for an unknown token
/admin/issue            a new grant without the browser: {access_token,
                        refresh_token, user_token (a grant of its own)}
/admin/revocations      every revocation request received: [{method, path,
                        authorization, content_type, accept, body}], body parsed
                        (form or JSON); Basic credentials decoded as "Basic id:secret"
/admin/revoke-fail?status=N  revocation endpoints answer HTTP N (0: work again)
/admin/token-html?count=N    the next N /token requests answer HTTP 200 with an
                        HTML page (text/html), as a proxy's login page or a
                        maintenance page does; nothing is issued or revoked
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"codes": {}, "access": {}, "refresh": {}, "grant": {}, "revocations": [],
         "revoke_fail": 0, "token_html": 0, "stats": {"refreshes": 0, "codes": 0,
                                                             "client_credentials": 0,
                                                             "introspections": 0, "accept": [],
                                                             "invalid_grants": 0,
                                                             "refresh_times": [],
                                                             "token_requests": 0}}
ARGS = None


def issue(rotate_from=None):
    gid = STATE["grant"].get(rotate_from) or secrets.token_hex(4)
    access = "at_" + secrets.token_hex(12)
    if ARGS.jwt_access:
        b64 = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
        access = ".".join([b64({"alg": "RS256", "typ": "JWT"}),
                           b64({"authentication_event_id": ARGS.jwt_access,
                                "jti": secrets.token_hex(8), "exp": int(time.time()) + ARGS.expires_in}),
                           secrets.token_hex(16)])
    STATE["access"][access] = time.time() + ARGS.expires_in
    STATE["grant"][access] = gid
    out = {"access_token": access, "token_type": "Bearer", "expires_in": ARGS.expires_in}
    if rotate_from is None or not ARGS.no_rotate:
        refresh = "rt_" + secrets.token_hex(12)
        life = ARGS.refresh_expires_in
        STATE["refresh"][refresh] = time.time() + life if life else True
        STATE["grant"][refresh] = gid
        out["refresh_token"] = refresh
        if life:
            out["refresh_token_expires_in"] = life
    return out


def end_grant(token):
    """Revoke every token of token's grant; False when token is unknown."""
    gid = STATE["grant"].get(token)
    if gid is None or (token not in STATE["access"] and token not in STATE["refresh"]):
        return False
    for t, g in list(STATE["grant"].items()):
        if g == gid:
            STATE["access"].pop(t, None)
            STATE["refresh"].pop(t, None)
    return True


REVOKE_PATHS = ("/connect/revocation", "/v2/oauth2/tokens/revoke",
                "/oauth/2026-03/token/revoke", "/api/auth.revoke")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if u.path == "/authorize":
            target = q.get("redirect_uri", "")
            if ARGS.deny:
                params = {"error": "access_denied", "state": q.get("state", "")}
            elif q.get("client_id") != ARGS.client_id:
                params = {"error": "unauthorized_client", "state": q.get("state", "")}
            else:
                code = "code_" + secrets.token_hex(8)
                with LOCK:
                    STATE["codes"][code] = (target, q.get("code_challenge"))
                params = {"code": code, "state": q.get("state", "")}
                for kv in ARGS.extra:
                    k, v = kv.split("=", 1)
                    params[k] = v
                if ARGS.hmac_secret is not None:
                    params["timestamp"] = str(int(time.time()) + ARGS.timestamp_offset)
                    msg = "&".join(f"{k}={params[k]}" for k in sorted(params))
                    params["hmac"] = hmac.new(ARGS.hmac_secret.encode(), msg.encode(),
                                              hashlib.sha256).hexdigest()
            loc = target + ("&" if "?" in target else "?") + urllib.parse.urlencode(params)
            return self.send(302, b"", {"Location": loc})
        if u.path == "/admin/stats":
            return self.send(200, STATE["stats"])
        if u.path == "/admin/age":
            n = float(q["seconds"])
            with LOCK:
                for kind in ("access", "refresh"):
                    for t, exp in STATE[kind].items():
                        if exp is not True:
                            STATE[kind][t] = exp - n
            return self.send(200, {"ok": True})
        if u.path == "/admin/revoke-access":
            with LOCK:
                STATE["access"].clear()
            return self.send(200, {"ok": True})
        if u.path == "/admin/issue":
            with LOCK:
                out = issue()
                user = "xoxp-" + secrets.token_hex(12)
                STATE["access"][user] = time.time() + ARGS.expires_in
                STATE["grant"][user] = "user-" + secrets.token_hex(4)
            out["user_token"] = user
            return self.send(200, out)
        if u.path == "/admin/revocations":
            return self.send(200, STATE["revocations"])
        if u.path == "/admin/revoke-fail":
            STATE["revoke_fail"] = int(q.get("status", "0"))
            return self.send(200, {"ok": True})
        if u.path == "/admin/token-html":
            STATE["token_html"] = int(q.get("count", "1"))
            return self.send(200, {"ok": True})
        if u.path == "/admin/revoke-refresh":
            with LOCK:
                STATE["refresh"].clear()
            return self.send(200, {"ok": True})
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        token = self.headers.get("X-Shopify-Access-Token", token)  # Shopify's own header
        with LOCK:
            exp = STATE["access"].get(token)
        if exp is None or exp < time.time():
            return self.send(401, {"error": "invalid_token"})
        if u.path == "/connections" and ARGS.tenants is not None:
            tenants = json.loads(ARGS.tenants)
            if "authEventId" in q:
                tenants = [t for t in tenants if t.get("authEventId") == q["authEventId"]]
            return self.send(200, tenants)
        return self.send(200, {"ok": True, "path": u.path,
                               "tenant": self.headers.get("xero-tenant-id")})

    def revoke(self, u, body):
        """The vendors' revocation endpoints (see the module's docstring)."""
        ctype = self.headers.get("Content-Type", "")
        auth = self.headers.get("Authorization", "")
        shown = auth
        if auth.startswith("Basic "):
            shown = "Basic " + base64.b64decode(auth[6:]).decode()
        try:
            parsed = json.loads(body) if ctype.startswith("application/json") else \
                dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        except ValueError:
            parsed = body
        with LOCK:
            STATE["revocations"].append({"method": self.command, "path": u.path,
                                         "authorization": shown, "content_type": ctype,
                                         "accept": self.headers.get("Accept", ""),
                                         "body": parsed})
        if STATE["revoke_fail"]:
            return self.send(STATE["revoke_fail"], {"error": "temporarily_unavailable",
                                                    "error_description": "try again later"})
        basic_ok = shown == f"Basic {ARGS.client_id}:{ARGS.client_secret}"
        p = parsed if isinstance(parsed, dict) else {}
        with LOCK:
            if u.path == "/connect/revocation":
                if not basic_ok:
                    return self.send(401, {"error": "invalid_client"})
                end_grant(p.get("token"))
                return self.send(200, b"")
            if u.path == "/v2/oauth2/tokens/revoke":
                if not basic_ok:
                    return self.send(401, {"error": "invalid_client"})
                if not ctype.startswith("application/json"):
                    return self.send(400, {"error": "invalid_request"})
                end_grant(p.get("token"))
                return self.send(200, b"")
            if u.path == "/oauth/2026-03/token/revoke":
                if p.get("client_id") != ARGS.client_id or p.get("client_secret") != ARGS.client_secret:
                    return self.send(401, {"status": "error", "category": "INVALID_CLIENT"})
                if not end_grant(p.get("token")):
                    return self.send(400, {"status": "error", "category": "BAD_REFRESH_TOKEN",
                                           "message": "token not found"})
                return self.send(204, b"")
            if u.path == "/api/auth.revoke":
                token = auth[7:] if auth.startswith("Bearer ") else None
                if token not in STATE["access"] or not end_grant(token):
                    return self.send(200, {"ok": False, "error": "invalid_auth"})
                return self.send(200, {"ok": True, "revoked": True})
            # DELETE /applications/{client_id}/grant
            if not basic_ok or u.path != f"/applications/{ARGS.client_id}/grant":
                return self.send(404, {"message": "Not Found"})
            if not end_grant(p.get("access_token")):
                return self.send(404, {"message": "Not Found"})
            return self.send(204, b"")

    def do_DELETE(self):
        u = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if u.path.startswith("/applications/"):
            return self.revoke(u, body)
        return self.send(405, {"error": "method_not_allowed"})

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if u.path in REVOKE_PATHS:
            return self.revoke(u, body)
        f = dict(urllib.parse.parse_qsl(body))
        if u.path == "/oauth/2026-03/token/introspect":
            if f.get("client_id") != ARGS.client_id or f.get("client_secret") != ARGS.client_secret:
                return self.send(401, {"error": "invalid_client"})
            with LOCK:
                STATE["stats"]["introspections"] += 1
                active = f.get("token") in STATE["access"]
            return self.send(200, {"active": active, "hub_id": 4242, "app_id": 7,
                                   "token_use": "access_token", "token": f.get("token")})
        if u.path != "/token":
            return self.do_GET()
        with LOCK:
            STATE["stats"]["token_requests"] += 1
        time.sleep(ARGS.token_delay)
        gate_end = time.time() + 60
        while (ARGS.refresh_gate and f.get("grant_type") == "refresh_token"
               and not os.path.exists(ARGS.refresh_gate) and time.time() < gate_end):
            time.sleep(0.02)
        STATE["stats"]["accept"].append(self.headers.get_all("Accept") or [])
        cid, csec = f.get("client_id"), f.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            cid, _, csec = base64.b64decode(auth[6:]).decode().partition(":")
        if cid != ARGS.client_id or (ARGS.client_secret and csec != ARGS.client_secret):
            return self.send(401, {"error": "invalid_client"})
        grant = f.get("grant_type")
        with LOCK:
            if STATE["token_html"] > 0:
                STATE["token_html"] -= 1
                page = (b"<!DOCTYPE html>\n<html><head><title>Sign in - Example Corp proxy</title>"
                        b"</head><body><form method=\"post\">Please sign in</form></body></html>\n")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                return None
            if grant == "authorization_code":
                entry = STATE["codes"].pop(f.get("code"), None)
                if not entry or entry[0] != f.get("redirect_uri"):
                    return self.send(400, {"error": "invalid_grant"})
                if entry[1]:
                    verifier = f.get("code_verifier", "")
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    if digest.rstrip(b"=").decode() != entry[1]:
                        return self.send(400, {"error": "invalid_grant",
                                               "error_description": "PKCE verification failed"})
                STATE["stats"]["codes"] += 1
                if ARGS.token_body is not None:
                    return self.send(200, json.loads(ARGS.token_body))
                out = issue()
                if ARGS.slack:
                    user = "xoxp-" + secrets.token_hex(12)
                    STATE["access"][user] = time.time() + ARGS.expires_in
                    STATE["grant"][user] = "user-" + secrets.token_hex(4)
                    out = {"ok": True, "app_id": "A1", "token_type": "bot",
                           "access_token": out["access_token"], "scope": "chat:write",
                           "bot_user_id": "U0BOT", "team": {"id": "T1", "name": "Test Team"},
                           "enterprise": None, "is_enterprise_install": False,
                           "authed_user": {"id": "U1", "scope": "search:read",
                                           "access_token": user, "token_type": "user"}}
                return self.send(200, out)
            if grant == "refresh_token":
                rt = f.get("refresh_token")
                valid = STATE["refresh"].get(rt)
                if not valid or (valid is not True and valid < time.time()):
                    STATE["stats"]["invalid_grants"] += 1
                    return self.send(400, {"error": "invalid_grant"})
                STATE["stats"]["refreshes"] += 1
                STATE["stats"]["refresh_times"].append(time.time())
                out = issue(rotate_from=rt)
                if "refresh_token" in out:
                    if ARGS.grace:
                        STATE["refresh"][rt] = min(time.time() + ARGS.grace,
                                                   time.time() + 1e9 if valid is True else valid)
                    else:
                        del STATE["refresh"][rt]
                return self.send(200, out)
            if grant == "client_credentials":
                STATE["stats"]["client_credentials"] += 1
                out = issue(rotate_from="cc")
                out.pop("refresh_token", None)
                return self.send(200, out)
        return self.send(400, {"error": "unsupported_grant_type"})


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--client-id", default="cid")
    ap.add_argument("--client-secret", default="csecret")
    ap.add_argument("--expires-in", type=int, default=3600)
    ap.add_argument("--no-rotate", action="store_true")
    ap.add_argument("--grace", type=int, default=0)
    ap.add_argument("--refresh-expires-in", type=int, default=0)
    ap.add_argument("--token-delay", type=float, default=0)
    ap.add_argument("--refresh-gate")
    ap.add_argument("--deny", action="store_true")
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("--hmac-secret")
    ap.add_argument("--timestamp-offset", type=int, default=0)
    ap.add_argument("--tenants")
    ap.add_argument("--jwt-access")
    ap.add_argument("--slack", action="store_true")
    ap.add_argument("--token-body")
    ARGS = ap.parse_args()
    # A backlog for 100 callers connecting at once (the default, 5, has the
    # rest wait for the kernel's SYN retries: seconds).
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
