"""Case 7013: connectors create at a terminal. Each field is asked for with
its default in brackets (the slug from the name); a wrong answer is said
and asked again; api_key asks where the key goes; several methods ask for
the default one. Ctrl-D stops and writes nothing."""
import json, os

from terminal import session

out = session(["connectors", "create"], [
    (b"Name: ", b"\n"),                      # required: asked again
    (b"Name: ", b"Acme Support Desk\n"),
    (b"Slug (lowercase letters and digits) [acmesupportdesk]: ", b"Acme\n"),
    (b"starting with a letter, at most 20", None),
    (b"[acmesupportdesk]: ", b"stripe\n"),     # a built-in's slug
    (b"a connector 'stripe' exists already", None),
    (b"[acmesupportdesk]: ", b"acmedesk\n"),
    (b"Description [Acme Support Desk.]: ", b"Tickets and agents.\n"),
    (b"Domain, such as salesforce.com (optional): ", b"not a host!\n"),
    (b"is not a host name", None),
    (b"(optional): ", b"acme.example\n"),
    (b"API base URL (optional): ", b"https://api.acme.example\n"),
    (b"Visibility: private (yours) or public (every user's) [private]: ", b"\n"),
    (b"Icon URL, https (optional): ", b"http://acme.example/i.png\n"),
    (b"the icon URL must be https", None),
    (b"Icon URL, https (optional): ", b"\n"),
    (b"oauth2, custom [api_key]: ", b"api_key,basic,cookie\n"),
    (b"no auth method 'cookie'", None),
    (b"oauth2, custom [api_key]: ", b"api_key,basic\n"),
    (b"api_key: sent in a header or a query parameter [header]: ", b"\n"),
    (b"api_key: header name [X-API-Key]: ", b"Authorization\n"),
    (b"api_key: value template [{api_key}]: ", b"Token {key}\n"),
    (b"must hold {api_key}", None),
    # Asked again, the answers given are the defaults.
    (b"api_key: sent in a header or a query parameter [header]: ", b"\n"),
    (b"api_key: header name [Authorization]: ", b"\n"),
    (b"api_key: value template [Token {key}]: ", b"Token {api_key}\n"),
    (b"Default auth method [api_key]: ", b"oauth2\n"),
    (b"the default is one of the methods chosen", None),
    (b"Default auth method [api_key]: ", b"basic\n"),
    (b"created private connector 'acmedesk'", None),
])
path = os.path.join(os.environ["XDG_CONFIG_HOME"], "switchboard/capabilities/acmedesk.json")
d = json.load(open(path))
assert d["name"] == "Acme Support Desk" and d["description"] == "Tickets and agents.", d
assert d["domain"] == "acme.example" and d["base_url"] == "https://api.acme.example", d
assert d["visibility"] == "private" and "icon_url" not in d and d["entities"] == {}, d
assert d["auth"]["default"] == "basic", d["auth"]
k, b = d["auth"]["methods"]
assert (k["type"], k["in"], k["name"], k["format"]) == ("api_key", "header", "Authorization",
                                                        "Token {api_key}"), k
assert b["type"] == "basic" and sorted(b["fields"]) == ["password", "username"], b
assert b["fields"]["password"]["secret"] and not b["fields"]["username"]["secret"], b

# Options given are the defaults; Ctrl-D at a prompt stops and writes nothing.
out = session(["connectors", "create", "--slug", "other", "--auth", "none"], [
    (b"Name: ", b"Other\n"),
    (b"[other]: ", b"\n"),
    (b"[Other.]: ", b"\x04"),
    (b"nothing created", None),
], want_status=1)
assert not os.path.exists(os.path.join(os.path.dirname(path), "other.json"))
print("ok")
