"""drive.py BIN MODE - one MCP session for the switchboard_connect cases
(4530-4533), stdlib only. Every stdout line must be a JSON-RPC message;
failures raise. The "browser" is urllib, sending what a browser sends with a
form post (Origin, Host).

MODE:
  url      client with URL elicitation: stripe's key page is shown through
           elicitation/create (mode url); a cross-site post is refused; the
           page saves the key; elicitation/complete and list_changed follow.
  form     client with form and URL elicitation: shopify's shop is asked by a
           form elicitation (never the token), then the page asks the token.
  plain    client without elicitation: the URL is in the tool result.
  decline  client with URL elicitation whose user declines: nothing saved.
  modern   a 2026-07-28 client (per-request _meta) declaring URL elicitation:
           no request is sent to it mid-call; the URL is in the result.
"""
import html.parser
import json
import os
import select
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

binary, mode = sys.argv[1], sys.argv[2]
p = subprocess.Popen([binary, "--mode", "static", "--log-level", "info", "serve"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True, bufsize=1)
buf = []
pending = [b""]  # read, not yet a whole line
seen = []  # every message, to check no secret reached the client


def send(msg):
    p.stdin.write(json.dumps(msg) + "\n")
    p.stdin.flush()


def read_until(pred, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        for i, m in enumerate(buf):
            if pred(m):
                return buf.pop(i)
        # Raw reads split here: readline() on the buffered pipe could take two
        # messages at once and leave the second where select() cannot see it.
        r, _, _ = select.select([p.stdout], [], [], 0.1)
        if r:
            data = os.read(p.stdout.fileno(), 65536)
            if not data:
                break
            pending[0] += data
        while b"\n" in pending[0]:
            line, pending[0] = pending[0].split(b"\n", 1)
            line = line.decode()
            m = json.loads(line)
            assert m.get("jsonrpc") == "2.0", line
            seen.append(line)
            buf.append(m)
    raise SystemExit(f"timed out; seen {buf}")


def names(i):
    send({"jsonrpc": "2.0", "id": i, "method": "tools/list"})
    return [t["name"] for t in read_until(lambda m: m.get("id") == i)["result"]["tools"]]


class Form(html.parser.HTMLParser):
    """The page's form: its action and inputs (name -> attributes)."""

    def __init__(self):
        super().__init__()
        self.action, self.inputs = None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("name"):
            self.inputs[a["name"]] = a


def get(url):
    with urllib.request.urlopen(url, timeout=20) as r:
        return r.status, r.read().decode()


def post(url, fields, origin):
    host = urllib.parse.urlsplit(url).netloc
    req = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST",
                                 headers={"Origin": origin, "Host": host,
                                          "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def fill_page(url, values):
    """Load the page, check it, post a cross-site attempt (refused), then the
    form as the user fills it. Returns the final page's text."""
    assert url.startswith("http://127.0.0.1:") and "/connect/" in url, url
    status, page = get(url)
    assert status == 200, status
    f = Form()
    f.feed(page)
    assert f.action and "csrf" in f.inputs, page
    origin = "http://" + urllib.parse.urlsplit(url).netloc
    target = urllib.parse.urljoin(url, f.action)
    fields = {"csrf": f.inputs["csrf"]["value"]}
    for k, v in values.items():
        assert "f_" + k in f.inputs, (k, list(f.inputs))
        fields["f_" + k] = v
    # Another site's page posting here, and a post without the page's token.
    status, _ = post(target, fields, "http://evil.example")
    assert status == 403, f"cross-site post answered {status}"
    status, _ = post(target, {k: v for k, v in fields.items() if k != "csrf"}, origin)
    assert status == 403, f"post without token answered {status}"
    status, done = post(target, fields, origin)
    assert status == 200 and "Connected" in done, (status, done)
    # One use: the page is gone now (410 until the server closes its
    # listener, which it does at its next look, then no answer at all).
    try:
        get(url)
        raise AssertionError("the page still answers after use")
    except urllib.error.HTTPError as e:
        assert e.code == 410, e.code
    except (urllib.error.URLError, ConnectionError):
        pass  # closed, or closing while this request came in (a reset)
    return done


if mode == "modern":
    META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"url": {}, "form": {}}},
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}}
    send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
          "params": {"_meta": META, "name": "switchboard_connect", "arguments": {"connector": "stripe"}}})
    r = read_until(lambda m: m.get("id") == 1)["result"]
    assert not r.get("isError") and r.get("resultType") == "complete", r
    url = r["structuredContent"]["data"]["connect_url"]
    fill_page(url, {"api_key": "sk_test_connectpage_4536"})
    deadline = time.time() + 20
    while True:
        send({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": META}})
        names = [t["name"] for t in read_until(lambda m: m.get("id") == 3)["result"]["tools"]]
        if "stripe_customers_list" in names or time.time() > deadline:
            break
        time.sleep(0.2)
    assert "stripe_customers_list" in names, names
    assert not any("elicitation" in line for line in seen), "elicitation sent mid-call to a 2026 client"
    for line in seen:
        assert "sk_test_connectpage" not in line, line
    p.stdin.close()
    assert p.wait(timeout=30) == 0
    print("ok")
    sys.exit(0)

caps = {"plain": {}, "url": {"elicitation": {"url": {}}},
        "form": {"elicitation": {"form": {}, "url": {}}},
        "decline": {"elicitation": {"url": {}}}}[mode]
send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
      "params": {"protocolVersion": "2025-11-25", "capabilities": caps,
                 "clientInfo": {"name": "t", "version": "1"}}})
