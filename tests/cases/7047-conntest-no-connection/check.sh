# No connection: every list fails before a request is sent, saying how to
# connect; the reads are skipped; no change is proposed (nothing to try);
# --fix writes nothing; an unknown slug is named with the closest one.
set -e
python3 -c '
import json, sys
r = json.load(sys.stdin)
assert (r["passed"], r["failed"], r["skipped"]) == (0, 2, 2), r
for e in r["results"]:
    if e["outcome"] == "failed":
        assert "status" not in e and "request" not in e, e
        assert "connections add widgets" in e["message"] or "switchboard_connect" in e["message"], e
assert [p["problem"] for p in r["problems"]] == ["other"] and r["problems"][0]["changes"] == [], r["problems"]
'
D=$XDG_CONFIG_HOME/switchboard/capabilities
if $BIN connectors test widgets --fix > $TMP/fix.txt; then echo "--fix passed"; exit 1; fi
[ ! -e $D/widgets.json.bak ] || { echo "--fix wrote a file"; exit 1; }
if $BIN connectors test widgetz 2> $TMP/err.txt; then echo "an unknown slug passed"; exit 1; fi
grep -q "no connector 'widgetz'" $TMP/err.txt && grep -q "widgets" $TMP/err.txt || { cat $TMP/err.txt; exit 1; }
