/* cli_connections.c - the connections and key commands: add, list, show,
 * edit, remove, rename, set the default and test stored connections, and
 * rotate the store's key. The fields of add and edit (stdin, files, hidden
 * prompts, never argv) are cli_fields.c's; secrets are never printed. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_fields.h"
#include "cli_help.h"
#include "connector.h"
#include "conns.h"
#include "log.h"
#include "result.h"
#include "store.h"

#define DEFAULT_NAME "main"

/* Parsed arguments of one subcommand: pos and the strings point into argv;
 * fields holds copies of the repeated options' values. */
struct opts {
	const char *pos[3];
	int npos;
	const char *name, *auth, *connector, *confirm, *owner;
	int keep_grant, force, no_test;
	struct cli_fields_args fields;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("switchboard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

/* ---- arguments ---- */

/* Which options each subcommand takes, and how many positional words. */
static const struct subcommand {
	const char *name;
	const char *flags; /* letters: n name, a auth, c connector, s set, u unset, S secret, I
			      stdin, k keep-grant, f force, T no-test, C confirm, o owner */
	int npos;
	const char *synopsis;
} subcommands[] = {
	{"list", "co", 0, "list [--connector SLUG] [--owner PRINCIPAL] [--json]"},
	{"show", "", 1, "show NAME [--json]"},
	{"add", "nasSITo", 1,
	 "add SLUG [--name NAME] [--auth METHOD] [--set FIELD=VALUE]... [--secret-stdin] "
	 "[--secret FIELD=@FILE]... [--no-test] [--owner PRINCIPAL]"},
	{"edit", "suSIC", 1,
	 "edit NAME [--set FIELD=VALUE]... [--unset FIELD]... [--secret-stdin] "
	 "[--secret FIELD=@FILE]... [--confirm never|destructive|writes]"},
	{"remove", "kf", 1, "remove NAME [--keep-grant] [--force]"},
	{"rename", "", 2, "rename NAME NEW"},
	{"default", "", 1, "default NAME"},
	{"test", "", 1, "test NAME [--json]"},
	{"grant", "", 1, "grant NAME --group G... (share it with the principals in G)"},
	{"revoke", "", 1, "revoke NAME --group G... (stop sharing it with G)"},
};

static void opts_release(struct opts *o)
{
	cli_fields_args_release(&o->fields);
}

/* 0, or 2 after printing the subcommand's usage. */
static int opts_parse(const struct subcommand *sc, int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	cli_fields_args_init(&o->fields);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		char flag = strcmp(a, "--name") == 0           ? 'n'
			    : strcmp(a, "--auth") == 0         ? 'a'
			    : strcmp(a, "--connector") == 0    ? 'c'
			    : strcmp(a, "--set") == 0          ? 's'
			    : strcmp(a, "--unset") == 0        ? 'u'
			    : strcmp(a, "--secret") == 0       ? 'S'
			    : strcmp(a, "--secret-stdin") == 0 ? 'I'
			    : strcmp(a, "--keep-grant") == 0   ? 'k'
			    : strcmp(a, "--force") == 0        ? 'f'
			    : strcmp(a, "--no-test") == 0      ? 'T'
			    : strcmp(a, "--confirm") == 0      ? 'C'
			    : strcmp(a, "--owner") == 0        ? 'o'
							       : 0;
		if (!flag && a[0] == '-' && a[1]) {
			fail("connections %s: unknown option '%s'", sc->name, a);
			goto usage;
		}
		if (!flag) {
			if (o->npos == sc->npos)
				goto usage;
			o->pos[o->npos++] = a;
			continue;
		}
		if (!strchr(sc->flags, flag)) {
			fail("connections %s does not take %s", sc->name, a);
			goto usage;
		}
		if (flag == 'I' || flag == 'k' || flag == 'f' || flag == 'T') {
			*(flag == 'I'   ? &o->fields.secret_stdin
			  : flag == 'k' ? &o->keep_grant
			  : flag == 'f' ? &o->force
					: &o->no_test) = 1;
			continue;
		}
		const char *v = cli_opt_value(&i, argc, argv);
		if (!v)
			goto usage;
		if (flag == 'n')
			o->name = v;
		else if (flag == 'a')
			o->auth = v;
		else if (flag == 'c')
			o->connector = v;
		else if (flag == 'o')
			o->owner = v;
		else if (flag == 'C' && conns_confirm_parse(v, &(enum conns_confirm){0}) < 0) {
			fail("--confirm takes never, destructive or writes, not '%s'", v);
			goto usage;
		} else if (flag == 'C')
			o->confirm = v;
		else
			json_array_append_new(flag == 's'   ? o->fields.set
					      : flag == 'u' ? o->fields.unset
							    : o->fields.secret,
					      json_string(v));
	}
	if (o->npos == sc->npos)
		return 0;
usage:
	fprintf(stderr, "usage: switchboard connections %s\n", sc->synopsis);
	return 2;
}

/* ---- showing ---- */

static json_t *time_json(long long t)
{
	return t ? json_integer(t) : json_null();
}

static void time_text(long long t, char *out, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, n, "never");
}