read_until(lambda m: m.get("id") == 0)
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
assert "switchboard_connect" in names(1)

KEY = "sk_test_connectpage_4530"
if mode in ("url", "decline"):
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
          "params": {"name": "switchboard_connect", "arguments": {"connector": "stripe"}}})
    el = read_until(lambda m: m.get("method") == "elicitation/create")
    prm = el["params"]
    assert prm["mode"] == "url" and prm["elicitationId"] and "Stripe" in prm["message"], prm
    if mode == "decline":
        send({"jsonrpc": "2.0", "id": el["id"], "result": {"action": "decline"}})
        r = read_until(lambda m: m.get("id") == 2)["result"]
        assert r.get("isError") and "declined" in r["content"][0]["text"], r
        try:
            get(prm["url"])
            raise AssertionError("the page still answers after a decline")
        except (urllib.error.URLError, ConnectionError):
            pass  # its listener is closed (or closing: a reset)
        assert "stripe_customers_list" not in names(3)
    else:
        send({"jsonrpc": "2.0", "id": el["id"], "result": {"action": "accept"}})
        r = read_until(lambda m: m.get("id") == 2)["result"]
        assert not r.get("isError"), r
        data = r["structuredContent"]["data"]
        assert data["status"] == "waiting_for_user" and data["connection"] == "stripe/default", r
        assert "connect_url" not in data, data  # the client showed it; the model needs none
        fill_page(prm["url"], {"api_key": KEY})
        c = read_until(lambda m: m.get("method") == "notifications/elicitation/complete")
        assert c["params"] == {"elicitationId": prm["elicitationId"]}, c
        read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
        assert "stripe_customers_list" in names(3)
elif mode == "form":
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
          "params": {"name": "switchboard_connect", "arguments": {"connector": "shopify"}}})
    el = read_until(lambda m: m.get("method") == "elicitation/create")
    prm = el["params"]
    assert prm["mode"] == "form", prm
    props = prm["requestedSchema"]["properties"]
    assert list(props) == ["shop"] and prm["requestedSchema"]["required"] == ["shop"], prm
    # A client that sends more than asked (a token): it is not taken.
    send({"jsonrpc": "2.0", "id": el["id"],
          "result": {"action": "accept", "content": {"shop": "acme", "access_token": "shpat_x"}}})
    el2 = read_until(lambda m: m.get("method") == "elicitation/create")
    assert el2["params"]["mode"] == "url", el2
    send({"jsonrpc": "2.0", "id": el2["id"], "result": {"action": "accept"}})
    r = read_until(lambda m: m.get("id") == 2)["result"]
    assert not r.get("isError"), r
    url = el2["params"]["url"]
    _, page = get(url)
    f = Form()
    f.feed(page)
    assert "readonly" in f.inputs["f_shop"] and f.inputs["f_shop"]["value"] == "acme", f.inputs
    assert f.inputs["f_access_token"]["type"] == "password", f.inputs
    fill_page(url, {"access_token": "shpat_connectpage_4531"})
    read_until(lambda m: m.get("method") == "notifications/elicitation/complete")
    read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
    assert any(n.startswith("shopify_") for n in names(3))
else:  # plain
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
          "params": {"name": "switchboard_connect",
                     "arguments": {"connector": "stripe", "settings": {"api_key": KEY}}}})
    r = read_until(lambda m: m.get("id") == 2)["result"]
    assert r.get("isError") and "is a secret" in r["content"][0]["text"], r
    send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
          "params": {"name": "switchboard_connect",
                     "arguments": {"connector": "stripe", "name": "work",
                                   "settings": {"base_url": "http://127.0.0.1:9/v1"}}}})
    r = read_until(lambda m: m.get("id") == 3)["result"]
    assert not r.get("isError"), r
    data = r["structuredContent"]["data"]
    assert data["connection"] == "stripe/work" and data["auth"] == "api_key", data
    assert data["expires_in_s"] == 600, data
    # A key of the wrong form is refused on the page, which stays usable.
    _, page = get(data["connect_url"])
    f = Form()
    f.feed(page)
    origin = "http://" + urllib.parse.urlsplit(data["connect_url"]).netloc
    status, bad = post(data["connect_url"], {"csrf": f.inputs["csrf"]["value"], "f_api_key": "nope"}, origin)
    assert status == 400 and "expected form" in bad, (status, bad)
    fill_page(data["connect_url"], {"api_key": KEY})
    read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
    assert "stripe_customers_list" in names(4)
    assert not any("elicitation" in line for line in seen), "elicitation sent to a client without it"

for line in seen:
    assert KEY not in line and "shpat_" not in line, "a secret reached the client: " + line
p.stdin.close()
assert p.wait(timeout=30) == 0
print("ok")
