# Two connections to the same stub under two host names: libcurl waits to
# reuse a connection to one host (PIPEWAIT), which would serialize the calls.
set -e
printf '%s' sk_test_slow1234567 | $BIN --store "$TMP/s.db" connections add stripe --name a --secret-stdin --set base_url=$STUB --no-test
printf '%s' sk_test_fast1234567 | $BIN --store "$TMP/s.db" connections add stripe --name b --secret-stdin --set "base_url=$(echo $STUB | sed 's/127.0.0.1/localhost/')" --no-test
