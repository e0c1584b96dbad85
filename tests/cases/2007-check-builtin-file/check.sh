grep -Eqx 'ok: 1 connectors, [0-9]+ tools' || { echo 'no ok line'; exit 1; }
