# Closing a call's stream cancels the call (2026-07-28 Cancellation): a
# client that hangs up while its call waits on a slow vendor (nothing sent
# yet), and one that hangs up mid-stream after a progress notification, each
# get their call cancelled within a second, long before the vendor answers;
# the server goes on serving. The server run of this case is only
# `--version`.
exec python3 "$CASE/test.py" "$BIN"
