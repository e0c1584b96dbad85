# Clients of serve --http are served at once, not one after another: eight
# clients, each on its own connection, call a vendor that answers after 2 s;
# the vendor has several of the calls in flight at the same moment (served
# one at a time, it would never see more than one), and every client gets
# its own answer. The server run of this case is only `--version`.
exec python3 "$CASE/test.py" "$BIN"
