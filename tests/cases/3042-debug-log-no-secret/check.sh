# Neither secret anywhere on stdout (results, log notifications) either.
! grep -e sk_test_debuglog4242secret -e qk_debuglog_7777
