# stripe: two stored connections (one rejected by the vendor, so it needs
# reconnecting) and the environment's; a personal connector created here,
# connected through its environment variable; github with none.
set -e
printf '%s' sk_test_abc123secret | $BIN connections add stripe --name main --secret-stdin --set base_url=$STUB --no-test
printf '%s' sk_test_def456secret | $BIN connections add stripe --name work --secret-stdin --set base_url=$STUB --no-test
$BIN connections test work >/dev/null 2>&1 || true
$BIN connections show work --json | grep -q '"status":"needs_reconnect"'
$BIN connectors create --name Acme --auth bearer >/dev/null 2>&1
