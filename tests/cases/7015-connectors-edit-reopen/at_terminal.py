"""Case 7015: connectors edit at a terminal: an edit that fails the schema is
said and the editor offered again (Enter: yes); the mended edit is saved.
Answering n keeps the edit aside instead."""
import os

from terminal import session

u = os.path.join(os.environ["XDG_CONFIG_HOME"], "switchboard/capabilities")
out = session(["connectors", "edit", "xero"], [
    (b"your edit of xero: ", None),
    (b"Edit again? [Y/n] ", b"\n"),
    (b"saved " + u.encode() + b"/xero.json", None),
])
assert "/description" in out, out
runs = open(os.path.join(os.environ["TMP"], "editor.log")).read().split()
assert runs == ["xero.json", "xero.json"], runs
assert "Mended on the second run." in open(os.path.join(u, "xero.json")).read()

# n: the edit is kept aside, the saved file unchanged.
os.remove(os.path.join(os.environ["TMP"], "editor.log"))
before = open(os.path.join(u, "xero.json")).read()
out = session(["connectors", "edit", "xero"], [
    (b"Edit again? [Y/n] ", b"n\n"),
    (b"your edit is kept in " + u.encode() + b"/xero.json.rejected; xero is unchanged", None),
], want_status=1)
assert open(os.path.join(u, "xero.json")).read() == before
assert '"description": 42' in open(os.path.join(u, "xero.json.rejected")).read()
print("ok")
