$BIN connections list --json | grep -q '"status":"ok","last_error":null,"created_at":[0-9]*,"last_used_at":[0-9]'
