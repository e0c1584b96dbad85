# switchboard_connect for a key-based connector with a client that supports
# URL elicitation: the one-time page is shown through elicitation/create
# (mode url), refuses cross-site posts, saves the key sealed in the store,
# works once; elicitation/complete and tools/list_changed follow.
set -eu
python3 "$ROOT/tests/connect/drive.py" "$BIN" url 2>"$TMP/s.err" || { echo "FAIL: $(tail -5 "$TMP/s.err")"; exit 1; }
! grep -q sk_test_connectpage "$TMP/s.err" || { echo "FAIL: the key in stderr"; exit 1; }
"$BIN" connections list --json | python3 -c '
import json,sys; l=json.load(sys.stdin); c=[x for x in l if x["connector"]=="stripe"]
assert len(c)==1 and c[0]["name"]=="default" and c[0]["auth"]=="api_key", l'
! grep -rq sk_test_connectpage "$XDG_DATA_HOME" || { echo "FAIL: the key unsealed in the store"; exit 1; }
echo ok
