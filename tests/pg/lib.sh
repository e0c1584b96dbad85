# tests/pg/lib.sh - for a case's check.sh: . "$ROOT/tests/pg/lib.sh", then
# pg_start makes a throwaway PostgreSQL cluster (tests/pg/cluster.sh) with a
# database "sb", exports SWITCHBOARD_STORE and PGSTORE as its URL, and
# removes it at exit (after killing $SRV, the process lib.sh of tests/oauth
# would). pg_down and pg_up restart the server. A machine without
# PostgreSQL skips the case.
PGDIR=
pg_cluster() { sh "$ROOT/tests/pg/cluster.sh" "$@"; }
pg_cleanup() {
	[ -z "${SRV:-}" ] || kill $SRV 2>/dev/null || true
	[ -z "$PGDIR" ] || pg_cluster stop "$PGDIR"
}
pg_start() {
	if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		echo "skip: PostgreSQL is not installed (tests/deps.sh --install test)"
		exit 0
	fi
	PGDIR=$(mktemp -d /tmp/sbpg-XXXXXX)
	trap pg_cleanup EXIT
	pg_cluster start "$PGDIR" || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
	pg_cluster createdb "$PGDIR" sb
	SWITCHBOARD_STORE=$(pg_cluster url "$PGDIR" sb)
	PGSTORE=$SWITCHBOARD_STORE
	export SWITCHBOARD_STORE PGSTORE
}
pg_down() { pg_cluster down "$PGDIR"; }
pg_up() { pg_cluster up "$PGDIR"; }
