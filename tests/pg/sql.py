#!/usr/bin/env python3
"""sql.py URL QUERY: run QUERY on PostgreSQL at URL with psql and print the
rows as Python's sqlite3 fetchall() would ([('a', 1)]), so the cases' checks
read the same on both stores. A statement other than SELECT prints []."""
import json
import subprocess
import sys

url, query = sys.argv[1], sys.argv[2]
select = query.lstrip().lower().startswith("select")
if select:
    query = "SELECT coalesce(json_agg(t), '[]') FROM (%s) t" % query
r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", query],
                   capture_output=True, text=True)
if r.returncode != 0:
    sys.stderr.write(r.stderr)
    sys.exit(1)
rows = json.loads(r.stdout) if select else []
print([tuple(row.values()) for row in rows])
