/* main.c - argv, subcommands and exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ui.h"
#include "cli_help.h"
#include "completion.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "mcp.h"
#include "mcp_http.h"
#include "rs.h"
#include "schema.h"
#include "store.h"
#include "tenancy.h"

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
		fprintf(stderr, "switchboard: option '%s' needs a number >= %ld, got '%s'\n", opt,
			min, v);
		return -1;
	}
	return 0;
}

/* ---- global options: one table, each option's handler beside it ---- */

/* The global options only serve reads. The others are the CLI's (struct
 * cli); serve_options maps both into the server's own (struct mcp_options). */
static struct {
	int page_size;      /* --page-size */
	size_t max_message; /* --max-message-bytes */
} serve_only;

static int opt_capabilities(struct cli *cli, const char *opt, const char *v)
{
	(void)opt;
	cli->cap_dirs = xrealloc(cli->cap_dirs, (cli->ncap_dirs + 2) * sizeof(char *));
	cli->cap_dirs[cli->ncap_dirs++] = v;
	cli->cap_dirs[cli->ncap_dirs] = NULL;
	return 0;
}

static int opt_store(struct cli *cli, const char *opt, const char *v)
{
	(void)opt;
	cli->store_path = v;
	return 0;
}

static int opt_all(struct cli *cli, const char *opt, const char *v)
{
	(void)opt, (void)v;
	cli->filter.all = 1;
	return 0;
}

static int opt_read_only(struct cli *cli, const char *opt, const char *v)
{
	(void)opt, (void)v;
	cli->filter.read_only = 1;
	return 0;
}

static int opt_json(struct cli *cli, const char *opt, const char *v)
{
	(void)opt, (void)v;
	cli->json = 1;
	return 0;
}

static int opt_jsonl(struct cli *cli, const char *opt, const char *v)
{
	(void)opt, (void)v;
	cli->json = 1;
	cli->jsonl = 1;
	return 0;
}

static int opt_dry_run(struct cli *cli, const char *opt, const char *v)
{
	(void)opt, (void)v;
	cli->dry_run = 1;
	return 0;
}

static int opt_as(struct cli *cli, const char *opt, const char *v)
{
	struct err e;
	err_init(&e);
	if (store_check_principal(v, opt, &e) < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		return -1;
	}
	cli->as = v;
	return 0;
}

static int opt_group(struct cli *cli, const char *opt, const char *v)
{
	struct err e;
	err_init(&e);
	if (store_check_principal(v, opt, &e) < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		return -1;
	}
	if (!cli->groups)
		cli->groups = json_array();
	json_array_append_new(cli->groups, json_string(v));
	return 0;
}

static int set_strv(char ***dst, const char *v)
{
	tools_strv_free(*dst);
	*dst = tools_strv_split(v);
	return 0;
}

static int opt_connectors(struct cli *cli, const char *opt, const char *v)
{
	(void)opt;
	return set_strv(&cli->filter.connectors, v);
}

static int opt_tools(struct cli *cli, const char *opt, const char *v)
{
	(void)opt;
	return set_strv(&cli->filter.include, v);
}

static int opt_exclude(struct cli *cli, const char *opt, const char *v)
{
	(void)opt;
	return set_strv(&cli->filter.exclude, v);
}

static int opt_mode(struct cli *cli, const char *opt, const char *v)
{
	(void)opt;
	static const struct {
		const char *name;
		enum tools_mode mode;
	} modes[] = {{"auto", TOOLS_AUTO}, {"static", TOOLS_STATIC}, {"discover", TOOLS_DISCOVER}};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(v, modes[i].name) == 0) {
			cli->filter.mode = modes[i].mode;
			return 0;
		}
	}
	fprintf(stderr, "switchboard: --mode takes auto, static or discover\n");
	return -1;
}

static int opt_max_tools(struct cli *cli, const char *opt, const char *v)
{
	long n;
	if (parse_int_opt(opt, v, 1, &n) < 0)
		return -1;
	cli->filter.max_tools = (int)n;
	return 0;
}

static int opt_page_size(struct cli *cli, const char *opt, const char *v)
{
	long n;
	(void)cli;
	if (parse_int_opt(opt, v, 1, &n) < 0)
		return -1;
	serve_only.page_size = (int)n;
	return 0;
}

