! cmp -s $TMP/oldkey $XDG_CONFIG_HOME/switchboard/key
test "$(stat -c %a $XDG_CONFIG_HOME/switchboard/key)" = 600
test ! -e $XDG_CONFIG_HOME/switchboard/key.new
$BIN connections list --json | grep -q '"name":"acme"'
$BIN connections test acme | grep -q '^ok: stripe/acme'
