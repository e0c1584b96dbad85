#!/bin/sh
# setup.sh - install the pinned MCPB packer (@anthropic-ai/mcpb, package-lock.json)
# unless it is already there. make mcpb and .ci/run call this.
set -e
cd "$(dirname "$0")"
[ -x node_modules/.bin/mcpb ] && exit 0
npm ci --no-audit --no-fund >&2
