/* main.c - argv, subcommands and exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "schema.h"

static const char usage[] =
	"usage: switchboard [options] <command> [args]\n"
	"\n"
	"MCP server over stdio that turns business APIs into tools.\n"
	"\n"
	"commands:\n"
	"  serve                         serve MCP on stdin/stdout (the default)\n"
	"  tools [--json]                list the tools serve would expose\n"
	"  call TOOL [ARGS_JSON] [--dry-run]\n"
	"                                run one tool call; the result goes to stdout\n"
	"  connectors [--json] [SLUG]    list connectors, or show one\n"
	"  connectors --entity E [--action A] [--event EV]\n"
	"                                which connectors can do it\n"
	"  check [FILE|DIR...]           validate connector files (default: the registry)\n"
	"  connections ...               manage connections (see: connections --help)\n"
	"  key rotate                    re-seal every stored secret under a new key\n"
	"  oauth-app set SLUG --client-id ID [--client-secret-stdin] [--scopes S]\n"
	"      [--redirect-port N] [--authorize-url URL] [--token-url URL] [--revoke-url URL]\n"
	"                                your own OAuth app for a connector (also: show, remove)\n"
	"  connect SLUG [--name NAME] [--scopes S] [--set key=value] [--no-browser]\n"
	"      [--client-credentials]    connect an OAuth 2.0 account in the browser\n"
	"  coverage ENTITY [--json]      which connectors fill a canonical entity's fields\n"
	"  webhooks serve [--listen ADDR:PORT] [--path-prefix /hooks] [--poll-interval S]\n"
	"                                receive and verify vendor webhooks as events\n"
	"  webhooks register|list|remove CONNECTION ...\n"
	"                                manage the vendor's webhook subscriptions\n"
	"  events list [--json] [--connector C] [--connection N] [--entity E] [--type T]\n"
	"      [--since ISO|-1h] [--limit N]\n"
	"                                stored events, newest first\n"
	"  events poll [CONNECTION...]   poll entities without webhooks for changes\n"
	"\n"
	"options:\n"
	"  --capabilities DIR            also load connector files from DIR (repeatable)\n"
	"  --store PATH                  the connection store (default: "
	"$XDG_DATA_HOME/switchboard/switchboard.db)\n"
	"  --all                         show tools of connectors without a connection too\n"
	"  --connectors a,b              only these connectors\n"
	"  --tools GLOB,...              only tools matching a glob\n"
	"  --exclude GLOB,...            leave out tools matching a glob\n"
	"  --read-only                   only tools that change nothing\n"
	"  --mode auto|static|discover   discover shows search/describe/call meta-tools;\n"
	"                                auto (default) switches to it above --max-tools\n"
	"  --max-tools N                 default 40\n"
	"  --page-size N                 tools/list page size (default: all in one page)\n"
	"  --max-message-bytes N         longest accepted message (default 4194304)\n"
	"  --log-level LEVEL             debug, info, warn (default), error, off\n"
	"  -h, --help                    this help\n"
	"  --version                     print the version\n"
	"\n"
	"environment: SWITCHBOARD_STORE, SWITCHBOARD_KEY, SWITCHBOARD_CAPABILITIES,\n"
	"SWITCHBOARD_LOG, and each connector's credential variables (STRIPE_API_KEY, ...).\n";

static int need_value(int i, int argc, char **argv)
{
	if (i + 1 >= argc) {
		fprintf(stderr, "switchboard: option '%s' needs a value\n", argv[i]);
		return -1;
	}
	return 0;
}

static int parse_int_opt(const char *opt, const char *v, long min, long *out)
{
	if (parse_long(v, out) < 0 || *out < min) {
		fprintf(stderr, "switchboard: option '%s' needs a number >= %ld, got '%s'\n", opt, min,
			v);
		return -1;
	}
	return 0;
}

/* Global options may appear anywhere; what is left are the command and its
 * own arguments, compacted into argv. Returns the new argc or -1. */