/* A connection without secrets, as the JSON of list and show. New. */
static json_t *conn_json(const struct connection *c)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "id", (json_int_t)c->id,
			      "connector", c->connector, "name", c->name, "auth", c->auth, "source",
			      "store", "default", c->is_default, "status", c->status);
	json_object_set_new(j, "last_error",
			    c->last_error ? json_string(c->last_error) : json_null());
	json_object_set_new(j, "created_at", time_json(c->created_at));
	json_object_set_new(j, "last_used_at", time_json(c->last_used_at));
	/* Tenancy, when in use: the local user's connections read as before. */
	if (c->owner)
		json_object_set_new(j, "owner", json_string(c->owner));
	if (json_array_size(c->grants))
		json_object_set(j, "grants", c->grants);
	return j;
}

static struct store *open_store(struct cli *cli)
{
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	if (!st)
		fail("%s", e.msg);
	return st;
}

/* Say "did you mean" for a connection name that matched none: among the
 * names, and CONNECTOR/NAME, of the stored connections. */
static void suggest_conn(struct store *st, const char *name)
{
	struct connection **list = NULL;
	struct err e;
	err_init(&e);
	if (store_list_connections(st, NULL, &list, &e) < 0)
		return;
	struct cli_closest near;
	cli_closest_init(&near, name);
	for (size_t i = 0; list[i]; i++) {
		char *full = xasprintf("%s/%s", list[i]->connector, list[i]->name);
		cli_closest_add(&near, strchr(name, '/') ? full : list[i]->name);
		free(full);
	}
	cli_closest_hint(&near);
	cli_closest_release(&near);
	connections_free(list);
}

static struct connection *find_conn(struct store *st, const char *name, int with_secrets)
{
	struct err e;
	err_init(&e);
	struct connection *conn = store_get_connection(st, NULL, name, with_secrets, &e);
	if (!conn) {
		fail("%s", e.msg);
		if (strstr(e.msg, "no connection"))
			suggest_conn(st, name);
	}
	return conn;
}

