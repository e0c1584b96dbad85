# A data folder holding only the files this case is about, so connectors
# added later elsewhere do not change its answer.
set -e
mkdir -p "$TMP/dd/capabilities"
ln -s "$ROOT/schemas" "$TMP/dd/schemas"
cp "$ROOT/capabilities/_canonical.json" "$ROOT/capabilities/cin7core.json" \
   "$ROOT/capabilities/cin7omni.json" "$ROOT/capabilities/email.json" "$TMP/dd/capabilities/"
