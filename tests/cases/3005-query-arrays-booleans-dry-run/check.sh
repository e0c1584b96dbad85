# The exact URL bytes, through the dry run (the stub only sees decoded
# queries); the connector's own base URL, nothing is sent.
unset TSTQ_BASE_URL
{
"$BIN" --capabilities "$CASE/caps" call tstq_items_find \
	'{"tag":["a b","c&d","é"],"active":true,"archived":false,"q":"x=1;y","min":0.1,"page_size":10}' --dry-run &&
"$BIN" --capabilities "$CASE/caps" call tstq_items_file '{"path":"docs/a b/r.txt"}' --dry-run
} >dry.out 2>dry.err || { cat dry.err; exit 1; }
diff -u "$CASE/dry.expected" dry.out || exit 1
! grep -q tstq_token_secret dry.out dry.err
