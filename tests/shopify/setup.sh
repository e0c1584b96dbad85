#!/bin/sh
# setup.sh - install Shopify's Admin GraphQL schemas (@shopify/dev-mcp) and
# graphql-js at the versions in package-lock.json, unless they are already
# there. .ci/run and case 3305 call this.
set -e
cd "$(dirname "$0")"
if [ -d node_modules/@shopify/dev-mcp/dist/data ] && [ -d node_modules/graphql ]; then
	exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund
