/* cli.c - the subcommands that are not serve: tools, call, connectors, check.
 * Their output goes to stdout; nothing here runs while MCP is served. */
#include "cli.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_help.h"
#include "connect_page.h"
#include "connector.h"
#include "conns.h"
#include "log.h"
#include "result.h"
#include "schema.h"
#include "tenancy.h"
#include "store.h"

/* call's result and a connector's summary: for people first. */
static void print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	cli_print("%s\n", s);
	free(s);
}

const struct connector *cli_find_connector(const struct registry *r, const char *slug)
{
	const struct connector *c = registry_find(r, slug);
	if (c)
		return c;
	fprintf(stderr, "switchboard: no connector '%s'; see: switchboard connectors\n", slug);
	struct cli_closest near;
	cli_closest_init(&near, slug);
	for (size_t i = 0; i < registry_count(r); i++)
		cli_closest_add(&near, registry_at(r, i)->slug);
	cli_closest_hint(&near);
	cli_closest_release(&near);
	return NULL;
}

static void report(const char *msg, void *ctx)
{
	int *failed = ctx;
	fprintf(stderr, "%s\n", msg);
	if (failed)
		(*failed)++;
}

struct registry *cli_registry(struct cli *cli)
{
	struct registry *r = registry_new();
	registry_load_default(r, cli->cap_dirs, report, NULL);
	char *hint = registry_empty_hint(r);
	if (hint)
		fprintf(stderr, "switchboard: %s\n", hint);
	free(hint);
	return r;
}

const char *cli_user_name(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && *pw->pw_name)
		return pw->pw_name;
	const char *u = getenv("USER");
	return u && *u ? u : NULL;
}

const char *cli_opt_value(int *i, int argc, char **argv)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "switchboard: option '%s' needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

struct sync_call {
	struct call_result *result;
};

static void sync_done(struct call_result *result, void *ctx)
{
	((struct sync_call *)ctx)->result = result;
}

struct call_result *cli_run_call(struct cli *cli, struct store *st,
				 const struct exec_target *target, json_t *args, struct err *err)
{
	struct exec_env env = cli->exec;
	struct sync_call sc = {0};
	env.store = st;
	env.http = http_new(err);
	if (!env.http)
		return NULL;
	exec_start(&env, cli->who, target, args, sync_done, NULL, &sc);
	while (!sc.result) {
		int jobs = exec_poll(&env);
		if (sc.result || (http_pending(env.http) == 0 && jobs == 0))
			break;
		if (http_wait(env.http, -1, 1000, NULL) < 0)
			break;
	}
	exec_shutdown();
	http_free(env.http);
	if (!sc.result)
		err_set(err, "the call did not finish");
	return sc.result;
}

/* The toolset serve would build; store may be NULL. */
static struct toolset *build(struct cli *cli, struct registry *r, struct store *st)
{
	struct err e;
	err_init(&e);
	cli->filter.connect = connect_useful(st, r, cli->filter.connectors);
	/* --as: the tools that principal sees over HTTP. */
	struct conns_view view = {st, cli->who};
	struct tools_filter f = cli->filter;
	if (cli->who)
		f.connect = 0;
	struct toolset *ts = tools_build(r, &f, conns_names_as, &view, &e);
	if (!ts)
		fprintf(stderr, "switchboard: %s\n", e.msg);
	return ts;
}

static struct store *open_store_quiet(struct cli *cli)
{
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	if (!st)
		log_warn("%s", e.msg);
	return st;
}

int cli_tools(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "usage: switchboard tools [--json] [filters]\n");
		return 2;
	}
	struct registry *r = cli_registry(cli);
	struct store *st = open_store_quiet(cli);
	struct toolset *ts = build(cli, r, st);
	int ret = 1;
	if (!ts || registry_count(r) == 0)
		goto out;
	if (cli->json) {
		json_t *list = json_array();
		for (size_t i = 0; i < tools_visible_count(ts); i++)
			json_array_append(list, tools_listed(tools_visible_at(ts, i)));
		cli_print_json(list);
		json_decref(list);
	} else {
		for (size_t i = 0; i < tools_visible_count(ts); i++) {
			const struct tool *t = tools_visible_at(ts, i);
			int read_only, destructive;
			tools_safety(t, &read_only, &destructive);
			/* danger: cannot be undone (a delete, a refund, a send). */
			const char *mark = read_only ? "read" : destructive ? "danger" : "write";
			cli_print("%-44s %-6s %s\n", t->name, mark,
				  json_string_value(json_object_get(tools_def(t), "title")));
		}
		fprintf(stderr, "%zu tools%s (%zu generated)\n", tools_visible_count(ts),
			ts->discover ? " in discovery mode" : "", ts->n);
		if (ts->n == 0 && !cli->filter.all)
			fprintf(stderr, "no connector has a connection yet: add one with "
					"'switchboard connections add SLUG', set its environment "
					"variables, or pass --all to see every tool\n");
	}
	ret = 0;
