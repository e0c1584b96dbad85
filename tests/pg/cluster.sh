#!/bin/sh
# cluster.sh start|stop|down|up|url|createdb DIR [DB]
# A throwaway PostgreSQL cluster for the tests (Debian's postgresql package):
# initdb in DIR/data, listening only on a Unix socket in DIR (no TCP), trust
# auth for the user "sb". PostgreSQL refuses to run as root, so as root the
# server runs as "nobody" and DIR is handed to it. down and up stop and start
# the server (a restart); stop stops it and removes DIR.
set -eu
cd /
cmd=${1:?usage: cluster.sh start|stop|down|up|url|createdb DIR [DB]}
dir=${2:?usage: cluster.sh start|stop|down|up|url|createdb DIR [DB]}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	echo "cluster.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
	exit 3
fi
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}
pgctl() {
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" "$@"
}
case "$cmd" in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown nobody "$dir"
	chmod 700 "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U sb -A trust --no-sync -E UTF8 --locale=C \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	# The server's socket folder must be open to the client (root or not).
	chmod 755 "$dir"
	pgctl -w -o "-k $dir -c listen_addresses= -c fsync=off -c full_page_writes=off" start \
		>/dev/null || { cat "$dir/log" >&2; exit 1; }
	;;
down)
	pgctl -w -m fast stop >/dev/null
	;;
up)
	pgctl -w -o "-k $dir -c listen_addresses= -c fsync=off -c full_page_writes=off" start \
		>/dev/null
	;;
stop)
	pgctl -w -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
url)
	echo "postgresql:///${3:?database}?host=$dir&user=sb"
	;;
createdb)
	"$bin/psql" -q -X -v ON_ERROR_STOP=1 "postgresql:///postgres?host=$dir&user=sb" \
		-c "CREATE DATABASE \"${3:?database}\"" >/dev/null
	;;
*)
	echo "usage: cluster.sh start|stop|down|up|url|createdb DIR [DB]" >&2
	exit 2
	;;
esac
