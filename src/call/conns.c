/* conns.c - the connections a connector has and the one a call uses:
 * an explicit name, else the default stored connection, else "env". */
#include "conns.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "log.h"
#include "tenancy.h"

/* Is some declared environment variable of c's params set? */
static int env_any(const struct connector *c)
{
	for (size_t i = 0; i < c->info->n_params; i++)
		if (connector_field_env(&c->info->params[i], NULL))
			return 1;
	return 0;
}

/* Does the environment provide every required field of this method? A
 * method without credentials (none) counts when a connection parameter
 * comes from the environment (HTTP_BASE_URL for a public API). */
static int env_has_fields(const struct auth_method *method);

static int env_has_method(const struct connector *c, const struct auth_method *method)
{
	if (method->n_fields == 0)
		return env_any(c);
	return env_has_fields(method);
}

static int env_has_fields(const struct auth_method *method)
{
	int any = 0;
	for (size_t i = 0; i < method->n_fields; i++) {
		if (connector_field_env(&method->fields[i], NULL))
			any = 1;
		else if (method->fields[i].required)
			return 0;
	}
	return any;
}

/* The method's fields set in the environment, the secret ones (want_secret)
 * or the others, into dst. */
static void env_method_fields(const struct auth_method *method, json_t *dst, int want_secret)
{
	for (size_t i = 0; i < method->n_fields; i++) {
		const struct auth_field *f = &method->fields[i];
		const char *v = f->secret == want_secret ? connector_field_env(f, NULL) : NULL;
		if (v)
			json_object_set_new(dst, f->name, json_string(v));
	}
}

/* The connector's params set in the environment, into dst. */
static void env_params(const struct connector *c, json_t *dst)
{
	for (size_t i = 0; i < c->info->n_params; i++) {
		const char *v = connector_field_env(&c->info->params[i], NULL);
		if (v)
			json_object_set_new(dst, c->info->params[i].name, json_string(v));
	}
}

/* "STRIPE" from "stripe" for <SLUG>_BASE_URL. */
static char *slug_env(const char *slug, const char *suffix)
{
	char *s = xasprintf("%s%s", slug, suffix);
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

struct connection *conns_from_env(const struct connector *c)
{
	const struct auth_method *def = connector_auth_method(c, NULL), *chosen = NULL;
	if (!def)
		return NULL;
	/* Credentials first (the default method, then the others), and a
	 * method without credentials only when none of them is set. */
	for (int pass = 0; pass < 2 && !chosen; pass++) {
		if (env_has_method(c, def) && (def->n_fields > 0) == (pass == 0)) {
			chosen = def;
			break;
		}
		for (size_t i = 0; i < c->auth->n_methods; i++) {
			const struct auth_method *m = &c->auth->methods[i];
			if ((m->n_fields > 0) == (pass == 0) && env_has_method(c, m)) {
				chosen = m;
				break;
			}
		}
	}
	if (!chosen)
		return NULL;
	struct connection *conn = xcalloc(1, sizeof(*conn));
	conn->connector = xstrdup(c->slug);
	conn->name = xstrdup("env");
	conn->auth = xstrdup(chosen->type);
	conn->config = json_object();
	conn->secrets = json_object();
	conn->status = xstrdup("ok");
	env_params(c, conn->config);
	env_method_fields(chosen, conn->secrets, 1);
	env_method_fields(chosen, conn->config, 0);
	char *var = slug_env(c->slug, "_BASE_URL");
	const char *base = getenv(var);
	if (base && *base)
		json_object_set_new(conn->config, "base_url", json_string(base));
	free(var);
	return conn;
}

json_t *conns_names(const struct connector *c, void *ctx)
{
	struct store *s = ctx;
	json_t *names = json_array();
	struct connection **list = NULL;
	if (s && store_list_connections(s, c->slug, &list, NULL) == 0) {
		for (size_t i = 0; list[i]; i++)
			if (list[i]->is_default)
				json_array_append_new(names, json_string(list[i]->name));
		for (size_t i = 0; list[i]; i++)
			if (!list[i]->is_default)
				json_array_append_new(names, json_string(list[i]->name));
		connections_free(list);
	}
	struct connection *env = conns_from_env(c);
	if (env)
		json_array_append_new(names, json_string("env"));
	connection_free(env);
	return names;
}

/* The connector's connections who may use, the connector's default first
 * when who may use it: a new NULL-terminated array (connections_free), or
 * NULL when the store cannot be read. */
static struct connection **usable(struct store *s, const struct connector *c,
				  const struct caller *who)
{
	struct connection **list = NULL;
	if (!s || store_list_connections(s, c->slug, &list, NULL) < 0)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; list[i]; i++) {
		if (tenancy_may_use(who, list[i]))
			list[n++] = list[i];
		else
			connection_free(list[i]);
	}
	list[n] = NULL;
	for (size_t i = 1; i < n; i++) {
		if (list[i]->is_default) {
			struct connection *d = list[i];
			memmove(list + 1, list, i * sizeof(*list));
			list[0] = d;
		}
	}
	return list;
}

