set -e
printf 'sk_test_file123secret\n' > $TMP/key
