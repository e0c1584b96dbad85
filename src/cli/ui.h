/* ui.h - `switchboard ui`: the connectors page, a small local web page on
 * loopback with one card per connector (its state and connections), the
 * Create Connector form and the key-based connection forms. Every request
 * that changes something must come from the page itself (same origin and a
 * per-page token). */
#ifndef SB_UI_H
#define SB_UI_H

#include "cli.h"

/* The command: `ui [--listen 127.0.0.1:PORT]`; prints the page's URL on
 * stdout and serves until SIGINT or SIGTERM. Exit status 0, 1 or 2. */
int cli_ui(struct cli *cli, int argc, char **argv);

#endif
