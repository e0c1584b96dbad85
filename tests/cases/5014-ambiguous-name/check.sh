$BIN connections show tbearer/acme --json | grep -q '"connector":"tbearer","name":"acme"'
$BIN connections show stripe/acme --json | grep -q '"connector":"stripe","name":"acme"'
$BIN connections show 2 --json | grep -q '"connector":"tbearer"'
$BIN connections list --connector tbearer --json | grep -q '^\[{"id":2,"connector":"tbearer"'
