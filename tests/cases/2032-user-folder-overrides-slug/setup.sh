mkdir -p "$XDG_CONFIG_HOME/switchboard/capabilities"
sed 's/"acme"/"stripe"/' "$CASE/caps/acme.json" > "$XDG_CONFIG_HOME/switchboard/capabilities/stripe.json"
