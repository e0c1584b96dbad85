# --secret takes a file, never a value.
! $BIN connections add stripe --name x --secret api_key=sk_test_abc123secret 2> $TMP/err
grep -q 'secrets are not accepted on the command line' $TMP/err
! grep -q sk_test_abc123secret $TMP/err
# Nothing was stored.
test "$($BIN connections list --json)" = '[]'
