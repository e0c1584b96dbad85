# In HTTP mode stdout is not the protocol: nothing is written to it, not an
# answer, a progress or log notification, an error, a subscription's
# notification or final result, nor a line at shutdown; stderr names the
# address served. Checked after every step, with debug logging on. The
# server run of this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
