set -e
printf '{"username": "alice", "password": "pw-secret-4002"}' | $BIN connections add tbasic --name acme --secret-stdin --set base_url=$STUB
