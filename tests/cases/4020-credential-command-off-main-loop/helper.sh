#!/bin/sh
# A slow credential helper: notes each run in $1, takes 2 s, touches
# $1.done just before it prints its headers.
echo run >> "$1"
n=$(wc -l < "$1")
sleep 2
touch "$1.done"
printf '{"headers": {"Authorization": "Bearer slow-%s-%s"}, "expires_in": 3600}' "$SWITCHBOARD_SECRET_API_KEY" "$n"
