printf 'renamed stripe/b to stripe/bee\nstripe/bee is now the default for stripe\nremoved stripe/bee\nstripe/a is now the default for stripe\n' | cmp - $TMP/out
! $BIN connections rename a 123 2> $TMP/err
grep -q 'invalid connection name' $TMP/err
! $BIN connections rename a c 2> $TMP/err
grep -q "connection 'stripe/c' already exists" $TMP/err
! $BIN connections rename a env 2> $TMP/err
grep -q "'env' names the connection the environment makes" $TMP/err
! $BIN connections remove zzz 2> $TMP/err
grep -q "no connection named 'zzz'" $TMP/err
