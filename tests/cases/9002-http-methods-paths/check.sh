# The MCP endpoint takes POST only: GET (a 2025-11-25 client's standalone
# stream) and DELETE (its session's end) get 405 with Allow: POST; another
# path gets 404 (--path moves the endpoint). A POST must be
# application/json (415) and accept both JSON and SSE (406); an absent
# Accept is taken as anything. The server run of this case is only
# `--version`.
exec python3 "$CASE/test.py" "$BIN"
