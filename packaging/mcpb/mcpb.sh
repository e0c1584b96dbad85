#!/bin/sh
# mcpb.sh BIN VERSION ARCH OUT: pack BIN with the connector and schema files into
# the MCP Bundle OUT with the official packer, after its validate accepts the manifest.
# Layout: server/bin/switchboard finds its data in server/share/switchboard
# (<exe>/../share/switchboard), as an install under PREFIX does.
set -eu
[ $# -eq 4 ] || { echo "usage: mcpb.sh BIN VERSION ARCH OUT" >&2; exit 2; }
bin=$1 version=$2 out=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sh "$here/setup.sh"
mcpb="$here/node_modules/.bin/mcpb"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/server/bin" "$stage/server/share/switchboard/capabilities" \
	"$stage/server/share/switchboard/schemas"
cp "$bin" "$stage/server/bin/switchboard"
strip --strip-debug "$stage/server/bin/switchboard" 2>/dev/null || true
chmod 0755 "$stage/server/bin/switchboard"
cp "$root"/capabilities/*.json "$stage/server/share/switchboard/capabilities/"
cp "$root"/schemas/*.json "$stage/server/share/switchboard/schemas/"
python3 "$here/manifest.py" "$root" "$version" > "$stage/manifest.json"
"$mcpb" validate "$stage/manifest.json" >&2
mkdir -p "$(dirname "$out")"
rm -f "$out"
"$mcpb" pack "$stage" "$out" >&2
echo "mcpb: $out" >&2
