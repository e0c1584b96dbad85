# switchboard_connect from a 2026-07-28 request (per-request _meta) that
# declares URL elicitation: no request is sent to the client mid-call; the
# page's URL is in the result, and the saved key brings the tools.
set -eu
python3 "$ROOT/tests/connect/drive.py" "$BIN" modern 2>"$TMP/s.err" || { echo "FAIL: $(tail -5 "$TMP/s.err")"; exit 1; }
! grep -q sk_test_connectpage "$TMP/s.err" || { echo "FAIL: the key in stderr"; exit 1; }
echo ok