out:
	tools_free(ts);
	store_free(st);
	registry_free(r);
	return ret;
}

int cli_call(struct cli *cli, int argc, char **argv)
{
	if (argc < 1 || argc > 2) {
		fprintf(stderr, "usage: switchboard call TOOL [ARGS_JSON] [--dry-run]\n");
		return 2;
	}
	int ret = 1;
	json_t *args = NULL;
	struct registry *r = cli_registry(cli);
	struct store *st = open_store_quiet(cli);
	struct toolset *ts = NULL;
	struct err e;
	err_init(&e);
	json_error_t je;
	args = argc == 2 ? json_loads(argv[1], 0, &je) : json_object();
	if (!json_is_object(args)) {
		fprintf(stderr, "switchboard: ARGS_JSON must be a JSON object%s%s\n",
			args ? "" : ": ", args ? "" : je.text);
		ret = 2;
		goto out;
	}
	/* Any tool is callable from the shell, connection or not: the call
	 * itself says what is missing. */
	cli->filter.all = 1;
	cli->filter.mode = TOOLS_STATIC;
	ts = build(cli, r, st);
	if (!ts)
		goto out;
	const struct tool *t = tools_find(ts, argv[0]);
	if (!t) {
		fprintf(stderr, "switchboard: unknown tool '%s'; see: switchboard tools --all\n",
			argv[0]);
		struct cli_closest near;
		cli_closest_init(&near, argv[0]);
		for (size_t i = 0; i < ts->n; i++)
			cli_closest_add(&near, ts->tools[i].name);
		cli_closest_hint(&near);
		cli_closest_release(&near);
		goto out;
	}
	/* --as naming someone else's connection: refused as serve --http would
	 * (the answer an unknown name gets), and said in the log. */
	const char *conn_arg = json_string_value(json_object_get(args, "connection"));
	if (cli->who && conns_check(st, t->connector, conn_arg, cli->who) < 0)
		tenancy_log_refusal(cli->who, t->connector->slug, conn_arg);
	if (schema_validate(tools_input(t), args, &e) < 0) {
		fprintf(stderr, "switchboard: invalid arguments for %s: %s\n", t->name, e.msg);
		goto out;
	}
	if (cli->dry_run) {
		struct exec_env env = cli->exec;
		env.store = st;
		env.http = http_new(&e);
		struct exec_target target = tools_target(t);
		json_t *req = env.http ? exec_dry_run(&env, cli->who, &target, args, &e) : NULL;
		http_free(env.http);
		if (req) {
			print_json(req);
			json_decref(req);
			ret = 0;
		} else {
			fprintf(stderr, "switchboard: %s\n", e.msg);
		}
		goto out;
	}
	struct exec_target target = tools_target(t);
	struct call_result *result = cli_run_call(cli, st, &target, args, &e);
	if (!result) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	if (result->error) {
		char *text = call_result_error_text(result);
		cli_print("%s\n", text);
		free(text);
	} else {
		print_json(result->data);
	}
	ret = result->error ? 1 : 0;
	call_result_free(result);
out:
	json_decref(args);
	tools_free(ts);
	store_free(st);
	registry_free(r);
	return ret;
}

/* What a connector's card says: where it comes from, and its connections. */
struct card {
	const char *source; /* "built-in", "personal" (the user's folder) or "public" */
	size_t connections; /* stored ones, and the environment's */
	size_t reconnect;   /* of those, how many need reconnecting */
	const char *next;   /* with none: the command that adds one */
};

