# MCP-Protocol-Version: a version switchboard does not serve gets 400 with
# UnsupportedProtocolVersionError (-32022) listing the supported ones; a
# request without the header is an initialize-era one of 2025-03-26 (the
# spec's assumption); a 2026-07-28 request without _meta's version gets
# -32602 (400); a 2025-06-18 header serves that version. The server run of
# this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
