# connectors import URL: fetched (a redirect followed), YAML recognised
# though served as text/plain, the same connector as from the file; the
# request carries Accept and no credential. A Content-Type is believed; a
# redirect to plain http elsewhere, plain http to another host, an error
# status are refused; a token in the URL's query is never shown.
set -eu
cat > "$TMP/url.json"
$BIN connectors import "$ROOT/tests/cases/7001-import-openapi-yaml/spec.yaml" --slug shop >"$TMP/file.json" 2>/dev/null
cmp -s "$TMP/url.json" "$TMP/file.json" || { echo "the URL import differs from the file import"; diff "$TMP/url.json" "$TMP/file.json" | head; exit 1; }
python3 - "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["path"] for r in reqs] == ["/specs/latest", "/specs/v2/openapi.yaml"], [r["path"] for r in reqs]
for r in reqs:
    assert r["method"] == "GET" and "application/yaml" in r["headers"]["accept"], r
    assert "authorization" not in r["headers"] and "cookie" not in r["headers"], r["headers"]
PY
fails() {
	want=$1
	shift
	if $BIN connectors import "$@" >/dev/null 2>"$TMP/err"; then
		echo "accepted: $*"
		exit 1
	fi
	grep -qF -- "$want" "$TMP/err" || { echo "for $*: expected '$want', got: $(cat "$TMP/err")"; exit 1; }
	if grep -q s3cret "$TMP/err"; then echo "the token was shown: $(cat "$TMP/err")"; exit 1; fi
}
fails "specs/yaml-labelled-json: json line 1" "$STUB/specs/yaml-labelled-json?token=s3cret"
fails "refusing to fetch http://example.com/openapi.json: a spec comes over https (plain http only from this machine)" "$STUB/specs/away?token=s3cret"
fails "specs/missing: HTTP 404" "$STUB/specs/missing?token=s3cret"
fails "http://example.com/openapi.json: refusing to fetch it" "http://example.com/openapi.json?token=s3cret"
fails "http://127.0.0.1.example.com/x.json: refusing to fetch it" "http://127.0.0.1.example.com/x.json"
# Nothing went to example.com: its requests would have failed another way.
[ "$(wc -l < "$TMP/stub-requests.jsonl")" = 5 ] || { echo "stub saw: $(cat "$TMP/stub-requests.jsonl")"; exit 1; }
echo ok
