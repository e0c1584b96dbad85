# A background process left running (in check.sh's process group).
sleep "300.$SELFTEST_ID" &
