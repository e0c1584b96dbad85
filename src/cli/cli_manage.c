/* cli_manage.c - what webhooks register, list and remove share: the
 * connection, registry and tools they work on, the connector's webhooks.api
 * calls run like tool calls with their argument templates filled in, and
 * the webhook secret field that may hold several signing secrets. */
#include "cli_manage.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_help.h"
#include "connector.h"
#include "conns.h"
#include "crypto.h"
#include "jsonx.h"
#include "result.h"
#include "schema.h"
#include "webhook.h"

#define HOOK_PREFIX "/hooks"

int cli_manage_usage(const char *fmt, const char *arg)
{
	if (fmt) {
		fputs("switchboard: ", stderr);
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
	fputs(cli_webhooks_manage_usage, stderr);
	return 2;
}

/* ---- argument templates ---- */

/* s with each {name} of the substitution replaced; a new string. */
static char *fill_string(const char *s, const struct cli_manage_subst *sb)
{
	struct buf b;
	buf_init(&b, 0);
	while (*s) {
		const char *val = NULL;
		size_t skip = 0;
		static const char *const names[] = {"{url}", "{event}", "{secret}", "{id}"};
		const char *vals[] = {sb->url, sb->event, sb->secret, sb->id};
		for (size_t i = 0; i < 4 && *s == '{'; i++) {
			size_t n = strlen(names[i]);
			if (vals[i] && strncmp(s, names[i], n) == 0) {
				val = vals[i];
				skip = n;
				break;
			}
		}
		if (val) {
			buf_adds(&b, val);
			s += skip;
		} else {
			buf_add(&b, s++, 1);
		}
	}
	return buf_detach(&b);
}

/* A deep copy of tmpl with the placeholders filled; a new reference. */
static json_t *fill_template(json_t *tmpl, const struct cli_manage_subst *sb)
{
	if (json_is_string(tmpl)) {
		const char *s = json_string_value(tmpl);
		if (strcmp(s, "{events}") == 0 && sb->events)
			return json_deep_copy(sb->events);
		char *text = fill_string(s, sb);
		json_t *v = json_string(text);
		free_secret(text); /* it may hold the secret */
		return v;
	}
	if (json_is_object(tmpl)) {
		json_t *out = json_object(), *v;
		const char *k;
		json_object_foreach(tmpl, k, v)
			json_object_set_new(out, k, fill_template(v, sb));
		return out;
	}
	if (json_is_array(tmpl)) {
		json_t *out = json_array(), *v;
		size_t i;
		json_array_foreach(tmpl, i, v)
			json_array_append_new(out, fill_template(v, sb));
		return out;
	}
	return json_deep_copy(tmpl);
}

/* Wipe every string in v before it goes (arguments holding the secret). */
void cli_manage_wipe_json(json_t *v)
{
	if (!v)
		return;
	if (json_is_string(v) && json_string_length(v)) {
		/* jansson owns the bytes; overwrite them in place. */
		crypto_cleanse((char *)json_string_value(v), json_string_length(v));
		return;
	}
	json_t *x;
	const char *k;
	size_t i;
	if (json_is_object(v))
		json_object_foreach(v, k, x)
			cli_manage_wipe_json(x);
	else if (json_is_array(v))
		json_array_foreach(v, i, x)
			cli_manage_wipe_json(x);
}

/* ---- one call of the api block ---- */

/* An id as text (GitHub's are numbers); a new string or NULL. */
char *cli_manage_id_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return NULL;
}

/* Strings where the input schema wants an integer (GitHub's hook_id). */
static void coerce_integers(const struct tool *t, json_t *args)
{
	json_t *props = json_object_get(tools_input(t), "properties"), *v;
	const char *k;
	json_object_foreach(args, k, v) {
		const char *type =
			json_string_value(json_object_get(json_object_get(props, k), "type"));
		long n;
		if (json_is_string(v) && type && strcmp(type, "integer") == 0 &&
		    parse_long(json_string_value(v), &n) == 0)
			json_object_set_new(args, k, json_integer(n));
	}
}

/* Run call, one of the api block's (create, list, remove), with sb filled
 * in. Returns the result's data (new), or NULL with err: the vendor's
 * error as the call reported it. */
