# A process that left the case's process groups (found by its environment).
setsid sleep "301.$SELFTEST_ID" &
