"""ui_test.py SB_COMMAND UI_URL TMP - the connectors page in headless Chromium
(case 4534): load it, create a connector through the form, add a key
connection, run an OAuth connect against the tests' provider, reconnect a
connection that needs it, and see each card's state change; a cross-site post
is refused. Elements are checked in the DOM; screenshots are taken at each
step and must be PNGs, never compared by pixels. Prints "skip: ..." when
chromium is absent."""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

sb, url, tmp = sys.argv[1].split(), sys.argv[2], sys.argv[3]
b = Browser.start(tmp)
if b is None:
    print("skip: chromium is not installed")
    sys.exit(0)

KEY, KEY2 = "sk_test_uipage_4534", "sk_test_uipage_4534_new"
shots = 0


def shot(what):
    global shots
    shots += 1
    data = b.screenshot(f"{tmp}/shot{shots}-{what}.png")
    assert data.startswith(b"\x89PNG") and len(data) > 1000, what


def card(slug, expr):
    return b.eval(f"(function(c){{return c && ({expr})}})(document.getElementById('card-{slug}'))")


def sql(q):
    import sqlite3
    db = sqlite3.connect(os.environ["XDG_DATA_HOME"] + "/switchboard/switchboard.db")
    db.execute(q)
    db.commit()
    db.close()


try:
    # The page: cards with their state, the Create Connector form; nothing
    # loaded from another host.
    b.call("Network.enable")
    b.goto(url)
    assert b.eval("document.title") == "Connectors - switchboard"
    assert card("stripe", "c.querySelector('[data-state=unconnected]') && "
                          "c.querySelector('a[data-action=add]').textContent == 'Connect'")
    assert card("stripe", "c.querySelector('.mono').textContent == 'S'")
    assert card("oauthtest", "c.querySelector('button[data-action=connect]').textContent == 'Connect'")
    assert b.eval("!!document.getElementById('create-connector')")
    hosts = {urllib.parse.urlsplit(e["params"]["request"]["url"]).netloc
             for e in b.events if e.get("method") == "Network.requestWillBeSent"}
    assert hosts <= {urllib.parse.urlsplit(url).netloc}, f"the page loaded from {hosts}"
    shot("start")

    # Create Connector: the slug follows the name; the file is private.
    b.eval("""(function(){var n=document.getElementById('c-name');n.value='Acme Tools';
        n.dispatchEvent(new Event('input'));
        document.getElementById('c-description').value='Acme internal tools API';
        document.getElementById('c-domain').value='acme.example';
        document.getElementById('c-base').value='https://api.acme.example/v1';
        document.querySelector('[name=auth_bearer]').checked=true;})()""")
    assert b.eval("document.getElementById('c-slug').value") == "acmetools"
    b.events.clear()
    b.eval("document.getElementById('create-connector').submit()")
    b.wait_event("Page.loadEventFired")
    assert "Created connector acmetools" in b.eval("document.getElementById('notice').textContent")
    assert card("acmetools", "c.querySelector('[data-badge=personal]').textContent == 'PERSONAL'")
    assert card("acmetools", "!!c.querySelector('[data-auth=bearer]') && !!c.querySelector('[data-auth=api_key]')")
    assert not card("stripe", "!!c.querySelector('[data-badge=personal]')")
    path = os.environ["XDG_CONFIG_HOME"] + "/switchboard/capabilities/acmetools.json"
    doc = json.load(open(path))
    assert doc["visibility"] == "private" and doc["domain"] == "acme.example", doc
    subprocess.run(sb + ["check", path], check=True, capture_output=True)
    shot("created")

    # + a key connection: the form, then the card shows it connected.
    b.goto(b.eval("document.querySelector('#card-stripe a[data-action=add]').href"))
    assert b.eval("document.querySelector('input[name=f_api_key]').type") == "password"
    b.events.clear()
    b.eval(f"""(function(){{document.querySelector('input[name=f_api_key]').value='{KEY}';
        document.querySelector('form.connect-form').submit()}})()""")
    b.wait_event("Page.loadEventFired")
    assert "Connected stripe/default" in b.eval("document.getElementById('notice').textContent")
    assert card("stripe", "c.querySelector('li.connection[data-name=default]').dataset.status == 'ok'")
    assert card("stripe", "c.querySelector('a[data-action=add]').textContent == '+ Add Connection'")
    assert KEY not in b.eval("document.documentElement.outerHTML")
    shot("key-added")

    # OAuth: Connect goes to the provider, which redirects back to the
    # flow's listener; the card then shows the connection.
    b.events.clear()
    b.eval("document.querySelector('#card-oauthtest button[data-action=connect]').click()")
    b.wait_for("document.body && document.body.textContent.indexOf('is connected') >= 0", timeout=30)
    shot("oauth-done")
    b.goto(url)
    assert card("oauthtest", "c.querySelector('li.connection[data-name=default]').dataset.status == 'ok'")
    shot("oauth-card")

    # Needs reconnecting: the badge and a Reconnect that keeps the settings.
    subprocess.run(sb + ["connections", "edit", "stripe/default", "--set",
                         "base_url=http://127.0.0.1:9/v1"], check=True, capture_output=True)
    sql("update connections set status='needs_reconnect' where connector='stripe'")
    b.goto(url)
    assert card("stripe", "c.querySelector('li.connection').dataset.status == 'needs_reconnect' && "
                          "c.querySelector('li.connection .badge').textContent == 'Needs reconnecting'")
    shot("needs-reconnect")
    b.goto(b.eval("document.querySelector('#card-stripe li.connection a[data-action=add]').href"))
    b.events.clear()
    b.eval(f"""(function(){{document.querySelector('input[name=f_api_key]').value='{KEY2}';
        document.querySelector('form.connect-form').submit()}})()""")
    b.wait_event("Page.loadEventFired")
    assert card("stripe", "c.querySelector('li.connection').dataset.status == 'ok'")
    shown = json.loads(subprocess.run(sb + ["connections", "show", "stripe/default", "--json"],
                                      check=True, capture_output=True, text=True).stdout)
    assert shown["config"].get("base_url") == "http://127.0.0.1:9/v1", shown
    shot("reconnected")

    # Another site's page posting to ours: refused (Origin "null" here).
    ui = url.rstrip("/")
    b.goto("data:text/html,<form method=post action='" + ui + "/connectors'>"
           "<input name=csrf value=x><input name=name value=Evil></form>"
           "<script>document.forms[0].submit()</script>")
    b.wait_for("document.body && document.body.textContent.indexOf('refused') >= 0")
    assert not os.path.exists(os.environ["XDG_CONFIG_HOME"] + "/switchboard/capabilities/evil.json")
finally:
    b.close()


def post(headers, body):
    req = urllib.request.Request(url + "connectors", data=body.encode(), method="POST", headers=headers)
    try:
        return urllib.request.urlopen(req, timeout=20).status
    except urllib.error.HTTPError as e:
        return e.code


host = urllib.parse.urlsplit(url).netloc
assert post({"Origin": "http://evil.example"}, "csrf=x&name=Evil") == 403
assert post({"Origin": "http://" + host}, "name=Evil") == 403  # no page token
assert post({}, "name=Evil") == 403  # no Origin at all
print(f"ok ({shots} screenshots)")
