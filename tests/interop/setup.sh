#!/bin/sh
# setup.sh - install the pinned MCP TypeScript SDK for the interop test
# (package-lock.json), unless it is already there. .ci/run calls this.
set -e
cd "$(dirname "$0")"
if [ -d node_modules/@modelcontextprotocol/sdk ]; then
	exit 0
fi
npm ci --no-audit --no-fund
