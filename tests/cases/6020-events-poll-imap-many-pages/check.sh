# events poll on the Email connector reads everything above the cursor's
# UID, lowest first, page after page: 45 messages between two polls (more
# than two pages) all become events, once each and in UID order. A server
# that drops the connection in the middle leaves the cursor past the pages
# already stored, so the next poll goes on from there and skips nothing.
# One poll reads at most max_items (here 25, from a user's copy of the
# connector) and says so; the rest come with the next poll.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
IN="$TMP/mail/mailboxes/INBOX"
mkdir -p "$IN"
msgs() { # first uid, last uid
	python3 - "$IN" "$1" "$2" <<'PY'
import email.utils, sys, time
d, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for u in range(a, b + 1):
    with open("%s/%d.eml" % (d, u), "w", newline="") as f:
        f.write("From: a@example.com\r\nTo: alice@example.com\r\nSubject: m%d\r\n"
                "Message-ID: <m%d@example.com>\r\nDate: %s\r\n\r\nbody %d\r\n"
                % (u, u, email.utils.formatdate(time.time() - 3600 + u), u))
PY
}
msgs 1 2
python3 "$ROOT/tests/mailserver/mailserver.py" --dir "$TMP/mail" --port-file "$TMP/mp" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/mp"
read SMTP IMAP < "$TMP/mp"
printf '{"password":"correct horse"}' | $BIN connections add email --name box --secret-stdin \
	--set imap_host=127.0.0.1 --set imap_port=$IMAP --set username=alice@example.com \
	--set security=none >/dev/null

$BIN events poll box 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'email/box messages: first poll: 2 items seen, no events; the next poll reports changes after 2' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"

# 45 new messages; pages of 20 (the list's default page size) would have
# kept only the newest 20.
msgs 3 47
$BIN events poll box --args '{"limit": 10}' 2>"$TMP/p2.err" || fail "poll 2: $(cat "$TMP/p2.err")"
grep -q 'email/box messages: 45 new events (45 items in 5 pages, cursor 47)' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
# Without a page size the poll takes the list's largest page (100): one call.
msgs 48 52
: >"$TMP/mail/imap.log"
$BIN events poll box 2>"$TMP/p3.err" || fail "poll 3: $(cat "$TMP/p3.err")"
grep -q 'email/box messages: 5 new events (5 items, cursor 52)' "$TMP/p3.err" || fail "p3: $(cat "$TMP/p3.err")"
grep -q 'UID SEARCH ALL UID 48:\*' "$TMP/mail/imap.log" || fail "p3 search: $(cat "$TMP/mail/imap.log")"
[ "$(grep -c 'UID FETCH' "$TMP/mail/imap.log")" = 1 ] || fail "p3 fetches: $(cat "$TMP/mail/imap.log")"

# The server answers two FETCHes, then drops the connection at the third.
msgs 53 82
echo 2 >"$TMP/mail/drop_fetch"
if $BIN events poll box --args '{"limit": 10}' 2>"$TMP/p4.err"; then fail "poll 4 succeeded: $(cat "$TMP/p4.err")"; fi
grep -q 'email/box messages: 20 new events (20 items in 2 pages, cursor 72); the poll failed after them' "$TMP/p4.err" || fail "p4: $(cat "$TMP/p4.err")"
[ ! -e "$TMP/mail/drop_fetch" ] || fail "the server did not drop"
$BIN events poll box --args '{"limit": 10}' 2>"$TMP/p5.err" || fail "poll 5: $(cat "$TMP/p5.err")"
grep -q 'email/box messages: 10 new events (10 items, cursor 82)' "$TMP/p5.err" || fail "p5: $(cat "$TMP/p5.err")"

# At most max_items per poll.
mkdir -p "$TMP/caps"
python3 - "$ROOT/capabilities/email.json" "$TMP/caps/email.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["entities"]["messages"]["polling"]["max_items"] = 25
d.pop("$schema", None)
json.dump(d, open(sys.argv[2], "w"))
PY
msgs 83 122
$BIN --capabilities "$TMP/caps" events poll box --args '{"limit": 10}' 2>"$TMP/p6.err" || fail "poll 6: $(cat "$TMP/p6.err")"
grep -q 'email/box messages: 25 new events (25 items in 3 pages, cursor 107)' "$TMP/p6.err" || fail "p6: $(cat "$TMP/p6.err")"
grep -q 'email/box messages: stopped after 25 items (max_items 25); the rest come with the next poll' "$TMP/p6.err" || fail "p6 note: $(cat "$TMP/p6.err")"
$BIN --capabilities "$TMP/caps" events poll box --args '{"limit": 10}' 2>"$TMP/p7.err" || fail "poll 7: $(cat "$TMP/p7.err")"
grep -q 'email/box messages: 15 new events (15 items in 2 pages, cursor 122)' "$TMP/p7.err" || fail "p7: $(cat "$TMP/p7.err")"
$BIN events poll box 2>"$TMP/p8.err" || fail "poll 8: $(cat "$TMP/p8.err")"
grep -q 'email/box messages: 0 new events (0 items, cursor 122)' "$TMP/p8.err" || fail "p8: $(cat "$TMP/p8.err")"

$BIN events list --jsonl --limit 1000 >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
evs.sort(key=lambda e: e["id"])
uids = [e["payload"]["uid"] for e in evs]
assert uids == list(range(3, 123)), uids
assert [e["payload"]["subject"] for e in evs] == ["m%d" % u for u in uids]
assert all(e["vendor_event_id"] == "poll:1:messages:1/%d:%d" % (u, u) for e, u in zip(evs, uids))
assert all(e["payload"]["mailbox"] == "INBOX" for e in evs), evs[0]
PY
! grep -q 'correct horse' "$TMP"/p*.err || fail "password in stderr"
echo ok
