out=$(cat)
for w in '^usage: switchboard' '^  serve ' '^  check ' '^  --capabilities DIR' '^  --mode auto|static|discover' '^  --max-message-bytes N'; do
  printf '%s\n' "$out" | grep -Eq -- "$w" || { echo "help lacks /$w/"; exit 1; }
done
