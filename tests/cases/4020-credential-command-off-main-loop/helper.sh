#!/bin/sh
# A slow credential helper: notes each run in $1, then waits until the test
# creates $1.go (at most 10 s), touches $1.done just before it prints its
# headers.
echo run >> "$1"
n=$(wc -l < "$1")
i=0
while [ ! -e "$1.go" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
touch "$1.done"
printf '{"headers": {"Authorization": "Bearer slow-%s-%s"}, "expires_in": 3600}' "$SWITCHBOARD_SECRET_API_KEY" "$n"