static int in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static void card_fill(struct card *k, struct store *st, const struct connector *c)
{
	char *builtin = xasprintf("%s/capabilities", registry_datadir());
	char *udir = registry_user_dir();
	k->source = in_dir(c->path, builtin) ? "built-in"
		    : in_dir(c->path, udir)  ? "personal"
					     : "public";
	free(builtin);
	free(udir);
	struct connection **list = NULL, *env = conns_from_env(c);
	k->connections = env ? 1 : 0;
	k->reconnect = 0;
	connection_free(env);
	if (st && store_list_connections(st, c->slug, &list, NULL) == 0)
		for (size_t i = 0; list && list[i]; i++) {
			k->connections++;
			k->reconnect += list[i]->status && strcmp(list[i]->status, "ok") != 0;
		}
	connections_free(list);
	const struct auth_method *def = connector_auth_method(c, NULL);
	k->next = k->connections                     ? NULL
		  : strcmp(def->type, "oauth2") == 0 ? "connect"
						     : "connections add";
}

/* The card's fields, added to obj (changed in place). */
static void card_json(json_t *obj, const struct card *k)
{
	json_object_set_new(obj, "source", json_string(k->source));
	json_object_set_new(obj, "connections",
			    json_pack("{s:I, s:I, s:s*}", "count", (json_int_t)k->connections,
				      "needs_reconnect", (json_int_t)k->reconnect, "next",
				      k->next));
}

static json_t *connector_summary(const struct connector *c, struct store *st)
{
	json_t *entities = json_object();
	for (size_t e = 0; c->model && e < c->model->n_entities; e++) {
		const struct entity_spec *es = &c->model->entities[e];
		json_t *actions = json_array(), *events = json_array();
		for (size_t i = 0; i < es->n_actions; i++)
			json_array_append_new(actions, json_string(es->actions[i].name));
		for (size_t i = 0; i < es->n_events; i++)
			json_array_append_new(events, json_string(es->events[i].name));
		json_object_set_new(entities, es->name,
				    json_pack("{s:o, s:o}", "actions", actions, "events", events));
	}
	const struct connector_info *info = c->info;
	json_t *s = json_pack("{s:s, s:s, s:s, s:s, s:s}", "slug", c->slug, "name", info->name,
			      "category", info->category, "description", info->description, "auth",
			      c->auth->default_type);
	struct card k;
	card_fill(&k, st, c);
	card_json(s, &k);
	if (info->created_by)
		json_object_set_new(s, "created_by", json_string(info->created_by));
	json_object_set_new(s, "entities", entities);
	return s;
}

/* One line of the list: slug first (shell completion cuts it), narrow. */
static void card_print(const struct connector *c, const struct card *k)
{
	char state[64];
	if (!k->connections)
		snprintf(state, sizeof(state), "none: %s", k->next);
	else if (k->reconnect)
		snprintf(state, sizeof(state), "%zu, %zu to reconnect", k->connections,
			 k->reconnect);
	else
		snprintf(state, sizeof(state), "%zu connected", k->connections);
	const char *by = c->info->created_by;
	cli_print("%-12s %-9s %-8s %-22s %s%s%s%s\n", c->slug,
		  strcmp(k->source, "personal") == 0 ? "PERSONAL" : k->source,
		  c->auth->default_type, state, c->info->name, by ? " (by " : "", by ? by : "",
		  by ? ")" : "");
}

/* Does the connector have entity E with action A and event EV (each optional)? */
static int connector_can(const struct connector *c, const char *entity, const char *action,
			 const char *event)
{
	const struct entity_spec *es = connector_entity(c, entity);
	if (!es)
		return 0;
	if (action && !entity_action(es, action))
		return 0;
	if (event && !entity_event(es, event))
		return 0;
	return 1;
}

