/* connector.c - connector file blocks as C structs (connector.h). */
#include "connector.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *text(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static json_t *object(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

static json_t *array(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_array(v) ? v : NULL;
}

static const char *text_or(json_t *obj, const char *key, const char *dflt)
{
	const char *v = text(obj, key);
	return v ? v : dflt;
}

int connector_polling(json_t *entity, struct polling_spec *out)
{
	memset(out, 0, sizeof(*out));
	json_t *p = object(entity, "polling");
	if (!p)
		return 0;
	out->action = text(p, "action") ? text(p, "action") : "list";
	out->field = text(p, "field");
	out->param = text(p, "param");
	out->filter = text(p, "filter");
	/* List rows may name the id otherwise than the entity (Cin7 Core's
	 * SaleList rows carry SaleID), or need several fields to tell them
	 * apart (Cin7 Omni's stock rows). */
	json_t *ids = json_object_get(p, "id_field");
	if (json_is_array(ids))
		out->id_fields = ids;
	else if (json_is_string(ids))
		out->id_field = json_string_value(ids);
	else
		out->id_field = text(entity, "id_field");
	if (!out->id_field)
		out->id_field = "id";
	out->id_param = text(p, "id_param");
	out->scope_param = text(p, "scope_param");
	out->epoch_field = text(p, "epoch_field");
	out->epoch_param = text(p, "epoch_param");
	out->restart_param = text(p, "restart_param");
	out->restart_field = text(p, "restart_field");
	out->args = object(p, "args");
	out->first_args = object(p, "first_args");
	out->oldest_first = json_is_true(json_object_get(p, "oldest_first"));
	out->max_items = json_integer_value(json_object_get(p, "max_items"));
	return 1;
}

/* ---- The auth block ---- */

static void fill_field(const char *name, json_t *d, struct auth_field *f)
{
	f->name = name;
	f->decl = d;
	f->type = text(d, "type");
	f->label = text(d, "label");
	f->description = text(d, "description");
	f->env = text(d, "env");
	f->env_aliases = array(d, "env_aliases");
	f->secret = json_is_true(json_object_get(d, "secret"));
	f->required = json_is_true(json_object_get(d, "required"));
	f->multiple = json_is_true(json_object_get(d, "multiple"));
}

static void fill_revoke(json_t *m, struct auth_revoke *r)
{
	json_t *rv = object(m, "revoke");
	if (!rv || !text(rv, "url"))
		return;
	r->url = text(rv, "url");
	r->method = text_or(rv, "method", "POST");
	r->token = text_or(rv, "token", "refresh");
	r->token_as = text_or(rv, "token_as", "param");
	r->param = text_or(rv, "param", "token");
	r->body = text_or(rv, "body", "form");
	r->client_auth = text_or(rv, "client_auth", text_or(m, "client_auth", "body"));
	r->params = object(rv, "params");
	r->headers = object(rv, "headers");
	r->also = array(rv, "also");
	r->already_revoked = array(rv, "already_revoked");
}

static void fill_method(json_t *m, struct auth_method *out)
{
	out->type = text(m, "type");
	out->label = text(m, "label");
	out->description = text(m, "description");
	out->transport = text(m, "transport");
	json_t *fields = object(m, "fields");
	out->n_fields = json_object_size(fields);
	out->fields = out->n_fields ? xcalloc(out->n_fields, sizeof(*out->fields)) : NULL;
	size_t i = 0;
	const char *k;
	json_t *d;
	json_object_foreach(fields, k, d)
		fill_field(k, d, &out->fields[i++]);
	out->in = text_or(m, "in", "header");
	out->name = text_or(m, "name", "X-API-Key");
	out->format = text_or(m, "format", "{api_key}");
	out->headers = object(m, "headers");
	out->query = object(m, "query");
	out->command = json_is_true(json_object_get(m, "command"));
	out->authorize_url = text(m, "authorize_url");
	out->token_url = text(m, "token_url");
	out->scopes = array(m, "scopes");
	out->default_scopes = array(m, "default_scopes");
	out->default_scopes_why = text(m, "default_scopes_why");
	out->scope_param = text_or(m, "scope_param", "scope");
	out->scope_separator = text_or(m, "scope_separator", " ");
	out->pkce = json_is_true(json_object_get(m, "pkce"));
	out->client_auth = text(m, "client_auth");
	out->grants = array(m, "grants");
	out->authorize_params = object(m, "authorize_params");
	out->token_headers = object(m, "token_headers");
	out->token_params = object(m, "token_params");
	out->token_pointer = text_or(m, "token_pointer", "/access_token");
	out->token_extras = object(m, "token_extras");
	out->token_secrets = object(m, "token_secrets");
	out->connect_hooks = array(m, "connect_hooks");
	out->tenants = object(m, "tenants");
	out->token_info = object(m, "token_info");
	out->redirect_extras = array(m, "redirect_extras");
	out->refresh_rotates = json_is_true(json_object_get(m, "refresh_rotates"));
	out->access_token_lifetime_s =
		json_integer_value(json_object_get(m, "access_token_lifetime_s"));
	out->refresh_token_lifetime_s =
		json_integer_value(json_object_get(m, "refresh_token_lifetime_s"));
	out->refresh_token_expires_pointer = text(m, "refresh_token_expires_pointer");
	fill_revoke(m, &out->revoke);
}

struct connector_auth *connector_auth_load(json_t *doc)
{
	json_t *auth = object(doc, "auth");
	json_t *methods = array(auth, "methods");
	if (!auth)
		return NULL;
	struct connector_auth *a = xcalloc(1, sizeof(*a));
	a->default_type = text(auth, "default");
	a->n_methods = json_array_size(methods);
	a->methods = a->n_methods ? xcalloc(a->n_methods, sizeof(*a->methods)) : NULL;
	size_t i;
	json_t *m;
	json_array_foreach(methods, i, m)
		fill_method(m, &a->methods[i]);
	return a;
}

void connector_auth_free(struct connector_auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_methods; i++)
		free(a->methods[i].fields);
	free(a->methods);
	free(a);
}

const struct auth_method *connector_auth_find(const struct connector_auth *a, const char *type)
{
	if (!a)
		return NULL;
	if (!type)
		type = a->default_type;
	for (size_t i = 0; type && i < a->n_methods; i++)
		if (a->methods[i].type && strcmp(a->methods[i].type, type) == 0)
			return &a->methods[i];
	return NULL;
}

const struct auth_field *auth_method_field(const struct auth_method *m, const char *name)
{
	for (size_t i = 0; m && i < m->n_fields; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return &m->fields[i];
	return NULL;
}
