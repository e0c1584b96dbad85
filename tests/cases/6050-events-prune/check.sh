# events prune deletes what was received before a span ago (all connectors
# or one), and webhooks serve --retain does it when it starts; a bad or
# missing span is a usage error that deletes nothing.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
$BIN events list >/dev/null  # creates the store
DB="$XDG_DATA_HOME/switchboard/switchboard.db"
seed() {
	python3 - "$DB" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
rows = [("stripe", "evt_old1", now - 40 * 86400), ("stripe", "evt_old2", now - 31 * 86400),
        ("github", "gh_old", now - 35 * 86400), ("stripe", "evt_new", now - 29 * 86400),
        ("github", "gh_new", now - 3600)]
for c, vid, at in rows:
    db.execute("INSERT OR IGNORE INTO events (connector, event_type, vendor_event_id, payload, received_at)"
               " VALUES (?, 'created', ?, '{}', ?)", (c, vid, at))
db.commit()
PY
}
ids() { $BIN events list --jsonl | python3 -c "import json,sys; print(' '.join(sorted(json.loads(l)['vendor_event_id'] for l in sys.stdin)))"; }
seed
[ "$(ids)" = "evt_new evt_old1 evt_old2 gh_new gh_old" ] || fail "seeded: $(ids)"

rc=0; $BIN events prune 2>"$TMP/e1" || rc=$?
[ $rc = 2 ] || fail "prune without a span exited $rc"
rc=0; $BIN events prune --older-than soon 2>"$TMP/e2" || rc=$?
[ $rc = 2 ] || fail "prune with a bad span exited $rc"
grep -q 'prune needs --older-than SPAN' "$TMP/e2" || fail "bad span message: $(cat "$TMP/e2")"
[ "$(ids)" = "evt_new evt_old1 evt_old2 gh_new gh_old" ] || fail "a usage error deleted: $(ids)"

$BIN events prune --older-than 30d --connector stripe 2>"$TMP/p1" || fail "prune stripe: $(cat "$TMP/p1")"
grep -q 'removed 2 events received before 20' "$TMP/p1" || fail "prune stripe said: $(cat "$TMP/p1")"
[ "$(ids)" = "evt_new gh_new gh_old" ] || fail "after pruning stripe: $(ids)"
$BIN events prune --older-than 30d 2>"$TMP/p2" || fail "prune all"
grep -q 'removed 1 event received' "$TMP/p2" || fail "prune all said: $(cat "$TMP/p2")"
[ "$(ids)" = "evt_new gh_new" ] || fail "after pruning all: $(ids)"

# webhooks serve --retain prunes when it starts.
seed
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" --retain 7d 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
[ -s "$TMP/port" ] || fail "no port file: $(cat "$TMP/serve.err")"
kill -TERM $SRV; wait $SRV || fail "serve exited $?"
trap - EXIT
grep -q 'removed 4 events received before' "$TMP/serve.err" || fail "serve said: $(cat "$TMP/serve.err")"
[ "$(ids)" = "gh_new" ] || fail "after serve --retain 7d: $(ids)"
rc=0; $BIN webhooks serve --retain forever 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "--retain forever exited $rc"
echo ok