int cli_connectors(struct cli *cli, int argc, char **argv)
{
	const char *slug = NULL, *entity = NULL, *action = NULL, *event = NULL;
	if (argc > 0 && strcmp(argv[0], "import") == 0)
		return cli_import(cli, argc - 1, argv + 1);
	if (argc > 0 && strcmp(argv[0], "create") == 0)
		return cli_connectors_create(cli, argc - 1, argv + 1);
	if (argc > 0 && strcmp(argv[0], "edit") == 0)
		return cli_connectors_edit(cli, argc - 1, argv + 1);
	if (argc > 0 && strcmp(argv[0], "test") == 0)
		return cli_conntest(cli, argc - 1, argv + 1);
	for (int i = 0; i < argc; i++) {
		const char **dst = strcmp(argv[i], "--entity") == 0   ? &entity
				   : strcmp(argv[i], "--action") == 0 ? &action
				   : strcmp(argv[i], "--event") == 0  ? &event
								      : NULL;
		if (dst && i + 1 < argc)
			*dst = argv[++i];
		else if (!dst && !slug && argv[i][0] != '-')
			slug = argv[i];
		else {
			fprintf(stderr, "usage: switchboard connectors [--json] [SLUG | --entity E "
					"[--action A] [--event EV]]\n");
			return 2;
		}
	}
	if ((action || event) && !entity) {
		fprintf(stderr, "switchboard: --action and --event go with --entity\n");
		return 2;
	}
	struct registry *r = cli_registry(cli);
	struct store *st = open_store_quiet(cli);
	int ret = registry_count(r) > 0 ? 0 : 1;
	struct card k;
	if (slug) {
		const struct connector *c = cli_find_connector(r, slug);
		if (!c) {
			ret = 1;
		} else if (cli->json) {
			cli_print_json(c->doc);
		} else {
			json_t *s = connector_summary(c, st);
			print_json(s);
			json_decref(s);
		}
		goto out;
	}
	json_t *list = json_array();
	size_t matched = 0;
	if (!cli->json && isatty(STDOUT_FILENO) && registry_count(r))
		cli_print("%-12s %-9s %-8s %-22s %s\n", "SLUG", "SOURCE", "AUTH", "CONNECTIONS",
			  "NAME");
	for (size_t i = 0; i < registry_count(r); i++) {
		const struct connector *c = registry_at(r, i);
		if (entity && !connector_can(c, entity, action, event))
			continue;
		matched++;
		card_fill(&k, st, c);
		if (cli->json) {
			/* A shallow copy: the card's keys are added beside the file's. */
			json_t *doc = json_copy(c->doc);
			card_json(doc, &k);
			json_array_append_new(list, doc);
		} else {
			card_print(c, &k);
		}
	}
	if (cli->json)
		cli_print_json(list);
	if (entity && matched == 0)
		fprintf(stderr, "no connector has that\n");
	json_decref(list);
out:
	store_free(st);
	registry_free(r);
	return ret;
}

static int check_path(struct registry *r, const char *path, int *failed)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		(*failed)++;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		int n = registry_load_dir(r, path, 0, report, failed);
		return n == 0 ? 0 : -1;
	}
	struct err e;
	err_init(&e);
	if (registry_load_file(r, path, &e) < 0) {
		report(e.msg, failed);
		return -1;
	}
	return 0;
}

int cli_check(struct cli *cli, int argc, char **argv)
{
	int failed = 0;
	struct registry *r = registry_new();
	if (argc == 0) {
		registry_load_default(r, cli->cap_dirs, report, &failed);
	} else {
		for (int i = 0; i < argc; i++)
			check_path(r, argv[i], &failed);
	}
	/* Tool names must be unique across the whole registry. */
	struct tools_filter all = {.all = 1, .mode = TOOLS_STATIC};
	struct err e;
	err_init(&e);
	struct toolset *ts = tools_build(r, &all, NULL, NULL, &e);
	if (!ts) {
		fprintf(stderr, "%s\n", e.msg);
		failed++;
	}
	/* Valid (a connector just created has none), but worth a word. */
	for (size_t i = 0; i < registry_count(r); i++) {
		const struct connector *c = registry_at(r, i);
		if (c->model->n_entities == 0)
			fprintf(stderr,
				"%s: connector '%s' has no entities yet, so no tools; add them "
				"with: "
				"switchboard connectors edit %s, or import them from its API spec: "
				"switchboard connectors import SPEC --merge %s --out %s\n",
				c->path, c->slug, c->slug, c->path, c->path);
	}
	if (!failed)
		cli_print("ok: %zu connectors, %zu tools\n", registry_count(r), ts ? ts->n : 0);
	tools_free(ts);
	registry_free(r);
	return failed ? 1 : 0;
}
