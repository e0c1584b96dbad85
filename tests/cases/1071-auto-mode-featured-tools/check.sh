# --mode auto above --max-tools: the connector's featured tools (declared
# with "featured": true in its file) come directly, in registry order, then
# the discovery meta-tools for the rest; every tool stays callable. With
# more featured tools than --max-tools, only the meta-tools; --mode static
# and --mode discover are as they were.
set -e
run() { "$BIN" --capabilities "$CASE/caps" --all --connectors acme "$@" tools --json; }
names() { python3 -c 'import json,sys; print(" ".join(t["name"] for t in json.load(sys.stdin)))'; }
got=$(names)
want="acme_widgets_list acme_widgets_create acme_gadgets_list switchboard_search switchboard_describe switchboard_call switchboard_connections"
[ "$got" = "$want" ] || { echo "auto: $got"; exit 1; }
got=$(run --max-tools 2 | names)
want="switchboard_search switchboard_describe switchboard_call switchboard_connections"
[ "$got" = "$want" ] || { echo "auto, too many featured: $got"; exit 1; }
got=$(run --max-tools 2 --mode discover | names)
[ "$got" = "$want" ] || { echo "discover: $got"; exit 1; }
got=$(run --max-tools 8 | names)
want="acme_widgets_list acme_widgets_read acme_widgets_create acme_widgets_update acme_widgets_delete acme_widgets_search acme_gadgets_list acme_gadgets_read switchboard_connections"
[ "$got" = "$want" ] || { echo "auto, all fit: $got"; exit 1; }
got=$(run --max-tools 2 --mode static | names)
[ "$got" = "$want" ] || { echo "static: $got"; exit 1; }
echo ok
