# An edit with nothing to change is a usage error.
$BIN connections edit acme < /dev/null; test $? = 2
