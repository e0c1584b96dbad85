#!/bin/sh
# setup.sh - install the pinned conformance suite and Node 22
# (package-lock.json), unless they are already there.
set -e
cd "$(dirname "$0")"
if [ -d node_modules/@modelcontextprotocol/conformance ]; then
	exit 0
fi
npm ci --no-audit --no-fund
