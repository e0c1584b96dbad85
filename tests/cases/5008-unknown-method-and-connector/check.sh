! $BIN connections add nosuchvendor 2> $TMP/err
grep -q "no connector 'nosuchvendor'" $TMP/err
# A key that does not fit the field's pattern is refused without quoting it.
! printf 'pk_test_notsecret' | $BIN connections add stripe --secret-stdin 2> $TMP/err
grep -q "the value given for 'api_key' of stripe does not have the expected form" $TMP/err
! grep -q pk_test_notsecret $TMP/err
# A bare value needs a method with one secret field.
! printf '{"nope": 1' | $BIN connections add stripe --secret-stdin 2> $TMP/err
grep -q 'is not a JSON object' $TMP/err
