# The tenancy and audit cases (92xx) again with the store on PostgreSQL
# (tests/run.py --postgres: a throwaway cluster, a fresh database per case):
# owners, grants and the audit log through migration 5 of store_pg.c.
set -eu
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	echo "skip: PostgreSQL is not installed (tests/deps.sh --install test)"
	exit 0
fi
cases=$(ls "$ROOT/tests/cases" | grep -E '^92[0-9][0-9]-')
python3 "$ROOT/tests/run.py" --build "$(dirname "$BIN")" --postgres -j 3 $cases >"$TMP/run.out" 2>&1 ||
	{ grep -A12 '^FAIL' "$TMP/run.out" | head -c 3000; tail -2 "$TMP/run.out"; exit 1; }
summary=$(tail -1 "$TMP/run.out")
echo "$summary"
echo "$summary" | grep -qE '^[1-9][0-9]* passed, 0 failed' || { echo "FAIL: $summary"; exit 1; }
