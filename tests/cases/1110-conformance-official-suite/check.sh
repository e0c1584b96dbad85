# The official MCP conformance suite (@modelcontextprotocol/conformance,
# pinned in tests/conformance/package-lock.json) against this build, for
# both requirement sets, against `switchboard serve --http`. A scenario outside the baselines
# (tests/conformance/baseline-*.yml, each entry with its reason) that fails,
# or a baselined one that starts passing, fails the case.
# The server run of this case is only `--version`.
exec sh "$ROOT/tests/conformance/run.sh" "$BIN" 2025-11-25 2026-07-28
