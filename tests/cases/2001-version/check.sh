grep -Eqx 'switchboard [0-9]+\.[0-9]+\.[0-9]+' || { echo 'no version line'; exit 1; }
