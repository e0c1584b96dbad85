grep -Eqx 'ok: [1-9][0-9]* connectors, [1-9][0-9]* tools' || { echo 'no ok line'; exit 1; }
