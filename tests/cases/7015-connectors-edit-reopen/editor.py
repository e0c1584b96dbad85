"""An $EDITOR for case 7015: the first run breaks the file (a description
that is not a string), the second mends it; each run is logged."""
import json, os, sys

path = sys.argv[1]
log = os.path.join(os.environ["TMP"], "editor.log")
runs = len(open(log).read().splitlines()) if os.path.exists(log) else 0
with open(log, "a") as f:
    f.write(f"{os.path.basename(path)}\n")
d = json.load(open(path))
d["description"] = 42 if runs == 0 else "Mended on the second run."
json.dump(d, open(path, "w"), indent=1)