static int cmd_list(struct cli *cli, struct store *st, const struct opts *o)
{
	struct connection **list = NULL;
	struct err e;
	err_init(&e);
	struct registry *r = cli_registry(cli);
	json_t *rows = json_array();
	int ret = 1;
	if (store_list_connections(st, o->connector, &list, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	int owners = 0;
	for (size_t i = 0; list[i]; i++) {
		if (o->owner && (!list[i]->owner || strcmp(list[i]->owner, o->owner) != 0))
			continue;
		owners |= list[i]->owner || json_array_size(list[i]->grants);
		json_array_append_new(rows, conn_json(list[i]));
	}
	/* The environment's connection of each connector, after its stored ones
	 * (it is the local user's: no owner). */
	for (size_t ci = 0; ci < registry_count(r) && !o->owner; ci++) {
		const struct connector *c = registry_at(r, ci);
		if (o->connector && strcmp(o->connector, c->slug) != 0)
			continue;
		struct connection *env = conns_from_env(c);
		if (!env)
			continue;
		size_t at = 0, stored = 0;
		for (; at < json_array_size(rows); at++) {
			int cmp = strcmp(json_string_value(json_object_get(json_array_get(rows, at),
									   "connector")),
					 c->slug);
			if (cmp > 0)
				break;
			stored += cmp == 0;
		}
		json_array_insert_new(rows, at,
				      json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "connector",
						c->slug, "name", "env", "auth", env->auth, "source",
						"env", "default", stored == 0, "status", "ok"));
		connection_free(env);
	}
	if (cli->json) {
		cli_print_json(rows);
	} else if (json_array_size(rows) == 0) {
		fprintf(stderr,
			"no connections%s%s yet: add one with 'switchboard connections add "
			"%s'\n",
			o->connector ? " for " : "", o->connector ? o->connector : "",
			o->connector ? o->connector : "SLUG");
	} else {
		size_t i;
		json_t *row;
		cli_print("  %-14s %-20s %-8s %-16s %s%s\n", "CONNECTOR", "NAME", "AUTH", "STATUS",
			  owners ? "OWNER        GRANTS      " : "", "LAST USED");
		json_array_foreach(rows, i, row) {
			char when[40];
			int env = strcmp(json_string_value(json_object_get(row, "source")),
					 "env") == 0;
			time_text(json_integer_value(json_object_get(row, "last_used_at")), when,
				  sizeof(when));
			char *tenancy = NULL;
			if (owners) {
				const char *owner =
					json_string_value(json_object_get(row, "owner"));
				json_t *g = json_object_get(row, "grants");
				char *groups = g ? json_dumps(g, JSON_COMPACT) : NULL;
				tenancy = xasprintf("%-12s %-12s ", owner ? owner : "-",
						    groups ? groups : "-");
				free(groups);
			}
			cli_print("%s %-14s %-20s %-8s %-16s %s%s\n",
				  json_is_true(json_object_get(row, "default")) ? "*" : " ",
				  json_string_value(json_object_get(row, "connector")),
				  json_string_value(json_object_get(row, "name")),
				  json_string_value(json_object_get(row, "auth")),
				  json_string_value(json_object_get(row, "status")),
				  tenancy ? tenancy : "", env ? "(from the environment)" : when);
			free(tenancy);
		}
	}
	ret = 0;
out:
	json_decref(rows);
	connections_free(list);
	registry_free(r);
	return ret;
}

static int cmd_show(struct cli *cli, struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	int ret = 1;
	struct connection *conn = store_get_connection(st, NULL, o->pos[0], 1, &e);
	if (!conn) {
		/* Without the key the rest can still be shown. */
		struct err e2;
		err_init(&e2);
		conn = store_get_connection(st, NULL, o->pos[0], 0, &e2);
		if (!conn) {
			fail("%s", e2.msg);
			if (strstr(e2.msg, "no connection"))
				suggest_conn(st, o->pos[0]);
			return 1;
		}
	}
	struct registry *r = cli_registry(cli);
	const struct connector *c = registry_find(r, conn->connector);
	const struct auth_method *m = c ? connector_auth_method(c, conn->auth) : NULL;
	struct cli_fields f;
	cli_fields_init(&f, c, m);
	json_t *secrets = cli_fields_secrets_set(&f, conn->secrets);
	const char *k;
	json_t *v;
	json_t *j = conn_json(conn);
	json_object_set(j, "config", conn->config);
	json_object_set(j, "secrets", conn->secrets ? secrets : json_null());
	if (cli->json) {
		cli_print_json(j);
	} else {
		char created[40], used[40];
		time_text(conn->created_at, created, sizeof(created));
		time_text(conn->last_used_at, used, sizeof(used));
		cli_print("%s/%s\n  id:          %lld\n  auth:        %s\n  default:     %s\n"
			  "  status:      %s\n",
			  conn->connector, conn->name, conn->id, conn->auth,
			  conn->is_default ? "yes" : "no", conn->status);
		if (conn->last_error)
			cli_print("  last error:  %s\n", conn->last_error);
		if (conn->owner)
			cli_print("  owner:       %s\n", conn->owner);
		if (json_array_size(conn->grants)) {
			char *g = json_dumps(conn->grants, JSON_COMPACT);
			cli_print("  granted to:  %s\n", g);
			free(g);
		}
		cli_print("  created:     %s\n  last used:   %s\n  config:      ", created, used);
		if (!json_object_size(conn->config))
			cli_print("(none)\n");
		size_t n = 0;
		json_object_foreach(conn->config, k, v) {
			char *text = json_is_string(v)
					     ? xstrdup(json_string_value(v))
					     : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			cli_print("%s%s = %s\n", n++ ? "               " : "", k, text);
			free(text);
		}
		cli_print("  secrets:     ");
		if (!conn->secrets)
			cli_print("(cannot be opened)\n");
		else if (!json_object_size(secrets))
			cli_print("(none)\n");
		n = 0;
		json_object_foreach(conn->secrets ? secrets : NULL, k, v)
			cli_print("%s%s (%s)", n++ ? ", " : "", k,
				  json_is_true(v) ? "set" : "not set");
		if (n)
			cli_print("\n");
	}
	if (!c)
		fprintf(stderr, "switchboard: note: connector '%s' is not in the registry\n",
			conn->connector);
	if (!conn->secrets)
		fail("%s", e.msg);
	else
		ret = 0;
	json_decref(j);
	json_decref(secrets);
	cli_fields_release(&f);
	registry_free(r);
	connection_free(conn);
	return ret;
}

/* ---- changing ---- */

/* grant and revoke: each --group (a global option) in turn. */
static int cmd_grant(struct cli *cli, struct store *st, const struct opts *o, int grant)
{
	struct err e;
	err_init(&e);
	if (!json_array_size(cli->groups)) {
		fail("connections %s needs --group G (one or more)", grant ? "grant" : "revoke");
		return 2;
	}
	struct connection *conn = find_conn(st, o->pos[0], 0);
	if (!conn)
		return 1;
	int ret = 0;
	size_t i;
	json_t *g;
	json_array_foreach(cli->groups, i, g) {
		const char *group = json_string_value(g);
		if ((grant ? store_grant_connection(st, conn->id, group, &e)
			   : store_revoke_connection(st, conn->id, group, &e)) < 0) {
			fail("%s", e.msg);
			ret = 1;
			break;
		}
		cli_print("%s %s/%s %s group %s\n", grant ? "granted" : "revoked", conn->connector,
			  conn->name, grant ? "to" : "from", group);
	}
	connection_free(conn);
	return ret;
}

static int test_named(struct cli *cli, struct store *st, const char *name);

/* After an add at a terminal: offer the test a person would run next
 * (Enter says yes). 1 to test, 0 not. */
static int offer_test(const struct connection *conn)
{
	char line[16];
	char *q =
		xasprintf("Test %s/%s now with a read call? [Y/n]: ", conn->connector, conn->name);
	int n = cli_fields_prompt(q, 0, line, sizeof(line));
	free(q);
	return n == 0 || (n > 0 && (line[0] == 'y' || line[0] == 'Y'));
}

static char *method_list(const struct connector *c)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; c->auth && i < c->auth->n_methods; i++)
		buf_addf(&b, "%s%s", b.len ? ", " : "", c->auth->methods[i].type);
	return buf_detach(&b);
}