static int opt_max_message(struct cli *cli, const char *opt, const char *v)
{
	long n;
	(void)cli;
	if (parse_int_opt(opt, v, 1, &n) < 0)
		return -1;
	serve_only.max_message = (size_t)n;
	return 0;
}

static int opt_log_level(struct cli *cli, const char *opt, const char *v)
{
	(void)cli, (void)opt;
	int l = log_parse_level(v);
	if (l < 0) {
		fprintf(stderr, "switchboard: unknown log level '%s'\n", v);
		return -1;
	}
	log_set_level((enum log_level)l);
	return 0;
}

static const struct option {
	const char *name;
	int takes_value;
	int (*apply)(struct cli *cli, const char *opt, const char *value);
} options[] = {
	{"--capabilities", 1, opt_capabilities},
	{"--store", 1, opt_store},
	{"--all", 0, opt_all},
	{"--read-only", 0, opt_read_only},
	{"--json", 0, opt_json},
	{"--jsonl", 0, opt_jsonl},
	{"--dry-run", 0, opt_dry_run},
	{"--connectors", 1, opt_connectors},
	{"--tools", 1, opt_tools},
	{"--exclude", 1, opt_exclude},
	{"--mode", 1, opt_mode},
	{"--max-tools", 1, opt_max_tools},
	{"--page-size", 1, opt_page_size},
	{"--max-message-bytes", 1, opt_max_message},
	{"--log-level", 1, opt_log_level},
	{"--as", 1, opt_as},
	{"--group", 1, opt_group},
};

static const struct option *option_find(const char *name)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (strcmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

/* Global options may appear anywhere; what is left are the command and its
 * own arguments, compacted into argv. Returns the new argc or -1. */
static int parse_options(struct cli *cli, int argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				argv[out++] = argv[i];
			break;
		}
		const struct option *o = option_find(a);
		if (o) {
			if (o->takes_value && need_value(i, argc, argv) < 0)
				return -1;
			if (o->apply(cli, a, o->takes_value ? argv[++i] : NULL) < 0)
				return -1;
		} else if (a[0] == '-' && a[1] == '-' && out == 0 && strcmp(a, "--help") != 0 &&
			   strcmp(a, "--version") != 0) {
			fprintf(stderr, "switchboard: unknown option '%s'\n", a);
			struct cli_closest c;
			cli_closest_init(&c, a);
			for (size_t k = 0; k < sizeof(options) / sizeof(options[0]); k++)
				cli_closest_add(&c, options[k].name);
			cli_closest_hint(&c);
			cli_closest_release(&c);
			return -1;
		} else {
			argv[out++] = argv[i];
		}
	}
	return out;
}

/* ---- commands: one table ---- */

/* The server's options from the global ones. The filter's lists stay the
 * CLI's (main frees them). */
static struct mcp_options serve_options(const struct cli *cli)
{
	struct mcp_options o = {
		.filter = cli->filter,
		.max_message = serve_only.max_message,
		.page_size = serve_only.page_size,
		.capability_dirs = cli->cap_dirs,
		.store_path = cli->store_path,
		.exec = cli->exec,
	};
	return o;
}

/* "ADDR:PORT", "[V6]:PORT" or ":PORT" (loopback) into o; 0 or -1. */
static int parse_listen(const char *v, struct mcp_http_options *o, char **addr)
{
	const char *colon = v[0] == '[' ? strstr(v, "]:") : strrchr(v, ':');
	long port;
	if (!colon || parse_long(colon + (v[0] == '[' ? 2 : 1), &port) < 0 || port < 0 ||
	    port > 65535) {
		fprintf(stderr,
			"switchboard: --http takes ADDR:PORT (e.g. 127.0.0.1:8080, "
			"[::1]:8080 or :8080 for loopback), got '%s'\n",
			v);
		return -1;
	}
	*addr = v[0] == '['  ? xstrndup(v + 1, (size_t)(colon - v - 1))
		: colon == v ? xstrdup("127.0.0.1")
			     : xstrndup(v, (size_t)(colon - v));
	o->addr = *addr;
	o->port = (int)port;
	return 0;
}

