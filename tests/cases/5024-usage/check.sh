$BIN connections frob 2>/dev/null; test $? = 2
$BIN connections show 2>/dev/null; test $? = 2
$BIN connections rename a 2>/dev/null; test $? = 2
$BIN connections list --name x 2>/dev/null; test $? = 2
$BIN key 2>/dev/null; test $? = 2
$BIN connections --help | grep -q 'secret-stdin'
