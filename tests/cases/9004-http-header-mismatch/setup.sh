# Two Stripe connections, so Stripe's tools take a `connection` argument.
set -e
printf '%s' sk_test_one1234567 | $BIN --store "$TMP/s.db" connections add stripe --name one --secret-stdin --set base_url=$STUB --no-test
printf '%s' sk_test_two1234567 | $BIN --store "$TMP/s.db" connections add stripe --name two --secret-stdin --set base_url=$STUB --no-test