static void strv_push(char ***list, size_t *n, const char *v)
{
	*list = xrealloc(*list, (*n + 2) * sizeof(char *));
	(*list)[(*n)++] = (char *)v;
	(*list)[*n] = NULL;
}

/* The transport's authenticator hook over the resource server (rs.c). */
static int http_authenticate(const char *authorization, struct caller **caller, char **challenge,
			     void *ctx)
{
	struct rs_verdict v;
	int st = 0;

	rs_authenticate(ctx, authorization, &v);
	if (v.status == 200) {
		log_info("http: a request of '%s' (%s)", v.caller->subject, v.reason);
		*caller = v.caller;
		v.caller = NULL;
	} else {
		log_info("http: a request refused with %d: %s", v.status, v.reason);
		*challenge = v.www_authenticate;
		v.www_authenticate = NULL;
		st = v.status;
	}
	rs_verdict_release(&v);
	return st;
}

/* RFC 9728's document at the root well-known path and at the one followed
 * by the resource's path. */
static json_t *http_resource_metadata(const char *path, void *ctx)
{
	if (strcmp(path, "/.well-known/oauth-protected-resource") == 0 ||
	    strcmp(path, rs_metadata_path(ctx)) == 0)
		return rs_metadata(ctx);
	return NULL;
}

/* This server's URI when the auth configuration names none: what it
 * listens on, which is right only without a proxy in front. */
static char *http_default_resource(const struct mcp_http_options *o)
{
	if (o->port == 0)
		return NULL;
	return xasprintf(strchr(o->addr, ':') ? "http://[%s]:%d%s" : "http://%s:%d%s", o->addr,
			 o->port, o->path);
}

/* serve --http ADDR:PORT [--path P] [--allow-origin O]... [--allow-host H]...
 * [--keepalive S] [--request-timeout S] [--port-file F] [--auth-config FILE]:
 * Streamable HTTP instead of stdio. */
static int serve_http(struct cli *cli, int argc, char **argv)
{
	struct mcp_http_options o = {.path = "/mcp"};
	struct mcp_auth auth = {http_authenticate, http_resource_metadata, NULL};
	const char *auth_config = NULL;
	struct rs *rs = NULL;
	char *addr = NULL;
	size_t norigins = 0, nhosts = 0;
	int rc = 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		long n;
		if (i + 1 >= argc) {
			fprintf(stderr, "switchboard: serve: '%s' needs a value\n", a);
			goto out;
		}
		const char *v = argv[++i];
		if (strcmp(a, "--http") == 0) {
			free(addr);
			if (parse_listen(v, &o, &addr) < 0)
				goto out;
		} else if (strcmp(a, "--path") == 0 && v[0] == '/') {
			o.path = v;
		} else if (strcmp(a, "--allow-origin") == 0) {
			strv_push(&o.allow_origins, &norigins, v);
		} else if (strcmp(a, "--allow-host") == 0) {
			strv_push(&o.allow_hosts, &nhosts, v);
		} else if (strcmp(a, "--auth-config") == 0) {
			auth_config = v;
		} else if (strcmp(a, "--keepalive") == 0) {
			if (parse_int_opt(a, v, 1, &n) < 0)
				goto out;
			o.keepalive_s = (int)n;
		} else if (strcmp(a, "--port-file") == 0) {
			o.port_file = v;
		} else if (strcmp(a, "--request-timeout") == 0) {
			if (parse_int_opt(a, v, 1, &n) < 0)
				goto out;
			o.request_timeout_s = (int)n;
		} else {
			fprintf(stderr, "switchboard: serve: unknown argument '%s'%s\n", a,
				strcmp(a, "--path") == 0 ? " (a path starts with /)" : "");
			cli_help_suggest("serve", a);
			goto out;
		}
	}
	if (!addr) {
		fprintf(stderr, "switchboard: serve: --http ADDR:PORT is needed with these "
				"arguments\n");
		goto out;
	}
	/* Without --auth-config nobody is authenticated, and mcp_serve_http
	 * refuses any address but loopback. */
	if (auth_config) {
		struct err err;
		char *resource = http_default_resource(&o);
		err_init(&err);
		rs = rs_load(auth_config, resource, &err);
		free(resource);
		if (!rs) {
			fprintf(stderr, "switchboard: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		auth.ctx = rs;
		o.auth = &auth;
		log_info("http: callers are authenticated for %s (metadata: %s)", rs_resource(rs),
			 rs_metadata_url(rs));
	}
	struct mcp_options mo = serve_options(cli);
	rc = mcp_serve_http(&mo, &o);
out:
	rs_free(rs);
	free(addr);
	free(o.allow_origins);
	free(o.allow_hosts);
	return rc;
}

static int cmd_serve(struct cli *cli, int argc, char **argv)
{
	/* --builder: the connector builder's meta-tools (they write connector
	 * files), over stdio or HTTP. */
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--builder") == 0)
			cli->filter.builder = 1;
		else
			argv[n++] = argv[i];
	}
	argc = n;
	if (argc > 0 && strncmp(argv[0], "--", 2) == 0)
		return serve_http(cli, argc, argv);
	if (argc > 0) {
		fprintf(stderr, "switchboard: serve takes no arguments, got '%s'\n", argv[0]);
		cli_help_suggest(NULL, argv[0]);
		return 2;
	}
	/* A person who typed the command sees a silent program: say what it
	 * waits for. Not a byte on stdout, which is the protocol. */
	if (isatty(STDIN_FILENO))
		fprintf(stderr,
			"switchboard: this is an MCP server waiting for a client's messages on "
			"stdin (Ctrl-D quits); add it to a client, e.g. 'claude mcp add "
			"switchboard -- switchboard serve', or see 'switchboard --help'\n");
	struct mcp_options mo = serve_options(cli);
	return mcp_serve(&mo);
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc == 1 && strcmp(argv[0], "--commands") == 0) {
		cli_help_list();
		return 0;
	}
	return cli_help_print(argc, argv);
}

