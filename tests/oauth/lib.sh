# tests/oauth/lib.sh - shell helpers of the OAuth cases, sourced by their
# check.sh: . "$ROOT/tests/oauth/lib.sh"
# Commands run as $SB when the case sets it (e.g. with --capabilities), else
# $BIN. Files: $TMP/op (the provider's port), $TMP/c.out and $TMP/c.err
# (connect's output), $TMP/page.html (the page the browser would show).

fail() { echo "FAIL: $*"; exit 1; }
. "$ROOT/tests/lib/wait.sh"

DB="$XDG_DATA_HOME/switchboard/switchboard.db"
# sql QUERY: print the rows of QUERY on the store, as Python's sqlite3 gives
# them ([('a', 1)]); on PostgreSQL ($PGSTORE, tests/run.py --postgres) too.
sql() {
	if [ -n "${PGSTORE:-}" ]; then
		python3 "$ROOT/tests/pg/sql.py" "$PGSTORE" "$1"
	else
		python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())" "$DB" "$1"
	fi
}

SRV= CON=
# oauth_cleanup: stop the provider and a connect still waiting (a failed case).
oauth_cleanup() {
	[ -z "$CON" ] || kill $CON 2>/dev/null || true
	[ -z "$SRV" ] || kill $SRV 2>/dev/null || true
}
trap oauth_cleanup EXIT

# oauth_start [ARGS...]: start tests/oauth/oauth_server.py with ARGS and wait
# for its port. Sets SRV (its pid) and U (its base URL).
oauth_start() {
	rm -f "$TMP/op"
	python3 "$ROOT/tests/oauth/oauth_server.py" --port-file "$TMP/op" "$@" &
	SRV=$!
	wait_port "$TMP/op" "the OAuth provider's port"
	U="http://127.0.0.1:$(cat "$TMP/op")"
}

# oauth_age SECONDS: as if SECONDS had passed, instead of sleeping through a
# token's life: the provider's tokens expire that much sooner, and so do the
# store's records of them (expires_at, refresh_token_expires_at). Run it while
# no switchboard process holds a connection in memory.
oauth_age() {
	curl -s -f "$U/admin/age?seconds=$1" >/dev/null || fail "the provider did not age its tokens"
	if [ -n "${PGSTORE:-}" ]; then
		sql "update connections set expires_at = expires_at - $1 where expires_at > 0" >/dev/null &&
			sql "update connections set config = jsonb_set(config::jsonb,
			'{refresh_token_expires_at}', to_jsonb((config::jsonb->>'refresh_token_expires_at')::bigint - $1))::text
			where jsonb_typeof(config::jsonb->'refresh_token_expires_at') = 'number'" >/dev/null &&
			sql "update sb_state set changes = changes + 1" >/dev/null ||
			fail "the store's tokens were not aged"
		return
	fi
	python3 - "$DB" "$1" <<'PY' || fail "the store's tokens were not aged"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
db.execute("update connections set expires_at = expires_at - ? where expires_at > 0", (n,))
db.execute("update connections set config = json_set(config, '$.refresh_token_expires_at',"
           " json_extract(config, '$.refresh_token_expires_at') - ?)"
           " where json_type(config, '$.refresh_token_expires_at') = 'integer'", (n,))
db.commit()
PY
}

# oauth_stop: stop the provider started last.
oauth_stop() {
	kill $SRV 2>/dev/null || true
	wait $SRV 2>/dev/null || true
	SRV=
}

# oauth_app SLUG: store SLUG's OAuth app (cid / csecret) at the provider $U.
oauth_app() {
	printf csecret | ${SB:-$BIN} oauth-app set "$1" --client-id cid --client-secret-stdin \
		--authorize-url "$U/authorize" --token-url "$U/token" >/dev/null
}

# oauth_begin ARGS...: run "connect ARGS --no-browser" in the background and
# wait for the authorization URL. Sets CON (its pid) and URL.
oauth_begin() {
	# Emptied here, not by the background job's redirection, which may run
	# after the wait below has read the last connect's URL.
	: >"$TMP/c.out"
	: >"$TMP/c.err"
	${SB:-$BIN} connect "$@" --no-browser >"$TMP/c.out" 2>"$TMP/c.err" &
	CON=$!
	wait_until 20 "connect $* to print the authorization URL" oauth_url_or_exit
	URL=$(grep '^http' "$TMP/c.out") || fail "connect $* printed no URL: $(cat "$TMP/c.err")"
}
oauth_url_or_exit() { grep -q '^http' "$TMP/c.out" || ! kill -0 $CON 2>/dev/null; }

# oauth_follow: do what the browser would with URL (consent is assumed).
# Sets CODE (the final page's HTTP status); the page is $TMP/page.html.
oauth_follow() {
	CODE=$(curl -s -S -L -o "$TMP/page.html" -w '%{http_code}' "$URL" 2>"$TMP/curl.err") ||
		fail "the browser could not follow $URL: $(cat "$TMP/curl.err")"
}

# oauth_connect ARGS...: oauth_begin ARGS, then oauth_follow; the caller
# waits for $CON to learn the outcome.
oauth_connect() {
	oauth_begin "$@"
	oauth_follow
}

# oauth_connected ARGS...: oauth_connect ARGS, which must succeed.
oauth_connected() {
	oauth_connect "$@"
	wait $CON || fail "connect $*: $(cat "$TMP/c.err")"
}
