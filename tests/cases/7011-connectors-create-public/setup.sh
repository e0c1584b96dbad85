# An older shared connector of the same slug in the second XDG_DATA_DIRS folder.
mkdir -p "$TMP/share2/switchboard/capabilities"
cat > "$TMP/share2/switchboard/capabilities/teamtool.json" <<'JSON'
{"format": 1, "slug": "teamtool", "name": "Old Team Tool", "description": "The old one.",
 "category": "Other", "auth": {"default": "none", "methods": [{"type": "none"}]}, "entities": {}}
JSON
