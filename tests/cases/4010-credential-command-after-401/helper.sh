#!/bin/sh
# A credential helper: counts its runs, records its argv, prints headers.
n=$(cat "$1" 2>/dev/null || echo 0)
echo $((n + 1)) > "$1"
echo "$@" >> "$1.argv"
printf '{"headers": {"Authorization": "Bearer cmd-%s-%s", "X-Connection": "%s"}, "expires_in": 3600}' "$SWITCHBOARD_SECRET_API_KEY" "$((n + 1))" "$SWITCHBOARD_CONNECTION"
