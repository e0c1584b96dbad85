# serve --http answers a POSTed request with one JSON object: a 2026-07-28
# tools/list and server/discover, and a 2025-11-25 client's initialize and
# tools/list (MCP-Protocol-Version header, no session: no Mcp-Session-Id is
# minted). A notification gets 202. The server run of this case is only
# `--version`.
exec python3 "$CASE/test.py" "$BIN"
