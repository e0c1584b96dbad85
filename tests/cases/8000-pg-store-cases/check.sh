# The store cases again with the store on PostgreSQL (tests/run.py
# --postgres: one throwaway cluster, a fresh database per case): the
# connection cases (50xx), the event cases (60xx), the OAuth refresh
# cases (45xx) and confirmations answered to another replica (1162), less the slow ones that do not touch the store more, and
# those marked sqlite_only (they read the sqlite file itself).
set -eu
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	echo "skip: PostgreSQL is not installed (tests/deps.sh --install test)"
	exit 0
fi
cases=$(ls "$ROOT/tests/cases" | grep -E '^((45|50|60)[0-9][0-9]|1162)-' |
	grep -vE '^(4509|4521|6013|6014|6030)-')
python3 "$ROOT/tests/run.py" --build "$(dirname "$BIN")" --postgres -j 4 $cases >"$TMP/run.out" 2>&1 ||
	{ grep -A12 '^FAIL' "$TMP/run.out" | head -c 3000; tail -2 "$TMP/run.out"; exit 1; }
summary=$(tail -1 "$TMP/run.out")
echo "$summary"
# Cases ran (a cluster that did not start would have failed above).
echo "$summary" | grep -qE '^[1-9][0-9]+ passed, 0 failed' || { echo "FAIL: $summary"; exit 1; }