static int cmd_completion(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	return completion_print(argc, argv);
}

static int cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	cli_print("switchboard %s\n", SB_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
} commands[] = {
	{"serve", cmd_serve},
	{"tools", cli_tools},
	{"call", cli_call},
	{"connectors", cli_connectors},
	{"check", cli_check},
	{"connections", cli_connections},
	{"key", cli_key},
	{"auth", cli_auth},
	{"oauth-app", cli_oauth_app},
	{"connect", cli_connect},
	{"coverage", cli_coverage},
	{"ui", cli_ui},
	{"webhooks", cli_webhooks},
	{"events", cli_events},
	{"audit", cli_audit},
	{"completion", cmd_completion},
	{"help", cmd_help},
	{"version", cmd_version},
	{"--version", cmd_version},
	{"--help", cmd_help},
	{"-h", cmd_help},
};

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Does a word of the command's arguments ask for help? */
static int wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
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
	if (cli.as)
		cli.who = tenancy_caller_new(cli.as, cli.groups);
	const char *name = n > 0 ? args[0] : "serve";
	const struct command *cmd = command_find(name);
	if (!cmd) {
		fprintf(stderr, "switchboard: unknown command '%s'\n", name);
		cli_help_suggest(NULL, name);
		fputs("try: switchboard --help\n", stderr);
	} else if (n > 1 && cmd->run != cmd_help && wants_help(n - 1, args + 1)) {
		/* COMMAND [SUBCOMMAND] ... --help: that help, and nothing run. */
		ret = cli_help_print(n, args);
	} else if (n > 1 && args[1][0] != '-' && strcmp(args[1], "help") != 0 &&
		   cli_help_has_subs(name) && !cli_help_known(name, args[1])) {
		fprintf(stderr, "switchboard: unknown %s command '%s'\n", name, args[1]);
		cli_help_suggest(name, args[1]);
		fprintf(stderr, "try: switchboard %s --help\n", name);
	} else {
		ret = cmd->run(&cli, n > 0 ? n - 1 : 0, args + 1);
	}
out:
	tools_strv_free(cli.filter.connectors);
	tools_strv_free(cli.filter.include);
	tools_strv_free(cli.filter.exclude);
	free(cli.cap_dirs);
	tenancy_caller_free(cli.who);
	json_decref(cli.groups);
	http_global_cleanup();
	log_reset();
	return ret;
}
