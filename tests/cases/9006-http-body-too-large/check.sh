# Bodies are capped (--max-message-bytes, 4 MiB by default): a bigger one gets
# 413 with a JSON-RPC error, however it arrives (Content-Length or chunked),
# and the server goes on serving. The server run of this case is only
# `--version`.
exec python3 "$CASE/test.py" "$BIN"
