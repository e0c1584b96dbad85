# Ran once (the second call used the cache), never with the secret in argv.
test "$(cat $TMP/count)" = 1
! grep -q base-secret $TMP/count.argv
