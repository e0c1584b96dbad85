out=$(cat)
test "$(printf '%s\n' "$out" | cut -d' ' -f1)" = acme || { echo "got: $out"; exit 1; }
