# events poll on the Email connector: the cursor is a UID, which means
# something only under the mailbox's UIDVALIDITY (RFC 3501 2.3.1.1). When
# the server renumbers the mailbox, the poll reports the messages received
# since the previous poll (not the whole mailbox again, and not nothing),
# then carries on from a new cursor.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
IN="$TMP/mail/mailboxes/INBOX"
mkdir -p "$IN"
msg() { # uid, subject, seconds ago
	printf 'From: a@example.com\r\nTo: alice@example.com\r\nSubject: %s\r\nMessage-ID: <%s@example.com>\r\nDate: %s\r\n\r\nbody\r\n' \
		"$2" "$2" "$(python3 -c "import email.utils,sys,time; print(email.utils.formatdate(time.time()-int(sys.argv[1])))" "$3")" >"$IN/$1.eml"
}
msg 1 old-one 7200; msg 2 old-two 7000; msg 3 old-three 6800
python3 "$ROOT/tests/mailserver/mailserver.py" --dir "$TMP/mail" --port-file "$TMP/mp" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/mp"
read SMTP IMAP < "$TMP/mp"
printf '{"password":"correct horse"}' | $BIN connections add email --name box --secret-stdin \
	--set imap_host=127.0.0.1 --set imap_port=$IMAP --set username=alice@example.com \
	--set security=none >/dev/null

$BIN events poll box 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'email/box messages: first poll: 3 items seen' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
msg 4 four 6600
$BIN events poll box 2>"$TMP/p2.err" || fail "poll 2: $(cat "$TMP/p2.err")"
grep -q 'email/box messages: 1 new event (1 item, cursor 4)' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
grep -q 'UID SEARCH .*UID 4:\*' "$TMP/mail/imap.log" || fail "p2 search: $(cat "$TMP/mail/imap.log")"
# What is there arrived before poll 2: its arrival times (file times) go two
# seconds back rather than waiting for the clock to pass poll 2's second.
touch -d "@$(($(date +%s) - 2))" "$IN"/*.eml

# The server rebuilds the mailbox: old-three and four survive as 1 and 2,
# a message that arrived after poll 2 gets 3, and UIDVALIDITY moves on.
# With the old cursor (uid 4) a plain UID filter would find nothing.
mv "$IN/3.eml" "$IN/x1"; mv "$IN/4.eml" "$IN/x2"; rm "$IN/1.eml" "$IN/2.eml"
mv "$IN/x1" "$IN/1.eml"; mv "$IN/x2" "$IN/2.eml"
msg 3 after-renumber 0
echo 7 >"$IN/.uidvalidity"
$BIN events poll box 2>"$TMP/p3.err" || fail "poll 3: $(cat "$TMP/p3.err")"
grep -q 'email/box messages: uidvalidity changed (1 -> 7): the cursor no longer applies; reporting items with received since the previous poll' "$TMP/p3.err" || fail "p3 note: $(cat "$TMP/p3.err")"
grep -q 'email/box messages: 1 new event (3 items, cursor 3)' "$TMP/p3.err" || fail "p3: $(cat "$TMP/p3.err")"
# Then on as usual under the new UIDVALIDITY.
msg 4 next 0
$BIN events poll box 2>"$TMP/p4.err" || fail "poll 4: $(cat "$TMP/p4.err")"
grep -q 'email/box messages: 1 new event (1 item, cursor 4)' "$TMP/p4.err" || fail "p4: $(cat "$TMP/p4.err")"
$BIN events poll box 2>"$TMP/p5.err" || fail "poll 5: $(cat "$TMP/p5.err")"
grep -q 'email/box messages: 0 new events' "$TMP/p5.err" || fail "p5: $(cat "$TMP/p5.err")"

$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/mail/imap.log" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((e["payload"]["subject"], e["payload"]["uid"], e["payload"]["uidvalidity"], e["vendor_event_id"]) for e in evs)
assert got == [
    ("after-renumber", 3, 7, "poll:1:messages:7/3:3"),
    ("four", 4, 1, "poll:1:messages:1/4:4"),
    ("next", 4, 7, "poll:1:messages:7/4:4"),
], got
log = open(sys.argv[2]).read()
# Poll 3 asked under the old UIDVALIDITY, then again from the day before
# the previous poll; poll 4 asks under the new one.
assert "UID SEARCH ALL UID 5:*" in log, log
assert "UID SEARCH SINCE " in log, log
assert "UID SEARCH ALL UID 4:*" in log.split("UID SEARCH SINCE ")[1], log
PY
! grep -q 'correct horse' "$TMP"/p*.err || fail "password in stderr"
echo ok
