# A body that is not JSON gets 400 with a JSON-RPC parse error (-32700, id
# null), an empty or cut body too; JSON that is not a request (a number, a
# batch, no method, a bad id or jsonrpc) gets the core's invalid-request
# error (-32600), with the id when there is a usable one. The server goes
# on serving after each. The server run of this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
