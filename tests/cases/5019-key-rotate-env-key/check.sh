new=$(sed -n 's/^SWITCHBOARD_KEY=//p')
test -n "$new" && test "$new" != "$SWITCHBOARD_KEY"
SWITCHBOARD_KEY=$new $BIN connections test acme | grep -q '^ok: stripe/acme'
! $BIN connections test acme 2> $TMP/err
grep -q 'wrong key' $TMP/err
