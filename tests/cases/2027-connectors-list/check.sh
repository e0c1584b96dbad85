out=$(cat)
printf '%s\n' "$out" | grep -Eqx 'acme +public +api_key +none: connections add +Acme' || { echo 'no acme line'; exit 1; }
printf '%s\n' "$out" | grep -Eqx 'stripe +built-in +api_key +none: connections add +Stripe' || { echo 'no stripe line'; exit 1; }
# in slug order
test "$(printf '%s\n' "$out" | cut -d' ' -f1)" = "$(printf '%s\n' "$out" | cut -d' ' -f1 | LC_ALL=C sort)" || { echo 'not sorted'; exit 1; }
