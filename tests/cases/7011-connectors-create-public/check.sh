# A public connector goes to the shared folder (the first of XDG_DATA_DIRS),
# readable by every user (0644), and wins over the same slug in a later
# folder; another user (another XDG_CONFIG_HOME) loads it, as public. With
# SWITCHBOARD_CAPABILITIES set, public connectors go to its first folder.
set -eu
f="$TMP/share1/switchboard/capabilities/teamtool.json"
[ "$(cat)" = "$f" ] || { echo "not written to $f"; exit 1; }
[ "$(stat -c %a "$f")" = 644 ] || { echo "mode $(stat -c %a "$f")"; exit 1; }
grep -q '"visibility": "public"' "$f" || exit 1
[ -e "$XDG_CONFIG_HOME/switchboard/capabilities/teamtool.json" ] && { echo "written to the user's folder too"; exit 1; }
other=$(XDG_CONFIG_HOME="$TMP/other" $BIN connectors)
printf '%s\n' "$other" | grep -Eqx 'teamtool +public +bearer +none: connections add +Team Tool \(by .+\)' || { echo "other user: $other"; exit 1; }
XDG_CONFIG_HOME="$TMP/other" $BIN connectors --json | python3 -c '
import json, sys
t = [d for d in json.load(sys.stdin) if d["slug"] == "teamtool"]
assert len(t) == 1 and t[0]["name"] == "Team Tool" and t[0]["source"] == "public", t
assert t[0]["connections"] == {"count": 0, "needs_reconnect": 0, "next": "connections add"}, t
' || exit 1
mkdir -p "$TMP/team"
out=$(SWITCHBOARD_CAPABILITIES="$TMP/team:$TMP/more" $BIN connectors create --name "Other Tool" --visibility public --auth none 2>/dev/null)
[ "$out" = "$TMP/team/othertool.json" ] || { echo "SWITCHBOARD_CAPABILITIES: $out"; exit 1; }
# An install under a data dir (PREFIX/share/switchboard, PREFIX/share in
# XDG_DATA_DIRS): its built-in folder is not loaded again as a shared one.
mkdir -p "$TMP/inst/share/switchboard"
cp -r "$ROOT/capabilities" "$ROOT/schemas" "$TMP/inst/share/switchboard/"
SWITCHBOARD_DATADIR="$TMP/inst/share/switchboard" XDG_DATA_DIRS="$TMP/inst/share" $BIN connectors | grep -Eq '^stripe +built-in ' || { echo "an installed built-in is not built-in"; exit 1; }
echo ok
