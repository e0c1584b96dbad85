# Streamable HTTP (2026-07-28) headers against the body: Mcp-Method on every
# request, Mcp-Name on tools/call (and resources/read), compared after
# trimming and base64 decoding, case-sensitively; a missing or different one
# gets 400 with -32020 (HeaderMismatch) and the client's id. Over HTTP the
# `connection` argument carries x-mcp-header "Connection" and must equal
# Mcp-Param-Connection (absent when the argument is); a refused call never
# reaches the vendor. The server run of this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