json_t *conns_names_as(const struct connector *c, void *ctx)
{
	const struct conns_view *v = ctx;
	if (!v->who)
		return conns_names(c, v->store);
	json_t *names = json_array();
	struct connection **list = usable(v->store, c, v->who);
	for (size_t i = 0; list && list[i]; i++)
		json_array_append_new(names, json_string(list[i]->name));
	connections_free(list);
	return names;
}

int conns_check(struct store *s, const struct connector *c, const char *name,
		const struct caller *who)
{
	if (!name)
		return 1;
	if (strcmp(name, "env") == 0)
		return who ? 0 : 1;
	if (!s)
		return 0;
	struct err e;
	err_init(&e);
	struct connection *conn = store_get_connection(s, c->slug, name, 0, &e);
	int ret = !conn ? 0 : tenancy_may_use(who, conn) ? 1 : -1;
	connection_free(conn);
	return ret;
}

/* conns_resolve for a caller: only what who may use, and the same answer
 * for a connection that is someone else's as for one that does not exist. */
static struct connection *resolve_as(struct store *s, const struct connector *c, const char *name,
				     const struct caller *who, struct err *err)
{
	struct err e;
	err_init(&e);
	struct connection *conn = NULL;
	if (name) {
		struct connection *peek = s && strcmp(name, "env") != 0
						  ? store_get_connection(s, c->slug, name, 0, &e)
						  : NULL;
		if (peek && tenancy_may_use(who, peek)) {
			char *id = xasprintf("%lld", peek->id);
			conn = store_get_connection(s, c->slug, id, 1, &e);
			free(id);
			if (!conn)
				err_set(err, "%s", e.msg);
		} else {
			if (peek)
				tenancy_log_refusal(who, c->slug, name);
			err_set(err, "no connection '%s/%s'", c->slug, name);
		}
		connection_free(peek);
		return conn;
	}
	struct connection **list = usable(s, c, who);
	size_t n = 0;
	while (list && list[n])
		n++;
	if (n == 1 || (n > 1 && list[0]->is_default)) {
		char *id = xasprintf("%lld", list[0]->id);
		if (!(conn = store_get_connection(s, c->slug, id, 1, &e)))
			err_set(err, "%s", e.msg);
		free(id);
	} else if (n > 1) {
		struct buf names;
		buf_init(&names, 4096);
		for (size_t i = 0; i < n; i++)
			buf_addf(&names, "%s%s", i ? ", " : "", list[i]->name);
		err_set(err, "several %s connections are yours (%s): pass connection to choose one",
			c->slug, names.data);
		buf_release(&names);
	} else {
		err_set(err,
			"no %s connection: ask the administrator to add one for you "
			"(switchboard connections add %s --owner YOU) or to grant one to your "
			"group",
			c->info->name, c->slug);
	}
	connections_free(list);
	return conn;
}

struct connection *conns_which(struct store *s, const struct connector *c, const char *name,
			       const struct caller *who)
{
	struct connection *conn = NULL;
	if (name && strcmp(name, "env") == 0) {
		conn = who ? NULL : conns_from_env(c);
	} else if (name) {
		conn = s ? store_get_connection(s, c->slug, name, 0, NULL) : NULL;
	} else if (!who) {
		conn = s ? store_get_default(s, c->slug, 0, NULL) : NULL;
		if (!conn)
			conn = conns_from_env(c);
	} else {
		struct connection **list = usable(s, c, who);
		size_t n = 0;
		while (list && list[n])
			n++;
		if (n == 1 || (n > 1 && list[0]->is_default)) {
			conn = list[0];
			list[0] = list[n - 1];
			list[n - 1] = NULL;
		}
		connections_free(list);
	}
	if (conn && !tenancy_may_use(who, conn)) {
		connection_free(conn);
		conn = NULL;
	}
	return conn;
}

static void remember_secrets(const struct connection *conn)
{
	const char *k;
	json_t *v;
	json_object_foreach(conn->secrets, k, v)
		log_add_secret(json_string_value(v));
}

/* <SLUG>_BASE_URL is the env connection's base URL, never a stored one's:
 * say so (once a process) to whoever set it and sees a stored connection
 * used, so a test server's URL is not silently ignored. */
static void warn_env_base(const struct connector *c, const struct connection *conn)
{
	static atomic_int warned;
	char *var = slug_env(c->slug, "_BASE_URL");
	const char *env = getenv(var);
	const char *own = connection_value(conn, "base_url");
	if (env && *env && (!own || strcmp(own, env) != 0) && atomic_exchange(&warned, 1) == 0)
		log_warn("%s is set, but it applies to %s's environment connection only; %s/%s is "
			 "stored and uses %s (change it with: switchboard connections edit %s/%s "
			 "--set base_url=URL)",
			 var, c->slug, c->slug, conn->name, own ? own : "the connector's base URL",
			 c->slug, conn->name);
	free(var);
}

