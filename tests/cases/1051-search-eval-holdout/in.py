import os
import subprocess
import sys

# The held-out requests (written after the search was built), one search each.
here = os.path.dirname(os.path.abspath(__file__))
sys.exit(subprocess.call([sys.executable, os.path.join(here, "../../eval/search_eval.py"),
                          "--emit", "--set", "holdout.jsonl"]))
