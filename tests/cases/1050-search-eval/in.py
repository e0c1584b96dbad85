import os
import subprocess
import sys

# The evaluation's requests, one switchboard_search call each.
here = os.path.dirname(os.path.abspath(__file__))
sys.exit(subprocess.call([sys.executable, os.path.join(here, "../../eval/search_eval.py"), "--emit"]))
