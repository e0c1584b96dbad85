# The chaos case: three `serve --http` replicas on one PostgreSQL behind
# HAProxy (round-robin), 100 concurrent callers on one OAuth connection whose access token expires during
# the run, against a strict provider that rotates refresh tokens and kills
# the old one on use (chaos.py says what is asserted). Then, once for each
# fault point of the refresh (src/oauth/oauth.c), one replica is killed (kill -9)
# in the middle of a refresh while the callers go on.
set -eu
if ! command -v haproxy >/dev/null 2>&1; then
	echo "skip: HAProxy is not installed (tests/deps.sh --install test)"
	exit 0
fi
. "$ROOT/tests/oauth/lib.sh"
. "$ROOT/tests/pg/lib.sh"
pg_start
SB="$BIN --capabilities $CASE/caps"
export SB

# Tokens live 12 s (a refresh is due in their last 6 s: the callers have
# 4.5 s to finish their calls in flight before it, loaded machine or not);
# the token endpoint answers after 0.4 s, so the kill comes while the others
# wait for the lock.
oauth_start --expires-in 12 --token-delay 0.4
oauth_app oauthtest
for run in ${RUNS:-none:a oauth_after_lock:b oauth_after_store:c}; do
	python3 "$CASE/chaos.py" "${run%:*}" "${run#*:}" "$U" ||
		fail "scenario ${run%:*}: see above"
	$SB connections remove "${run#*:}" --keep-grant >/dev/null # one connection per run
done
oauth_stop

# Killed after the vendor answered, before the store write: the rotated
# token dies with the process. Only a vendor's retry window for the
# previous refresh token can save the grant (a strict vendor cannot: the
# connection then needs a reconnect, said so: case 4590).
oauth_start --expires-in 12 --token-delay 0.4 --grace 30
oauth_app oauthtest
python3 "$CASE/chaos.py" oauth_before_store d "$U" || fail "scenario oauth_before_store: see above"
echo ok
