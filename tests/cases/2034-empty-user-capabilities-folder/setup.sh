mkdir -p "$XDG_CONFIG_HOME/switchboard/capabilities"