static int parse_options(struct cli *cli, int argc, char **argv)
{
	struct tools_filter *f = &cli->mcp.filter;
	int out = 0;
	long v;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				argv[out++] = argv[i];
			break;
		}
		if (strcmp(a, "--capabilities") == 0) {
			if (need_value(i, argc, argv) < 0)
				return -1;
			cli->cap_dirs = xrealloc(cli->cap_dirs, (cli->ncap_dirs + 2) * sizeof(char *));
			cli->cap_dirs[cli->ncap_dirs++] = argv[++i];
			cli->cap_dirs[cli->ncap_dirs] = NULL;
		} else if (strcmp(a, "--store") == 0) {
			if (need_value(i, argc, argv) < 0)
				return -1;
			cli->mcp.store_path = argv[++i];
		} else if (strcmp(a, "--all") == 0) {
			f->all = 1;
		} else if (strcmp(a, "--read-only") == 0) {
			f->read_only = 1;
		} else if (strcmp(a, "--json") == 0) {
			cli->json = 1;
		} else if (strcmp(a, "--dry-run") == 0) {
			cli->dry_run = 1;
		} else if (strcmp(a, "--connectors") == 0 || strcmp(a, "--tools") == 0 ||
			   strcmp(a, "--exclude") == 0) {
			if (need_value(i, argc, argv) < 0)
				return -1;
			char ***dst = a[2] == 'c' ? &f->connectors
				      : a[2] == 't' ? &f->include
						    : &f->exclude;
			tools_strv_free(*dst);
			*dst = tools_strv_split(argv[++i]);
		} else if (strcmp(a, "--mode") == 0) {
			if (need_value(i, argc, argv) < 0)
				return -1;
			a = argv[++i];
			if (strcmp(a, "auto") == 0)
				f->mode = TOOLS_AUTO;
			else if (strcmp(a, "static") == 0)
				f->mode = TOOLS_STATIC;
			else if (strcmp(a, "discover") == 0)
				f->mode = TOOLS_DISCOVER;
			else {
				fprintf(stderr, "switchboard: --mode takes auto, static or discover\n");
				return -1;
			}
		} else if (strcmp(a, "--max-tools") == 0 || strcmp(a, "--page-size") == 0 ||
			   strcmp(a, "--max-message-bytes") == 0) {
			if (need_value(i, argc, argv) < 0 || parse_int_opt(a, argv[i + 1], 1, &v) < 0)
				return -1;
			i++;
			if (strcmp(a, "--max-tools") == 0)
				f->max_tools = (int)v;
			else if (strcmp(a, "--page-size") == 0)
				cli->mcp.page_size = (int)v;
			else
				cli->mcp.max_message = (size_t)v;
		} else if (strcmp(a, "--log-level") == 0) {
			if (need_value(i, argc, argv) < 0)
				return -1;
			int l = log_parse_level(argv[++i]);
			if (l < 0) {
				fprintf(stderr, "switchboard: unknown log level '%s'\n", argv[i]);
				return -1;
			}
			log_set_level((enum log_level)l);
		} else if (a[0] == '-' && a[1] == '-' && out == 0 && strcmp(a, "--help") != 0 &&
			   strcmp(a, "--version") != 0) {
			fprintf(stderr, "switchboard: unknown option '%s'\n", a);
			return -1;
		} else {
			argv[out++] = argv[i];
		}
	}
	return out;
}

int main(int argc, char **argv)
{
	struct cli cli;
	memset(&cli, 0, sizeof(cli));
	int ret = 2;
	jsonx_wipe_on_free();
	const char *lvl = getenv("SWITCHBOARD_LOG");
	if (lvl && log_parse_level(lvl) >= 0)
		log_set_level((enum log_level)log_parse_level(lvl));
	int n = parse_options(&cli, argc - 1, argv + 1);
	char **args = argv + 1;
	if (n < 0) {
		fputs("try: switchboard --help\n", stderr);
		goto out;
	}
	cli.mcp.capability_dirs = cli.cap_dirs;
	const char *cmd = n > 0 ? args[0] : "serve";
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		cli_print("%s", usage);
		ret = 0;
	} else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		cli_print("switchboard %s\n", SB_VERSION);
		ret = 0;
	} else if (strcmp(cmd, "serve") == 0) {
		ret = mcp_serve(&cli.mcp);
	} else if (strcmp(cmd, "tools") == 0) {
		ret = cli_tools(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "call") == 0) {
		ret = cli_call(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "connectors") == 0) {
		ret = cli_connectors(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "check") == 0) {
		ret = cli_check(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "connections") == 0) {
		ret = cli_connections(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "oauth-app") == 0) {
		ret = cli_oauth_app(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "connect") == 0) {
		ret = cli_connect(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "key") == 0) {
		ret = cli_key(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "coverage") == 0) {
		ret = cli_coverage(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "webhooks") == 0) {
		ret = cli_webhooks(&cli, n - 1, args + 1);
	} else if (strcmp(cmd, "events") == 0) {
		ret = cli_events(&cli, n - 1, args + 1);
	} else {
		fprintf(stderr, "switchboard: unknown command '%s'\ntry: switchboard --help\n", cmd);
	}
out:
	tools_strv_free(cli.mcp.filter.connectors);
	tools_strv_free(cli.mcp.filter.include);
	tools_strv_free(cli.mcp.filter.exclude);
	free(cli.cap_dirs);
	http_global_cleanup();
	log_reset();
	return ret;
}
