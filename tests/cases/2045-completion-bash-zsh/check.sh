# `switchboard completion bash|zsh`: the bash script completes commands,
# subcommands, option values, tool names, connector slugs and connection names
# (asked of switchboard itself); the zsh script parses and registers itself
# with compinit.
set -eu
mkdir -p "$TMP/path"
ln -s "$BIN" "$TMP/path/switchboard"
printf 'sk_test_1' | "$BIN" connections add stripe --name acme --secret-stdin > /dev/null
printf 'ghp_x' | "$BIN" connections add github --name work --secret-stdin > /dev/null
"$BIN" completion bash > "$TMP/c.bash"
"$BIN" completion zsh > "$TMP/_switchboard"
cat > "$TMP/t.bash" <<'T'
source "$1"
try() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _switchboard; echo "${COMPREPLY[*]}"; }
try switchboard con
try switchboard connections re
try switchboard --log-level debug call stripe_customers_cr
try switchboard connect hub
try switchboard --mode ''
try switchboard events p
try switchboard connections test ''
try switchboard --log-level warn events poll acme ''
try switchboard webhooks register w
try switchboard connections add str
try switchboard connections list ''
try switchboard connectors cre
try switchboard connectors edit str
try switchboard connectors create --vis
try switchboard connectors create --auth o
try switchboard connectors create --visibility p
T
PATH="$TMP/path:$PATH" bash "$TMP/t.bash" "$TMP/c.bash" > "$TMP/got"
printf '%s\n' "connectors connections connect" "remove rename refresh revoke" "stripe_customers_create" \
	"hubspot" "auto static discover" "poll prune" "work acme" "work acme" "work" "stripe" "" \
	"create" "stripe" "--visibility" "oauth2" "private public" \
	> "$TMP/want"
diff "$TMP/want" "$TMP/got"
command -v zsh >/dev/null || { echo "zsh is not installed (tests/deps.sh test installs it)"; exit 1; }
zsh -n "$TMP/_switchboard"
zsh -fc 'autoload -U compinit; compinit -u -D; source "$1"; [[ ${_comps[switchboard]} == _switchboard ]]' zsh "$TMP/_switchboard"
# A wrong shell is a usage error.
if "$BIN" completion fish 2> "$TMP/err"; then echo "completion fish: exit 0"; exit 1; fi
grep -q "usage: switchboard completion bash|zsh" "$TMP/err"
echo ok
