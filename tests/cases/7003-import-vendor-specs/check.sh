# The six vendor specs kept beside the clone (../shared/specs; CI has a
# read-only copy): each imports with >= 95% of its operations, the six pass
# check and load together, and a spread of each one's tools send what their
# operation says (tests/import_check.py; run it without --sample for all).
set -e
S=$ROOT/../shared/specs
[ -f $S/stripe-spec3.json ] || S=/work/shared/specs
if [ ! -f $S/stripe-spec3.json ] || [ ! -f $S/github-api.github.com.json ]; then
	echo "skip: the vendor specs (../shared/specs) are not here"
	exit 0
fi
D=$TMP/data
mkdir -p $D/capabilities
ln -s $ROOT/schemas $D/schemas
C=$D/capabilities
imp() { $BIN connectors import "$@"; }
imp $S/stripe-spec3.json --slug stripe --out $C/stripe.json 2> $TMP/stripe.err
imp $S/github-api.github.com.json --slug github --out $C/github.json 2> $TMP/github.err
imp $S/xero_accounting.yaml --slug xero --out $C/xero.json 2> $TMP/xero.err
imp $S/openai-openapi.yaml --slug openai --out $C/openai.json 2> $TMP/openai.err
imp $S/slack_web_openapi_v2.json --slug slack --out $C/slack.json 2> $TMP/slack.err
HS=""
for h in companies contacts deals tickets oauth; do
	if [ -z "$HS" ]; then
		imp $S/hubspot-$h-2026-03.json --slug hubspot --out $C/hubspot.json 2> $TMP/hubspot.err
	else
		imp $S/hubspot-$h-2026-03.json --slug hubspot --merge $C/hubspot.json --out $C/hubspot.json 2>> $TMP/hubspot.err
	fi
	HS="$HS${HS:+,}$S/hubspot-$h-2026-03.json"
done
# The report says what each import made of its spec.
grep -q 'imported 468 of 468 operations' $TMP/stripe.err
grep -q 'imported 1223 of 1223 operations' $TMP/github.err
grep -q 'imported 235 of 235 operations' $TMP/xero.err
grep -q 'imported 288 of 288 operations' $TMP/openai.err
grep -q 'imported 174 of 174 operations' $TMP/slack.err
[ "$(grep -c '^merged: ' $TMP/hubspot.err)" = 4 ]
SWITCHBOARD_DATADIR=$D $BIN check > $TMP/check.out 2> $TMP/check.err
grep -q '^ok: 6 connectors, 2443 tools$' $TMP/check.out
SWITCHBOARD_DATADIR=$D $BIN --all --mode discover tools > /dev/null 2> $TMP/tools.err
grep -q '5 tools in discovery mode (2443 generated)' $TMP/tools.err
chk() { python3 $ROOT/tests/import_check.py $BIN "$@" --sample 10; }
chk $S/stripe-spec3.json $C/stripe.json
chk $S/github-api.github.com.json $C/github.json
chk $S/xero_accounting.yaml $C/xero.json
chk $S/openai-openapi.yaml $C/openai.json
chk $S/slack_web_openapi_v2.json $C/slack.json
chk $HS $C/hubspot.json