json_t *cli_manage_call(struct cli_manage *m, const struct webhook_call *call,
			const struct cli_manage_subst *sb, struct err *err)
{
	json_t *args = NULL, *data = NULL;
	struct call_result *result = NULL;
	const char *which = call->name;
	char *name =
		xasprintf("%s_%s_%s", m->c->slug, m->entity, call->action ? call->action : which);
	const struct tool *t = tools_find(m->ts, name);
	struct err ve;
	err_init(&ve);
	if (!t) {
		err_set(err, "%s has no tool %s to %s webhooks with", m->c->slug, name, which);
		goto out;
	}
	args = fill_template(call->args, sb);
	if (!json_is_object(args)) {
		json_decref(args);
		args = json_object();
	}
	json_t *props = json_object_get(tools_input(t), "properties"), *v;
	const char *k;
	json_object_foreach(m->extra, k, v)
		if (json_object_get(props, k) && !json_object_get(args, k))
			json_object_set_new(args, k, json_deep_copy(v)); /* args get wiped */
	/* Required arguments nobody gave come from the connection's settings
	 * of the same name (owner, repo), as events poll does. */
	size_t i;
	json_t *req;
	json_array_foreach(json_object_get(tools_input(t), "required"), i, req) {
		const char *rn = json_string_value(req);
		json_t *set = rn ? json_object_get(m->conn->config, rn) : NULL;
		if (rn && set && !json_object_get(args, rn))
			json_object_set_new(args, rn, json_deep_copy(set));
	}
	if (json_object_get(props, "connection"))
		json_object_set_new(args, "connection", json_string(m->conn->name));
	coerce_integers(t, args);
	if (schema_validate(tools_input(t), args, &ve) < 0) {
		err_set(err, "%s: %s%s", t->name, ve.msg,
			m->api->entity_by_arg ? " (see --repo and --org)" : "");
		goto out;
	}
	m->cli->exec.keep_secrets = 1; /* the answer's signing secret is stored */
	struct exec_target target = tools_target(t);
	result = cli_run_call(m->cli, m->st, &target, args, err);
	m->cli->exec.keep_secrets = 0;
	if (!result)
		goto out;
	if (result->error) {
		char *text = call_result_error_text(result);
		err_set(err, "%s", text);
		free(text);
		goto out;
	}
	data = json_incref(json_object_get(result->data, "data"));
	if (!data)
		data = json_null();
out:
	cli_manage_wipe_json(args);
	json_decref(args);
	call_result_free(result);
	free(name);
	return data;
}

/* ---- setting up ---- */

/* The vendor's event names to subscribe: --events, else the api block's
 * default (every mapped event, deduplicated), in event_case. New array. */
json_t *cli_manage_events(const struct cli_manage *m, const char *given)
{
	json_t *out = json_array();
	json_t *dflt = m->api->default_events;
	if (given) {
		const char *p = given;
		while (*p) {
			size_t n = strcspn(p, ",");
			while (n && isspace((unsigned char)*p)) {
				p++;
				n--;
			}
			size_t len = n;
			while (len && isspace((unsigned char)p[len - 1]))
				len--;
			if (len)
				json_array_append_new(out, json_stringn(p, len));
			p += n + (p[n] == ',');
		}
	} else if (json_is_array(dflt)) {
		json_array_extend(out, dflt);
	} else {
		const struct connector_model *cm = m->c->model;
		for (size_t e = 0; cm && e < cm->n_entities; e++)
			for (size_t j = 0; j < cm->entities[e].n_events; j++)
				for (const char **v = cm->entities[e].events[j].vendor; *v; v++)
					if (!jsonx_has_string(out, *v))
						json_array_append_new(out, json_string(*v));
	}
	const char *ec = m->api->event_case;
	if (ec && strcmp(ec, "upper_snake") == 0) {
		size_t i;
		json_t *v;
		json_array_foreach(out, i, v) {
			char *s = xstrdup(json_string_value(v));
			for (char *q = s; *q; q++)
				*q = (*q == '/' || *q == '.' || *q == '-')
					     ? '_'
					     : (char)toupper((unsigned char)*q);
			json_string_set(v, s);
			free(s);
		}
	}
	return out;
}

/* --repo OWNER/NAME, --org ORG and --args JSON into m->extra; -1 after a
 * usage message. */
int cli_manage_parse_target(struct cli_manage *m, const char *a, const char *v)
{
	if (strcmp(a, "--repo") == 0) {
		const char *slash = strchr(v, '/');
		if (!slash || slash == v || !slash[1] || strchr(slash + 1, '/')) {
			cli_manage_usage("--repo takes OWNER/NAME, got '%s'", v);
			return -1;
		}
		json_object_set_new(m->extra, "owner", json_stringn(v, (size_t)(slash - v)));
		json_object_set_new(m->extra, "repo", json_string(slash + 1));
	} else if (strcmp(a, "--org") == 0) {
		json_object_set_new(m->extra, "org", json_string(v));
	} else {
		json_t *j = json_loads(v, 0, NULL);
		if (!json_is_object(j)) {
			json_decref(j);
			cli_manage_usage("--args takes a JSON object, got '%s'", v);
			return -1;
		}
		json_object_update(m->extra, j);
		json_decref(j);
	}
	return 0;
}

