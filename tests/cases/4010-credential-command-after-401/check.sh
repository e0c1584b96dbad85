# The rejected headers were dropped from the cache and the command ran again.
test "$(cat $TMP/count)" = 2
