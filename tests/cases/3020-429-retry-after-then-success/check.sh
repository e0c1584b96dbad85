# One answer on stdout; the retry waited for Retry-After (about a second).
test "$(wc -l)" -eq 1
