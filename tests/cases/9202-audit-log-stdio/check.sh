# Over stdio the log is on only when SWITCHBOARD_AUDIT=on (this case's env;
# serve --http records by default). Both calls are in the audit log, oldest first: the local user (subject
# null), the connection, the outcome and error class, and the arguments with
# free text replaced (description, metadata values) and what the schema
# bounds kept (the path id, the email's format, the enum).
set -e
$BIN audit export > $TMP/audit.jsonl
python3 -c "
import json
rows = [json.loads(l) for l in open('$TMP/audit.jsonl')]
assert len(rows) == 2, rows
a, b = rows
assert a['subject'] is None and a['tool'] == 'stripe_customers_update' and a['connector'] == 'stripe', a
assert a['connection'] == 'local' and a['owner'] is None and a['outcome'] == 'ok' and a['error'] is None, a
assert a['arguments'] == {'id': 'cus_NffrFeUfNV2Hib', 'description': '[text]', 'email': 'jennyrosen@example.com',
                          'tax_exempt': 'exempt', 'metadata': {'order_id': '[text]'}}, a['arguments']
assert isinstance(a['duration_ms'], int) and a['duration_ms'] >= 0 and a['at'].endswith('Z'), a
assert b['tool'] == 'stripe_customers_read' and b['outcome'] == 'error' and b['error'] == 'http_404', b
assert b['at_ms'] >= a['at_ms'] and b['id'] > a['id'], (a, b)
" || { echo "audit export:"; cat $TMP/audit.jsonl; exit 1; }
! grep -q '555-0100' $TMP/audit.jsonl
# --owner and --since narrow it; prune empties it.
[ -z "$($BIN audit export --owner alice)" ] || { echo "--owner alice found some"; exit 1; }
[ -z "$($BIN audit export --since 2100-01-01T00:00:00Z)" ] || { echo "--since found some"; exit 1; }
[ "$($BIN audit export --since -1h | wc -l)" -eq 2 ] || { echo "--since -1h"; exit 1; }
$BIN audit prune --older-than 2100-01-01T00:00:00Z 2> $TMP/prune
grep -q 'removed 2 audit entries' $TMP/prune || { cat $TMP/prune; exit 1; }
[ -z "$($BIN audit export)" ] || { echo "prune left some"; exit 1; }
set +e
$BIN audit prune 2> /dev/null; rc=$?
set -e
[ $rc -eq 2 ] || { echo "prune without --older-than: $rc"; exit 1; }
# Without SWITCHBOARD_AUDIT a stdio server records nothing (the log is empty after the prune).
head -3 "$CASE/in.jsonl" > $TMP/one.jsonl
env -u SWITCHBOARD_AUDIT $BIN serve < $TMP/one.jsonl > /dev/null
[ -z "$($BIN audit export)" ] || { echo "recorded with the log off by default"; exit 1; }
echo ok