int cli_manage_is_target(const char *a)
{
	return strcmp(a, "--repo") == 0 || strcmp(a, "--org") == 0 || strcmp(a, "--args") == 0;
}

void cli_manage_release(struct cli_manage *m)
{
	tools_free(m->ts);
	connection_free(m->conn);
	store_free(m->st);
	registry_free(m->reg);
	json_decref(m->extra);
}

/* The delivery URL for public_url (a new string): public_url itself when it
 * already ends in /hooks/<connector>/<connection>. */
char *cli_manage_delivery_url(const struct cli_manage *m, const char *public_url)
{
	size_t n = strlen(public_url);
	while (n && public_url[n - 1] == '/')
		n--;
	char *tail = xasprintf(HOOK_PREFIX "/%s/%s", m->c->slug, m->conn->name);
	size_t tl = strlen(tail);
	char *url = n >= tl && strncmp(public_url + n - tl, tail, tl) == 0
			    ? xstrndup(public_url, n)
			    : xasprintf("%.*s%s", (int)n, public_url, tail);
	free(tail);
	return url;
}

/* Say where a vendor without an API takes subscriptions; exit status 1. */
int cli_manage_portal_guidance(const struct cli_manage *m, const char *public_url)
{
	const char *field = m->c->info->webhooks.secret_field;
	const char *where = m->c->info->webhooks.register_how;
	char *url = public_url ? cli_manage_delivery_url(m, public_url)
			       : xasprintf("PUBLIC_URL" HOOK_PREFIX "/%s/%s", m->c->slug,
					   m->conn->name);
	fprintf(stderr,
		"switchboard: %s has no API for webhook subscriptions: register it in the "
		"vendor's portal instead%s%s\n"
		"  delivery URL to paste: %s\n"
		"  then store the signing secret the portal shows:\n"
		"    printf '{\"%s\": \"...\"}' | switchboard connections edit %s/%s "
		"--secret-stdin\n"
		"  and the URL: switchboard connections edit %s/%s --set webhook_url=%s\n",
		m->c->slug, where ? ": " : "", where ? where : "", url,
		field ? field : "webhook_secret", m->c->slug, m->conn->name, m->c->slug,
		m->conn->name, url);
	free(url);
	return 1;
}

/* Load the registry, store, connection (with secrets) and tools for
 * CONNECTION. Returns 0, or an exit status after a message: 1 failure, and
 * 3 when the connector has webhooks but no api block (m is then set up
 * except for the tools). */
int cli_manage_open(struct cli_manage *m, struct cli *cli, const char *name)
{
	struct err e;
	err_init(&e);
	m->cli = cli;
	m->reg = cli_registry(cli);
	m->st = store_open(cli->store_path, &e);
	if (!m->st)
		goto fail;
	if (strcmp(name, "env") == 0) {
		err_set(&e, "environment connections cannot keep a webhook secret: add one "
			    "with 'switchboard connections add'");
		goto fail;
	}
	m->conn = store_get_connection(m->st, NULL, name, 1, &e);
	if (!m->conn)
		goto fail;
	m->c = registry_find(m->reg, m->conn->connector);
	if (!m->c) {
		err_set(&e, "no connector '%s' in the registry", m->conn->connector);
		goto fail;
	}
	const struct webhook_spec *wh = &m->c->info->webhooks;
	if (!wh->scheme || strcmp(wh->scheme, "none") == 0) {
		err_set(&e, "%s sends no webhooks that switchboard can verify", m->c->slug);
		goto fail;
	}
	if (!wh->api.entity)
		return 3;
	m->api = &wh->api;
	m->entity = wh->api.entity;
	const char *arg;
	json_t *alt;
	json_object_foreach(m->api->entity_by_arg, arg, alt)
		if (json_object_get(m->extra, arg))
			m->entity = json_string_value(alt);
	struct tools_filter all = {.all = 1, .mode = TOOLS_STATIC};
	m->ts = tools_build(m->reg, &all, conns_names, m->st, &e);
	if (!m->ts)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "switchboard: %s\n", e.msg);
	return 1;
}

/* ---- the secret field with several secrets ---- */

/* May the connector's webhook secret field hold several secrets (see
 * webhook_verify_any)? When an auth method declares it "multiple", or
 * when none declares it (then it is only for webhooks). */
