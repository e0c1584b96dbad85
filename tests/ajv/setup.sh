#!/bin/sh
# setup.sh - install the pinned Ajv for the strict-mode schema check
# (package-lock.json), unless it is already there.
set -e
cd "$(dirname "$0")"
if [ -d node_modules/ajv ] && [ -d node_modules/ajv-formats ]; then
	exit 0
fi
npm ci --no-audit --no-fund
