# connectors edit: a built-in is copied into the user's folder only once an
# edit of it is valid; a broken edit (not on a terminal) leaves the
# connector as it was and keeps the edit in SLUG.json.rejected; a failing
# editor, an unchanged file and a changed slug change nothing; VISUAL comes
# before EDITOR.
set -eu
u="$XDG_CONFIG_HOME/switchboard/capabilities"
[ "$(cat "$TMP/editor.log")" = "stripe.json describe" ] || { echo "editor runs: $(cat "$TMP/editor.log")"; exit 1; }
$BIN connectors stripe | grep -q '"description": "Edited by the case."' || { echo "edit not loaded"; exit 1; }
grep -q "Edited by the case" "$ROOT/capabilities/stripe.json" && { echo "the built-in changed"; exit 1; }
cp "$u/stripe.json" "$TMP/good.json"
[ "$(stat -c %a "$u/stripe.json")" = 600 ] || { echo "mode $(stat -c %a "$u/stripe.json")"; exit 1; }
$BIN connectors | grep -Eq '^stripe +PERSONAL ' || { echo "card: $($BIN connectors | grep stripe)"; exit 1; }

# A broken edit: exit 1, the file unchanged, the edit kept.
EDIT_MODE=break $BIN connectors edit stripe 2>"$TMP/err" && { echo "a broken edit saved"; exit 1; }
cmp -s "$u/stripe.json" "$TMP/good.json" || { echo "the broken edit changed the file"; exit 1; }
grep -q "your edit of stripe:1:2: string or '}' expected" "$TMP/err" || { echo "no parse error: $(cat "$TMP/err")"; exit 1; }
grep -q "your edit is kept in $u/stripe.json.rejected; stripe is unchanged" "$TMP/err" || { cat "$TMP/err"; exit 1; }
head -c 2 "$u/stripe.json.rejected" | grep -q '{{' || { echo "the rejected edit is not kept"; exit 1; }
$BIN check >/dev/null 2>&1 || { echo "check fails after a rejected edit"; exit 1; }

# The editor fails: nothing changes, and no new .rejected.
rm "$u/stripe.json.rejected"
EDIT_MODE=fail $BIN connectors edit stripe 2>"$TMP/err" && { echo "a failing editor succeeded"; exit 1; }
grep -q "the editor failed (exit 3); stripe is unchanged" "$TMP/err" || { cat "$TMP/err"; exit 1; }
cmp -s "$u/stripe.json" "$TMP/good.json" && [ ! -e "$u/stripe.json.rejected" ] || { echo "changed after a failing editor"; exit 1; }

# No change.
EDIT_MODE=same $BIN connectors edit stripe 2>"$TMP/err" || { cat "$TMP/err"; exit 1; }
grep -q "no change; stripe is as it was" "$TMP/err" || { cat "$TMP/err"; exit 1; }

# The slug must stay.
EDIT_MODE=reslug $BIN connectors edit stripe 2>"$TMP/err" && { echo "a changed slug saved"; exit 1; }
grep -q "the slug must stay 'stripe'" "$TMP/err" || { cat "$TMP/err"; exit 1; }
cmp -s "$u/stripe.json" "$TMP/good.json" || { echo "changed after a reslug"; exit 1; }

# A broken edit of a built-in not yet copied: no copy appears.
EDIT_MODE=break $BIN connectors edit github 2>/dev/null && { echo "a broken github edit saved"; exit 1; }
[ -e "$u/github.json" ] && { echo "a broken edit left a copy of github"; exit 1; }

# VISUAL wins over EDITOR; an unknown slug is said.
VISUAL="python3 $CASE/editor.py" EDITOR=false EDIT_MODE=same $BIN connectors edit stripe 2>/dev/null || { echo "VISUAL not used"; exit 1; }
$BIN connectors edit strpe 2>"$TMP/err" && exit 1
grep -q "did you mean 'stripe'" "$TMP/err" || { cat "$TMP/err"; exit 1; }
echo ok
