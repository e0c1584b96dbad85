# events poll on the Email connector keeps one cursor per mailbox: polling
# INBOX and then Archive (through --args) neither shares nor overwrites a
# cursor, the same UID in two mailboxes makes two events, and each event's
# payload names its mailbox. INBOX, the default, keeps the plain entity as
# its key, so cursors stored before mailboxes had their own stay valid.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
msgs() { # mailbox, first uid, last uid
	mkdir -p "$TMP/mail/mailboxes/$1"
	python3 - "$TMP/mail/mailboxes/$1" "$2" "$3" "$1" <<'PY'
import email.utils, sys, time
d, a, b, box = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for u in range(a, b + 1):
    with open("%s/%d.eml" % (d, u), "w", newline="") as f:
        f.write("From: a@example.com\r\nTo: alice@example.com\r\nSubject: %s-%d\r\n"
                "Date: %s\r\n\r\nbody\r\n" % (box, u, email.utils.formatdate(time.time() - 600 + u)))
PY
}
msgs INBOX 1 3
msgs Archive 1 8
python3 "$ROOT/tests/mailserver/mailserver.py" --dir "$TMP/mail" --port-file "$TMP/mp" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/mp"
read SMTP IMAP < "$TMP/mp"
printf '{"password":"correct horse"}' | $BIN connections add email --name box --secret-stdin \
	--set imap_host=127.0.0.1 --set imap_port=$IMAP --set username=alice@example.com \
	--set security=none >/dev/null

$BIN events poll box 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'email/box messages: first poll: 3 items seen, no events; the next poll reports changes after 3' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
# Archive has its own first poll: INBOX's cursor (uid 3) says nothing there.
$BIN events poll box --args '{"mailbox": "Archive"}' 2>"$TMP/p2.err" || fail "poll 2: $(cat "$TMP/p2.err")"
grep -q 'email/box messages@Archive: first poll: 8 items seen, no events; the next poll reports changes after 8' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"

msgs INBOX 4 5
msgs Archive 9 9
# The explicit default is the same cursor as no mailbox at all.
$BIN events poll box --args '{"mailbox": "INBOX"}' 2>"$TMP/p3.err" || fail "poll 3: $(cat "$TMP/p3.err")"
grep -q 'email/box messages: 2 new events (2 items, cursor 5)' "$TMP/p3.err" || fail "p3: $(cat "$TMP/p3.err")"
$BIN events poll box --args '{"mailbox": "Archive"}' 2>"$TMP/p4.err" || fail "poll 4: $(cat "$TMP/p4.err")"
grep -q 'email/box messages@Archive: 1 new event (1 item, cursor 9)' "$TMP/p4.err" || fail "p4: $(cat "$TMP/p4.err")"
# Archive's cursor (9) did not move INBOX's (5), nor the other way round.
msgs INBOX 6 9
$BIN events poll box 2>"$TMP/p5.err" || fail "poll 5: $(cat "$TMP/p5.err")"
grep -q 'email/box messages: 4 new events (4 items, cursor 9)' "$TMP/p5.err" || fail "p5: $(cat "$TMP/p5.err")"
$BIN events poll box --args '{"mailbox": "Archive"}' 2>"$TMP/p6.err" || fail "poll 6: $(cat "$TMP/p6.err")"
grep -q 'email/box messages@Archive: 0 new events (0 items, cursor 9)' "$TMP/p6.err" || fail "p6: $(cat "$TMP/p6.err")"

# The list tool the poll uses: order oldest pages forward with next_cursor.
$BIN call email_messages_list '{"mailbox": "Archive", "order": "oldest", "since_uid": 3, "limit": 4}' >"$TMP/c1.json" || fail "call 1"
NC=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [m["uid"] for m in d["data"]] == [4,5,6,7] and d["has_more"], d; print(d["next_cursor"])' "$TMP/c1.json") || fail "c1: $(cat "$TMP/c1.json")"
$BIN call email_messages_list "{\"mailbox\": \"Archive\", \"order\": \"oldest\", \"since_uid\": 3, \"limit\": 4, \"cursor\": \"$NC\"}" >"$TMP/c2.json" || fail "call 2"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [m["uid"] for m in d["data"]] == [8,9] and not d["has_more"], d' "$TMP/c2.json" || fail "c2: $(cat "$TMP/c2.json")"
$BIN call email_messages_list '{"mailbox": "Archive", "order": "sideways"}' >"$TMP/c3.json" 2>&1 && fail "order sideways accepted: $(cat "$TMP/c3.json")"

$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((e["payload"]["mailbox"], e["payload"]["uid"], e["payload"]["subject"], e["entity"],
              e["vendor_event_id"]) for e in evs)
want = [("Archive", 9, "Archive-9", "messages", "poll:1:messages@Archive:1/9:9")] + [
    ("INBOX", u, "INBOX-%d" % u, "messages", "poll:1:messages:1/%d:%d" % (u, u)) for u in range(4, 10)]
assert got == want, got
PY
echo ok
