/* cli.h - the command-line front end: global options and subcommands. */
#ifndef SB_CLI_H
#define SB_CLI_H

#include "mcp.h"

struct cli {
	struct mcp_options mcp;   /* filters and limits shared with serve */
	const char **cap_dirs;    /* NULL-terminated --capabilities folders */
	size_t ncap_dirs;
	int json;                 /* --json */
	int dry_run;              /* --dry-run */
};

/* Each returns the process exit status: 0 ok, 1 failure, 2 usage. */
int cli_tools(struct cli *cli, int argc, char **argv);
int cli_call(struct cli *cli, int argc, char **argv);
int cli_connectors(struct cli *cli, int argc, char **argv);
int cli_check(struct cli *cli, int argc, char **argv);
int cli_connections(struct cli *cli, int argc, char **argv);
int cli_key(struct cli *cli, int argc, char **argv);
int cli_oauth_app(struct cli *cli, int argc, char **argv);
int cli_connect(struct cli *cli, int argc, char **argv);
int cli_coverage(struct cli *cli, int argc, char **argv);

/* Print to stdout (the CLI's output channel when not serving MCP). */
void cli_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Load the registry the way serve does; bad files are reported on stderr. */
struct registry *cli_registry(struct cli *cli);

#endif
