# DNS rebinding: a request whose Host is not loopback (or a name given with
# --allow-host) gets 421; one from a browser page whose Origin is not
# loopback (or given with --allow-origin) gets 403 with a JSON-RPC error
# without id; no Origin (not a browser) is fine. Refused requests reach no
# tool. The server run of this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