int cli_manage_field_multiple(const struct connector *c, const char *field)
{
	int declared = 0, multiple = 0;
	for (size_t i = 0; c->auth && i < c->auth->n_methods; i++) {
		const struct auth_field *decl = auth_method_field(&c->auth->methods[i], field);
		declared |= decl != NULL;
		multiple |= decl && decl->multiple;
	}
	declared |= connector_param_decl(c, field) != NULL;
	return multiple || !declared;
}

/* Entry k of a stored secrets value as an array entry (a deep copy: the
 * copy is wiped with its connection), or NULL to leave it out. */
static json_t *entry_copy(json_t *v)
{
	const char *s = json_is_object(v) ? json_string_value(json_object_get(v, "secret"))
					  : json_string_value(v);
	return s && *s ? json_deep_copy(v) : NULL;
}

/* have (a string, an array, or NULL) with the endpoints' secrets of added
 * ([{id, secret}]) added; an entry of the same id or the same secret is
 * replaced. A new array. */
static json_t *secrets_with(json_t *have, json_t *added)
{
	json_t *out = json_array(), *v, *a;
	size_t i, k;
	json_t *list = json_is_array(have) ? json_incref(have) /* dropped below */
					   : json_pack("[O?]", have);
	json_array_foreach(list, i, v) {
		const char *vid = json_string_value(json_object_get(v, "id"));
		const char *vs = json_is_object(v) ? json_string_value(json_object_get(v, "secret"))
						   : json_string_value(v);
		int replaced = 0;
		json_array_foreach(added, k, a) {
			const char *aid = json_string_value(json_object_get(a, "id"));
			const char *as = json_string_value(json_object_get(a, "secret"));
			replaced |= (vid && aid && strcmp(vid, aid) == 0) ||
				    (vs && as && strcmp(vs, as) == 0);
		}
		json_t *copy = replaced ? NULL : entry_copy(v);
		if (copy)
			json_array_append_new(out, copy);
	}
	json_decref(list);
	json_array_foreach(added, k, a)
		json_array_append_new(out, json_deep_copy(a));
	return out;
}

/* have without the secret of endpoint id: a new array, or NULL when have
 * holds no secret known to be that endpoint's. */
static json_t *secrets_without(json_t *have, const char *id)
{
	if (!json_is_array(have))
		return NULL;
	json_t *out = json_array(), *v;
	size_t i;
	int dropped = 0;
	json_array_foreach(have, i, v) {
		const char *vid = json_string_value(json_object_get(v, "id"));
		json_t *copy = NULL;
		if (vid && strcmp(vid, id) == 0)
			dropped = 1;
		else
			copy = entry_copy(v);
		if (copy)
			json_array_append_new(out, copy);
	}
	if (!dropped) {
		store_secrets_free(out);
		return NULL;
	}
	return out;
}

/* The newest secret of a stored value (the last of an array); borrowed. */
const char *cli_manage_newest_secret(json_t *have)
{
	size_t n = webhook_secret_count(have);
	return n ? webhook_secret_at(have, n - 1) : NULL;
}

/* Change the secret field as sc says and keep url (when not NULL) with the
 * connection, re-read first so a token refreshed (or a secret added)
 * meanwhile is not written back stale. */
int cli_manage_save_connection(struct cli_manage *m, const char *field,
			       struct cli_manage_secret_change *sc, const char *url,
			       struct err *err)
{
	struct connection *fresh = store_get_connection(m->st, m->c->slug, m->conn->name, 1, err);
	if (!fresh)
		return -1;
	json_t *have = json_object_get(fresh->secrets, field), *value = NULL;
	if (sc->add && json_array_size(sc->add))
		value = secrets_with(have, sc->add);
	else if (sc->set)
		value = json_string(sc->set);
	else if (sc->drop)
		value = secrets_without(have, sc->drop);
	if (value) {
		sc->changed = 1;
		sc->count = webhook_secret_count(value);
		json_incref(have); /* wiped and dropped just below, once replaced */
		if (sc->count)
			json_object_set_new(fresh->secrets, field, value);
		else {
			json_object_del(fresh->secrets, field);
			store_secrets_free(value);
		}
		store_secrets_free(have);
	} else {
		sc->count = webhook_secret_count(have);
	}
	if (url) {
		if (!fresh->config)
			fresh->config = json_object();
		json_object_set_new(fresh->config, "webhook_url", json_string(url));
	}
	int ret = url || sc->changed ? store_update_connection(m->st, fresh, err) : 0;
	connection_free(fresh);
	return ret;
}
