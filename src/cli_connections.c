/* cli_connections.c - placeholder being replaced by the connections CLI. */
#include <stdio.h>

#include "cli.h"

int cli_connections(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	fprintf(stderr, "switchboard: connections: not built yet\n");
	return 1;
}

int cli_key(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	fprintf(stderr, "switchboard: key: not built yet\n");
	return 1;
}
