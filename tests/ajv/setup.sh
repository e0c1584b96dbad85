#!/bin/sh
# setup.sh - install the pinned Ajv for the strict-mode schema check
# (package-lock.json), unless it is already there. Cases run it at once
# (2132, 2200): npm ci empties node_modules first, so one install at a time,
# under a lock, and the others find it done.
set -e
cd "$(dirname "$0")"
exec 9>.setup.lock
flock 9
if [ -d node_modules/ajv ] && [ -d node_modules/ajv-formats ]; then
	exit 0
fi
npm ci --no-audit --no-fund
