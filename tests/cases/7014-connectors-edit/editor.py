"""An $EDITOR for case 7014: changes the file it is given as EDIT_MODE says
and logs each run (the file name and the mode) to $TMP/editor.log."""
import json, os, sys

path, mode = sys.argv[1], os.environ.get("EDIT_MODE", "describe")
with open(os.path.join(os.environ["TMP"], "editor.log"), "a") as log:
    log.write(f"{os.path.basename(path)} {mode}\n")
text = open(path).read()
if mode == "describe":
    d = json.loads(text)
    d["description"] = "Edited by the case."
    text = json.dumps(d, indent=1) + "\n"
elif mode == "break":
    text = text.replace("{", "{{", 1)
elif mode == "reslug":
    d = json.loads(text)
    d["slug"] = "other"
    text = json.dumps(d)
elif mode == "fail":
    sys.exit(3)
elif mode == "same":
    pass
open(path, "w").write(text)
