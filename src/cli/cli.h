/* cli.h - the command-line front end: global options and subcommands. */
#ifndef SB_CLI_H
#define SB_CLI_H

#include "caller.h"
#include "cli_print.h"
#include "exec.h"
#include "tools.h"

struct store;
struct connection;

/* The global options as the commands read them. serve has options of its
 * own (struct mcp_options, mcp.h), which main.c fills from these. */
struct cli {
	struct tools_filter filter; /* --connectors, --tools, --exclude, --mode, --max-tools,
				       --all, --read-only: the tools the commands see */
	const char *store_path;     /* --store, or NULL */
	struct exec_env exec;       /* what a command's calls start from; each command
				       fills in http and store */
	const char **cap_dirs;      /* NULL-terminated --capabilities folders */
	size_t ncap_dirs;
	int json;           /* --json (and --jsonl) */
	int jsonl;          /* --jsonl: a stream, one object a line */
	int dry_run;        /* --dry-run */
	const char *as;     /* --as PRINCIPAL (borrowed from argv) */
	json_t *groups;     /* --group G, repeatable: an array, or NULL */
	struct caller *who; /* call and tools as --as in --group (tenancy.h); NULL: local */
};

/* Each returns the process exit status: 0 ok, 1 failure, 2 usage. */
int cli_tools(struct cli *cli, int argc, char **argv);
int cli_call(struct cli *cli, int argc, char **argv);
int cli_connectors(struct cli *cli, int argc, char **argv);
/* connectors import SPEC (cli_import.c). */
int cli_import(struct cli *cli, int argc, char **argv);
/* connectors create and connectors edit SLUG (cli_create.c). */
int cli_connectors_create(struct cli *cli, int argc, char **argv);
int cli_connectors_edit(struct cli *cli, int argc, char **argv);
/* connectors test SLUG (cli_conntest.c). */
int cli_conntest(struct cli *cli, int argc, char **argv);
int cli_check(struct cli *cli, int argc, char **argv);
int cli_connections(struct cli *cli, int argc, char **argv);
int cli_key(struct cli *cli, int argc, char **argv);
/* auth check-token, metadata, hash-token (cli_auth.c). */
int cli_auth(struct cli *cli, int argc, char **argv);
/* connections refresh (cli_refresh.c): argc/argv follow "refresh". */
int cli_connections_refresh(struct cli *cli, int argc, char **argv);
/* The first step of connections remove (cli_revoke.c): revoke an oauth2
 * connection's grant at the vendor. 0 when removal may go on (revoked,
 * nothing to revoke, or force after a failure, said on stderr); 1 when it
 * must not (the failure and what to do said on stderr). */
int cli_connections_revoke(struct cli *cli, struct store *st, const struct connection *conn,
			   int force);
int cli_oauth_app(struct cli *cli, int argc, char **argv);
int cli_connect(struct cli *cli, int argc, char **argv);
int cli_coverage(struct cli *cli, int argc, char **argv);
/* webhooks serve; events list and events poll (cli_events.c). */
int cli_webhooks(struct cli *cli, int argc, char **argv);
int cli_events(struct cli *cli, int argc, char **argv);
/* audit export and audit prune (cli_audit.c). */
int cli_audit(struct cli *cli, int argc, char **argv);
/* webhooks register, list and remove (cli_webhooks.c): verb is argv[0] of
 * the webhooks command, argc/argv what follows it. */
int cli_webhooks_manage(struct cli *cli, const char *verb, int argc, char **argv);

/* The connector of that slug, or NULL after saying on stderr that there is
 * none (with the closest slug when one is close). */
const struct connector *cli_find_connector(const struct registry *r, const char *slug);
/* Load the registry the way serve does; bad files are reported on stderr. */
struct registry *cli_registry(struct cli *cli);
/* Who runs the command, for created_by: the account's user name, else
 * $USER; NULL when neither is known. Borrowed. */
const char *cli_user_name(void);
/* The value of the option at argv[*i]: argv[*i + 1] (borrowed), with *i
 * moved onto it; NULL, said on stderr, when argv has no more words. */
const char *cli_opt_value(int *i, int argc, char **argv);
/* Run one call of target (exec.h) to the end, as serve would but on a
 * client of its own: st (may be NULL) supplies connections, args (borrowed)
 * were validated against the tool's input schema. Returns the call's result
 * (call_result_free; a failure when the call failed upstream), or NULL with err when no
 * HTTP client could be made or the call did not finish. */
struct call_result *cli_run_call(struct cli *cli, struct store *st,
				 const struct exec_target *target, json_t *args, struct err *err);

#endif
