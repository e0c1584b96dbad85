# Each result carries the status the vendor answered: 201 for the create
# (GitHub's POST /gists), 200 for the list, the read and both pages; the
# text report and the builder's switchboard_connector_test say the same.
set -e
python3 -c '
import json, sys
r = json.load(sys.stdin)
assert (r["passed"], r["failed"], r["skipped"]) == (5, 0, 0), r
got = sorted((e["check"], e["tool"], e["status"]) for e in r["results"])
want = sorted([("list", "gists_gists_list", 200), ("page1", "gists_gists_list", 200),
               ("page2", "gists_gists_list", 200), ("read", "gists_gists_read", 200),
               ("create", "gists_gists_create", 201)])
assert got == want, got
assert r["created"] == [{"tool": "gists_gists_create", "id": "2decf6c462d9b4418f2"}], r["created"]
'
$BIN connectors test gists --writes > $TMP/out.txt
grep -Eq "^passed +create +gists_gists_create 201$" $TMP/out.txt || { echo "text: no 201 for the create"; cat $TMP/out.txt; exit 1; }
grep -Eq "^passed +read +gists_gists_read 200$" $TMP/out.txt || { echo "text: no 200 for the read"; cat $TMP/out.txt; exit 1; }
python3 - <<'PY'
import json, os
from mcpclient import Session
err = open(os.environ["TMP"] + "/session.err", "w")
s = Session([os.environ["BIN"], "serve", "--builder"], stderr=err)
t = s.tool("switchboard_connector_test", {"slug": "gists", "writes": True})["structuredContent"]
got = sorted((e["check"], e["status"]) for e in t["results"])
assert got == [("create", 201), ("list", 200), ("page1", 200), ("page2", 200), ("read", 200)], t
assert s.close() == 0
PY
! grep -q "does not match its outputSchema" $TMP/session.err || { echo "a result does not match its outputSchema"; cat $TMP/session.err; exit 1; }
python3 - $TMP/stub-requests.jsonl <<'PY'
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST"]
assert len(posts) == 3, posts
assert posts[0]["body"] == {"files": {"hello.rb": {"content": "puts \"Hello, World!\""}}}, posts[0]
assert posts[0]["headers"]["authorization"] == "Bearer ghp_test_7167", posts[0]["headers"]
PY