static int cmd_add(struct cli *cli, struct store *st, const struct opts *o)
{
	struct registry *r = cli_registry(cli);
	struct connection *conn = NULL, *taken = NULL;
	struct cli_fields f = {0};
	char *name = NULL;
	struct err e;
	int ret = 1;
	err_init(&e);
	const struct connector *c = cli_find_connector(r, o->pos[0]);
	if (!c)
		goto out;
	const struct auth_method *m = connector_auth_method(c, o->auth);
	if (!m) {
		char *list = method_list(c);
		fail("%s has no auth method '%s'; it declares: %s", c->slug, o->auth, list);
		free(list);
		goto out;
	}
	if (o->name) {
		name = xstrdup(o->name);
	} else if (isatty(0) && !o->fields.secret_stdin) {
		char line[128];
		int n = cli_fields_prompt("Name for this connection [" DEFAULT_NAME "]: ", 0, line,
					  sizeof(line));
		if (n < 0)
			goto out;
		name = xstrdup(n ? line : DEFAULT_NAME);
	} else {
		name = xstrdup(DEFAULT_NAME);
	}
	/* Say so before anyone types a secret. */
	if (strcmp(name, "env") == 0) {
		fail("'env' names the connection the environment makes; choose another name");
		goto out;
	}
	if ((taken = store_get_connection(st, c->slug, name, 0, &e)) != NULL) {
		fail("connection '%s/%s' already exists; choose another name with --name", c->slug,
		     name);
		goto out;
	}
	err_init(&e);
	cli_fields_init(&f, c, m);
	conn = xcalloc(1, sizeof(*conn));
	conn->connector = xstrdup(c->slug);
	conn->owner = o->owner ? xstrdup(o->owner) : NULL;
	conn->name = name;
	name = NULL;
	conn->auth = xstrdup(m->type);
	conn->config = json_object();
	conn->secrets = json_object();
	if (cli_fields_gather(&f, &o->fields, conn->config, conn->secrets, 0, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	if (json_object_size(conn->secrets) == 0) {
		store_secrets_free(conn->secrets);
		conn->secrets = NULL;
	}
	if (store_add_connection(st, conn, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	if (cli->json) {
		json_t *j = conn_json(conn);
		cli_print_json(j);
		json_decref(j);
	} else {
		cli_print("added %s/%s (auth %s)%s%s\n", conn->connector, conn->name, conn->auth,
			  conn->is_default ? ", the default for " : "",
			  conn->is_default ? conn->connector : "");
	}
	int no_token = strcmp(conn->auth, "oauth2") == 0 &&
		       !json_object_get(conn->secrets, "access_token");
	if (no_token)
		fprintf(stderr,
			"switchboard: %s/%s has no access token yet; run: switchboard "
			"connect %s\n",
			conn->connector, conn->name, conn->connector);
	ret = 0;
	/* The test a person runs next, offered where a person is: stdin a
	 * terminal (not spent on --secret-stdin), and not --json. */
	if (!no_token && !cli->json && !o->no_test && !o->fields.secret_stdin && isatty(0)) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", conn->id);
		if (offer_test(conn))
			test_named(cli, st, id);
		else
			cli_print("test it later with: switchboard connections test %s/%s\n",
				  conn->connector, conn->name);
	} else if (!no_token && !cli->json) {
		cli_print("check it with: switchboard connections test %s/%s\n", conn->connector,
			  conn->name);
	}
out:
	free(name);
	cli_fields_release(&f);
	connection_free(taken);
	connection_free(conn);
	registry_free(r);
	return ret;
}

static int cmd_edit(struct cli *cli, struct store *st, const struct opts *o)
{
	const struct cli_fields_args *a = &o->fields;
	int given = cli_fields_args_given(a);
	int prompts = isatty(0) && !given && !o->confirm;
	/* A change of plain fields needs no key: the secrets stay sealed. */
	int need_secrets = prompts || json_array_size(a->unset) || a->secret_stdin ||
			   json_array_size(a->secret);
	struct registry *r = NULL;
	struct cli_fields f = {0};
	struct err e;
	int ret = 1;
	err_init(&e);
	if (!given && !prompts && !o->confirm) {
		fprintf(stderr,
			"switchboard: nothing to change\nusage: switchboard connections %s\n",
			subcommands[3].synopsis);
		return 2;
	}
	struct connection *conn = find_conn(st, o->pos[0], need_secrets);
	if (!conn)
		return 1;
	r = cli_registry(cli);
	const struct connector *c = cli_find_connector(r, conn->connector);
	const struct auth_method *m = c ? connector_auth_method(c, conn->auth) : NULL;
	if (!c)
		goto out;
	if (!m) {
		fail("%s no longer declares auth method '%s'; remove the connection and add it "
		     "again",
		     c->slug, conn->auth);
		goto out;
	}
	cli_fields_init(&f, c, m);
	if ((given || prompts) &&
	    cli_fields_gather(&f, a, conn->config, conn->secrets, 1, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	if (given || prompts) {
		/* The old outcome says nothing about the new settings. */
		free(conn->status);
		conn->status = xstrdup("ok");
		free(conn->last_error);
		conn->last_error = NULL;
	}
	/* Which calls ask the user first (confirm.h): the user's word, from a
	 * terminal, never a model's. */
	if (o->confirm)
		json_object_set_new(conn->config, CONNS_CONFIRM_KEY, json_string(o->confirm));
	if (store_update_connection(st, conn, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	cli_print("updated %s/%s\n", conn->connector, conn->name);
	ret = 0;
out:
	cli_fields_release(&f);
	connection_free(conn);
	registry_free(r);
	return ret;
}

static int cmd_remove(struct cli *cli, struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	struct connection *conn = find_conn(st, o->pos[0], 0), *d = NULL;
	if (!conn)
		return 1;
	int ret = 1;
	if (!o->keep_grant && cli_connections_revoke(cli, st, conn, o->force) != 0)
		goto out;
	if (store_remove_connection(st, conn->id, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	cli_print("removed %s/%s\n", conn->connector, conn->name);
	if (conn->is_default && (d = store_get_default(st, conn->connector, 0, &e)) != NULL)
		cli_print("%s/%s is now the default for %s\n", d->connector, d->name, d->connector);
	ret = 0;
out:
	connection_free(d);
	connection_free(conn);
	return ret;
}

static int cmd_rename(struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	if (strcmp(o->pos[1], "env") == 0)
		return fail(
			"'env' names the connection the environment makes; choose another name");
	struct connection *conn = find_conn(st, o->pos[0], 0);
	if (!conn)
		return 1;
	int ret = store_rename_connection(st, conn->id, o->pos[1], &e) < 0 ? fail("%s", e.msg) : 0;
	if (ret == 0)
		cli_print("renamed %s/%s to %s/%s\n", conn->connector, conn->name, conn->connector,
			  o->pos[1]);
	connection_free(conn);
	return ret;
}

static int cmd_default(struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	struct connection *conn = find_conn(st, o->pos[0], 0);
	if (!conn)
		return 1;
	int ret = store_set_default(st, conn->id, &e) < 0 ? fail("%s", e.msg) : 0;
	if (ret == 0)
		cli_print("%s/%s is now the default for %s\n", conn->connector, conn->name,
			  conn->connector);
	connection_free(conn);
	return ret;
}

/* ---- testing ---- */

/* The cheapest read a connector has: a list without required arguments
 * (asked for one item), else another read without them; data actions before
 * hooks. NULL when there is none. */
static const struct action_spec *test_action(const struct connector *c)
{
	const struct action_spec *best = NULL;
	int best_rank = 99;
	for (size_t i = 0; i < c->model->n_entities; i++) {
		for (size_t j = 0; j < c->model->entities[i].n_actions; j++) {
			const struct action_spec *a = &c->model->entities[i].actions[j];
			if (strcmp(a->kind, "read") != 0)
				continue;
			json_t *required = action_required_args(a);
			size_t n = json_array_size(required);
			json_decref(required);
			if (n)
				continue;
			int rank = (strcmp(a->name, "list") == 0 ? 0
				    : a->list                    ? 1
								 : 2) +
				   (a->hook ? 3 : 0);
			if (rank < best_rank) {
				best = a;
				best_rank = rank;
			}
		}
	}
	return best;
}

static int cmd_test(struct cli *cli, struct store *st, const struct opts *o)
{
	return test_named(cli, st, o->pos[0]);
}

/* Test the connection of that name (or id) and record the outcome. */
static int test_named(struct cli *cli, struct store *st, const char *name)
{
	struct registry *r = NULL;
	json_t *args = NULL, *out = NULL;
	struct call_result *result = NULL;
	char *msg = NULL, *who = NULL;
	struct err e;
	int ret = 1;
	err_init(&e);
	/* Open the secrets here: a wrong key is this machine's problem, not
	 * the connection's, and must not change its status. */
	struct connection *conn = find_conn(st, name, 1);
	if (!conn)
		return 1;
	who = xasprintf("%s/%s", conn->connector, conn->name);
	r = cli_registry(cli);
	const struct connector *c = cli_find_connector(r, conn->connector);
	if (!c)
		goto out;
	const struct action_spec *t = test_action(c);
	if (!t) {
		fail("%s has no read action without required arguments to test %s with", c->slug,
		     who);
		goto out;
	}
	char id[32];
	snprintf(id, sizeof(id), "%lld", conn->id);
	args = json_pack("{s:s}", "connection", id);
	if (t->list)
		json_object_set_new(args, "limit", json_integer(1));
	struct exec_target target = {.connector = c, .action = t};
	if (!(result = cli_run_call(cli, st, &target, args, &e))) {
		fail("%s: %s", who, e.msg);
		goto out;
	}
	int ok = !result->error;
	long status = 0;
	if (!ok) {
		/* The message's first line, and the status from its details. */
		char *first = xstrndup(result->error, strcspn(result->error, "\n"));
		status = (long)json_integer_value(json_object_get(result->details, "status"));
		msg = log_redact(first);
		free(first);
	}
	const char *new_status = ok ? "ok" : status == 401 ? "needs_reconnect" : "error";
	if (store_set_status(st, conn->id, new_status, msg, &e) < 0)
		fail("%s", e.msg);
	if (cli->json) {
		out = json_pack("{s:s, s:s, s:b, s:s}", "connection", who, "tool", t->id, "ok", ok,
				"status", new_status);
		if (msg)
			json_object_set_new(out, "error", json_string(msg));
		cli_print_json(out);
	} else if (ok) {
		cli_print("ok: %s answered %s\n", who, t->id);
	}
	if (!ok && !cli->json)
		fail("%s: test failed (%s): %s", who, t->id, msg);
	ret = ok ? 0 : 1;
out:
	free(who);
	free(msg);
	json_decref(out);
	call_result_free(result);
	json_decref(args);
	registry_free(r);
	connection_free(conn);
	return ret;
}

/* ---- entry points ---- */

int cli_connections(struct cli *cli, int argc, char **argv)
{
	if (argc == 0 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		if (argc == 0) {
			fputs(cli_connections_usage, stderr);
			return 2;
		}
		cli_print("%s", cli_connections_usage);
		return 0;
	}
	if (strcmp(argv[0], "refresh") == 0)
		return cli_connections_refresh(cli, argc - 1, argv + 1);
	const struct subcommand *sc = NULL;
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[0], subcommands[i].name) == 0)
			sc = &subcommands[i];
	if (!sc) {
		fail("unknown connections command '%s'", argv[0]);
		cli_help_suggest("connections", argv[0]);
		fputs(cli_connections_usage, stderr);
		return 2;
	}
	struct opts o;
	int ret = opts_parse(sc, argc - 1, argv + 1, &o);
	if (ret != 0) {
		opts_release(&o);
		return ret;
	}
	struct store *st = open_store(cli);
	if (!st) {
		opts_release(&o);
		return 1;
	}
	if (strcmp(sc->name, "list") == 0)
		ret = cmd_list(cli, st, &o);
	else if (strcmp(sc->name, "show") == 0)
		ret = cmd_show(cli, st, &o);
	else if (strcmp(sc->name, "add") == 0)
		ret = cmd_add(cli, st, &o);
	else if (strcmp(sc->name, "edit") == 0)
		ret = cmd_edit(cli, st, &o);
	else if (strcmp(sc->name, "remove") == 0)
		ret = cmd_remove(cli, st, &o);
	else if (strcmp(sc->name, "rename") == 0)
		ret = cmd_rename(st, &o);
	else if (strcmp(sc->name, "default") == 0)
		ret = cmd_default(st, &o);
	else if (strcmp(sc->name, "grant") == 0 || strcmp(sc->name, "revoke") == 0)
		ret = cmd_grant(cli, st, &o, strcmp(sc->name, "grant") == 0);
	else
		ret = cmd_test(cli, st, &o);
	store_free(st);
	opts_release(&o);
	return ret;
}

int cli_key(struct cli *cli, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "rotate") != 0) {
		fprintf(stderr, "usage: switchboard key rotate\n"
				"  re-seal every stored secret under a new random key\n");
		return 2;
	}
	struct err e;
	err_init(&e);
	char *key = NULL;
	struct store *st = open_store(cli);
	if (!st)
		return 1;
	int ret = 1;
	if (store_rotate_key(st, &key, &e) < 0) {
		fail("%s", e.msg);
	} else if (key) {
		/* The one place a key is shown: the user has to save it. */
		log_add_secret(key);
		cli_print("SWITCHBOARD_KEY=%s\n", key);
		fprintf(stderr,
			"switchboard: every secret is now sealed with the new key above, and the "
			"old "
			"key no longer opens them. Save it where SWITCHBOARD_KEY is set (the MCP "
			"client's env in mcp.json, your shell profile, a secrets manager), then "
			"restart "
			"every switchboard that uses this store.\n");
		ret = 0;
	} else {
		cli_print("rotated: every secret is sealed with a new key, and the key file was "
			  "replaced; running switchboard processes read the new one\n");
		ret = 0;
	}
	free_secret(key);
	store_free(st);
	return ret;
}