struct connection *conns_resolve(struct store *s, const struct connector *c, const char *name,
				 const struct caller *who, struct err *err)
{
	struct connection *conn = NULL;
	struct err e;
	err_init(&e);
	if (who) {
		conn = resolve_as(s, c, name, who, err);
	} else if (name && strcmp(name, "env") == 0) {
		conn = conns_from_env(c);
		if (!conn)
			err_set(err,
				"no environment connection for %s: its credential variables are "
				"not set",
				c->slug);
	} else if (name) {
		if (!s)
			err_set(err, "no connection '%s' for %s (the store is not available)", name,
				c->slug);
		else if (!(conn = store_get_connection(s, c->slug, name, 1, &e)))
			err_set(err, "%s", e.msg);
	} else {
		if (s)
			conn = store_get_default(s, c->slug, 1, &e);
		if (!conn && err_is_set(&e))
			err_set(err, "%s", e.msg);
		else if (!conn && !(conn = conns_from_env(c))) {
			char *vars = NULL;
			const struct auth_method *def = connector_auth_method(c, NULL);
			for (size_t i = 0; def && i < def->n_fields; i++) {
				const char *env = def->fields[i].env;
				if (!env)
					continue;
				char *nv = xasprintf("%s%s%s", vars ? vars : "", vars ? ", " : "",
						     env);
				free(vars);
				vars = nv;
			}
			/* OAuth by default: the user connects through the browser. */
			const char *type = def ? def->type : NULL;
			int oauth = type && strcmp(type, "oauth2") == 0;
			err_set(err,
				"no %s connection: call switchboard_connect {\"connector\": "
				"\"%s\"} (it shows the user where to sign in or type the key), or "
				"ask the user to run '%s %s'%s%s%s",
				c->info->name, c->slug,
				oauth ? "switchboard connect" : "switchboard connections add",
				c->slug, vars ? " or to set " : "", vars ? vars : "",
				vars ? " in the MCP client's env" : "");
			free(vars);
		}
	}
	if (conn)
		remember_secrets(conn);
	if (conn && conn->id)
		warn_env_base(c, conn);
	return conn;
}

json_t *conns_connect_details(const struct connector *c, const char *name)
{
	json_t *args = json_pack("{s:s}", "connector", c->slug);
	if (name && strcmp(name, "default") != 0)
		json_object_set_new(args, "name", json_string(name));
	return json_pack("{s:{s:s, s:o}}", "connect", "tool", "switchboard_connect", "arguments",
			 args);
}

json_t *conns_overview(struct store *s, const struct registry *r, const char *connector,
		       const struct caller *who)
{
	json_t *list = json_array(), *none = json_array();
	for (size_t i = 0; i < registry_count(r); i++) {
		const struct connector *c = registry_at(r, i);
		if (connector && strcmp(connector, c->slug) != 0)
			continue;
		size_t before = json_array_size(list);
		struct connection **stored = NULL;
		if (s && store_list_connections(s, c->slug, &stored, NULL) == 0) {
			for (size_t k = 0; stored[k]; k++) {
				struct connection *x = stored[k];
				if (!tenancy_may_use(who, x))
					continue;
				json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s}", "connector",
						      c->slug, "name", x->name, "default",
						      x->is_default, "auth", x->auth ? x->auth : "",
						      "status", x->status ? x->status : "ok");
				if (x->last_error)
					json_object_set_new(o, "last_error",
							    json_string(x->last_error));
				if (x->last_used_at)
					json_object_set_new(o, "last_used_at",
							    json_integer(x->last_used_at));
				if (x->status && strcmp(x->status, "ok") != 0) {
					json_object_set_new(
						o, "fix",
						json_sprintf("call switchboard_connect with the "
							     "arguments "
							     "in connect, or ask the user to run: "
							     "switchboard connections test %s/%s",
							     c->slug, x->name));
					json_object_update_new(o,
							       conns_connect_details(c, x->name));
				}
				json_array_append_new(list, o);
			}
			connections_free(stored);
		}
		struct connection *env = who ? NULL : conns_from_env(c);
		if (env)
			json_array_append_new(
				list, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}", "connector",
						c->slug, "name", "env", "default",
						json_array_size(list) == before, "auth", env->auth,
						"status", "ok", "source", "environment variables"));
		connection_free(env);
		if (json_array_size(list) == before)
			json_array_append_new(none, json_string(c->slug));
	}
	json_t *out = json_pack("{s:o, s:o}", "connections", list, "unconnected", none);
	if (json_array_size(none))
		json_object_set_new(
			out, "how_to_connect",
			json_string("switchboard connections add SLUG (API keys, tokens) "
				    "or switchboard connect SLUG (OAuth)"));
	return out;
}

static const char *policy_names[] = {"never", "destructive", "writes", NULL};

int conns_confirm_parse(const char *s, enum conns_confirm *out)
{
	for (int i = 0; s && policy_names[i]; i++) {
		if (strcmp(s, policy_names[i]) == 0) {
			*out = (enum conns_confirm)i;
			return 0;
		}
	}
	return -1;
}
