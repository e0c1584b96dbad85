/* connector.c - connector file blocks as C structs (connector.h). */
#include "connector.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "crypto.h"
#include "registry.h"
#include "schema.h"
#include "util.h"

static const char *text(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *or_default(const char *s, const char *dflt)
{
	return s ? s : dflt;
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

static enum body_encoding encoding(const char *name, enum body_encoding dflt)
{
	static const struct {
		const char *name;
		enum body_encoding enc;
	} names[] = {{"json", BODY_JSON},
		     {"form", BODY_FORM},
		     {"none", BODY_NONE},
		     {"multipart", BODY_MULTIPART},
		     {"raw", BODY_RAW}};
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].enc;
	return dflt;
}

void connector_request(const struct connector *c, struct request_conf *out)
{
	memset(out, 0, sizeof(*out));
	json_t *req = object(c->doc, "request");
	out->body = encoding(text(req, "body"), BODY_JSON);
	out->headers = object(req, "headers");
	out->query = object(req, "query");
	out->accept = text(req, "accept");
	if (!out->accept)
		out->accept = "application/json";
	out->timeout_ms = (long)json_integer_value(json_object_get(req, "timeout_ms"));
	json_t *idem = object(req, "idempotency");
	out->idempotency = idem != NULL;
	out->idem_header = text(idem, "header");
	out->idem_query = text(idem, "query");
}

const char *connector_base_url(const struct connector *c)
{
	return text(c->doc, "base_url");
}

static int is_method(const char *m, const char *name)
{
	return m && strcmp(m, name) == 0;
}

static void action_fill(const struct connector *c, const char *name, json_t *action,
			struct action_spec *out)
{
	memset(out, 0, sizeof(*out));
	connector_request(c, &out->req);
	out->name = name;
	out->kind = action_kind(name, action);
	const char *method = text(action, "method");
	out->method = method ? method : "POST";
	out->path = text(action, "path");
	if (!out->path)
		out->path = "";
	out->graphql = text(action, "graphql");
	out->hook = text(action, "hook");
	out->params = object(action, "params");
	const char *k;
	json_t *v;
	json_object_foreach(out->params, k, v)
		out->consts |= json_object_get(v, "const") != NULL;
	/* A read's arguments go in the query; a write's, and every GraphQL
	 * variable, in the body. */
	out->place = !out->graphql && (is_method(method, "GET") || is_method(method, "DELETE") ||
				       is_method(method, "HEAD"))
			     ? PLACE_QUERY
			     : PLACE_BODY;
	out->encoding = encoding(text(action, "body_encoding"), out->req.body);
	out->body_none = is_method(text(action, "body"), "none");
	out->wrap = text(action, "wrap");
	out->wrap_array = json_is_true(json_object_get(action, "wrap_array"));
	/* The blocks of the rarer encodings are read only for them: a fill
	 * costs what the call reads, not what the schema allows. */
	json_t *raw = out->encoding == BODY_RAW ? object(action, "raw") : NULL;
	out->raw_content = text(raw, "content");
	out->raw_type = or_default(text(raw, "content_type"), "application/octet-stream");
	json_t *file = out->encoding == BODY_MULTIPART ? object(object(action, "multipart"), "file")
						       : NULL;
	out->file = file != NULL;
	out->file_part = or_default(text(file, "part"), "file");
	out->file_content = text(file, "content");
	out->file_name = text(file, "filename");
	out->file_type = or_default(text(file, "content_type"), "application/octet-stream");
	out->headers = object(action, "headers");
	json_t *idem = json_object_get(action, "idempotent");
	out->idempotent = idem ? json_is_true(idem) : -1;
	out->at_least_one = json_object_get(action, "at_least_one");
	out->result = text(action, "result");
	out->redact = json_object_get(action, "redact");
	out->user_errors = text(action, "user_errors");
	out->query_entity = out->hook ? text(action, "query_entity") : NULL;
	if ((out->list = action_is_list(c, name, action)))
		connector_pagination(c, action, &out->pg);
	connector_errors(c, &out->errors);
	connector_rate_limit(c, &out->rate_limit);
}

/* The pagination block that applies to action: its own, else c's. */
static json_t *pagination_block(const struct connector *c, json_t *action)
{
	json_t *p = object(action, "pagination");
	return p ? p : object(c->doc, "pagination");
}

static enum page_style page_style(const char *name)
{
	static const char *const names[] = {"none",   "cursor",  "link", "page",
					    "offset", "graphql", "query"};
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (enum page_style)i;
	return PAGE_NONE;
}

int action_is_list(const struct connector *c, const char *name, json_t *action)
{
	if (strcmp(name, "list") != 0 && !json_object_get(action, "pagination"))
		return 0;
	return page_style(text(pagination_block(c, action), "style")) != PAGE_NONE;
}

int connector_pagination(const struct connector *c, json_t *action, struct pagination_spec *out)
{
	memset(out, 0, sizeof(*out));
	json_t *p = pagination_block(c, action);
	out->style = page_style(text(p, "style"));
	out->items = text(p, "items");
	out->limit_param = text(p, "limit_param");
	out->max_limit = (long)json_integer_value(json_object_get(p, "max_limit"));
	out->default_limit = (long)json_integer_value(json_object_get(p, "default_limit"));
	out->cursor_param = text(p, "cursor_param");
	out->next_cursor = text(p, "next_cursor");
	out->has_more = text(p, "has_more");
	out->before_param = text(p, "before_param");
	json_t *first = json_object_get(p, "first");
	out->first = json_is_integer(first)      ? (long)json_integer_value(first)
		     : out->style == PAGE_OFFSET ? 0
						 : 1;
	return out->style != PAGE_NONE;
}

void connector_errors(const struct connector *c, struct errors_spec *out)
{
	json_t *e = object(c->doc, "errors");
	out->message = json_object_get(e, "message");
	out->code = json_object_get(e, "code");
	out->ok_field = text(e, "ok_field");
	out->graphql = json_is_true(json_object_get(e, "graphql"));
	out->records = json_is_true(json_object_get(e, "records"));
	out->hint = text(e, "hint");
}

void connector_rate_limit(const struct connector *c, struct rate_limit_spec *out)
{
	json_t *rl = object(c->doc, "rate_limit");
	json_t *th = object(rl, "throttled");
	out->statuses = json_object_get(rl, "statuses");
	out->max_concurrent = (long)json_integer_value(json_object_get(rl, "max_concurrent"));
	out->throttled = json_object_get(th, "codes");
	out->need = text(th, "need");
	out->have = text(th, "available");
	out->restore = text(th, "restore_rate");
}

const char *connector_name(const struct connector *c)
{
	return text(c->doc, "name");
}

static enum param_place place(const char *in, enum param_place dflt)
{
	return !in                         ? dflt
	       : strcmp(in, "path") == 0   ? PLACE_PATH
	       : strcmp(in, "query") == 0  ? PLACE_QUERY
	       : strcmp(in, "header") == 0 ? PLACE_HEADER
					   : PLACE_BODY;
}

void connector_param(const struct action_spec *a, const char *name, struct param_spec *out)
{
	json_t *decl = json_object_get(a->params, name);
	out->in = place(text(decl, "in"), a->place);
	out->as = text(decl, "as") ? text(decl, "as") : name;
	out->raw = json_is_true(json_object_get(decl, "raw"));
	out->cst = json_object_get(decl, "const");
}

/* Open addressing by the action object's address; at most half full. */
struct connector_cache {
	pthread_mutex_t lock;
	size_t n, cap;
	json_t **keys;
	struct action_spec **specs;
};

struct connector_cache *connector_cache_new(void)
{
	struct connector_cache *cc = xcalloc(1, sizeof(*cc));
	pthread_mutex_init(&cc->lock, NULL);
	return cc;
}

void connector_cache_free(struct connector_cache *cc)
{
	if (!cc)
		return;
	for (size_t i = 0; i < cc->cap; i++)
		free(cc->specs[i]);
	free(cc->keys);
	free(cc->specs);
	pthread_mutex_destroy(&cc->lock);
	free(cc);
}

static size_t slot_of(const struct connector_cache *cc, const json_t *key)
{
	size_t i = (size_t)(((uintptr_t)key >> 4) * 2654435761u) & (cc->cap - 1);
	while (cc->keys[i] && cc->keys[i] != key)
		i = (i + 1) & (cc->cap - 1);
	return i;
}

static void cache_grow(struct connector_cache *cc)
{
	struct connector_cache old = *cc;
	cc->cap = old.cap ? old.cap * 2 : 16;
	cc->keys = xcalloc(cc->cap, sizeof(*cc->keys));
	cc->specs = xcalloc(cc->cap, sizeof(*cc->specs));
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		size_t j = slot_of(cc, old.keys[i]);
		cc->keys[j] = old.keys[i];
		cc->specs[j] = old.specs[i];
	}
	free(old.keys);
	free(old.specs);
}

const struct action_spec *connector_action(const struct connector *c, const char *name,
					   json_t *action)
{
	struct connector_cache *cc = c->cache;
	pthread_mutex_lock(&cc->lock);
	if ((cc->n + 1) * 2 > cc->cap)
		cache_grow(cc);
	size_t i = slot_of(cc, action);
	if (!cc->keys[i]) {
		cc->specs[i] = xmalloc(sizeof(*cc->specs[i]));
		action_fill(c, name, action, cc->specs[i]);
		cc->keys[i] = action;
		cc->n++;
	}
	const struct action_spec *a = cc->specs[i];
	pthread_mutex_unlock(&cc->lock);
	return a;
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
	f->dflt = text(d, "default");
	f->has_default = json_object_get(d, "default") != NULL;
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

static void fill_tenants(json_t *t, struct auth_tenants *out)
{
	out->url = text(t, "url");
	out->items = text(t, "items");
	out->id_pointer = text(t, "id_pointer");
	out->name_pointer = text(t, "name_pointer");
	out->type_pointer = text(t, "type_pointer");
	out->param = text(t, "param");
	out->auth_event_claim = text(t, "auth_event_claim");
	out->auth_event_param = text(t, "auth_event_param");
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
	fill_tenants(object(m, "tenants"), &out->tenants);
	json_t *ti = object(m, "token_info");
	out->token_info.url = text(ti, "url");
	out->token_info.extras = object(ti, "extras");
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

/* ---- The connector's facts, its connection params and webhooks ---- */

static void fill_call(json_t *api, const char *name, struct webhook_call *out)
{
	json_t *call = object(api, name);
	out->name = name;
	out->action = text(call, "action");
	out->args = object(call, "args");
	out->id = text(call, "id");
	out->secret = text(call, "secret");
	out->items = text(call, "items");
}

static void fill_api(json_t *api, struct webhook_api *out)
{
	out->entity = text(api, "entity");
	out->entity_by_arg = object(api, "entity_by_arg");
	fill_call(api, "create", &out->create);
	fill_call(api, "list", &out->list);
	fill_call(api, "delete", &out->remove);
	out->per_event = json_is_true(json_object_get(api, "per_event"));
	out->default_events = array(api, "default_events");
	out->event_case = text(api, "event_case");
	out->secret = text(api, "secret");
	json_t *item = object(api, "item");
	out->item_id = text_or(item, "id", "/id");
	out->item_url = text_or(item, "url", "/url");
	out->item_events = text_or(item, "events", "/events");
}

void connector_webhooks_fill(json_t *wh, struct webhook_spec *out)
{
	memset(out, 0, sizeof(*out));
	out->scheme = text(wh, "scheme");
	out->secret_field = text(wh, "secret_field");
	out->signature_header = text(wh, "signature_header");
	out->signature_encoding = text(wh, "signature_encoding");
	out->signature_prefix = text(wh, "signature_prefix");
	out->timestamp_header = text(wh, "timestamp_header");
	out->id_header = text(wh, "id_header");
	out->tolerance_s = (long)json_integer_value(json_object_get(wh, "tolerance_s"));
	out->event_header = text(wh, "event_header");
	out->event_pointer = text(wh, "event_pointer");
	out->id_pointer = text(wh, "id_pointer");
	out->payload = text(wh, "payload");
	out->register_how = text(wh, "register");
	fill_api(object(wh, "api"), &out->api);
}

struct connector_info *connector_info_load(json_t *doc)
{
	struct connector_info *info = xcalloc(1, sizeof(*info));
	info->name = text(doc, "name");
	info->description = text(doc, "description");
	info->domain = text(doc, "domain");
	info->category = text(doc, "category");
	info->visibility = text_or(doc, "visibility", "public");
	info->created_by = text(doc, "created_by");
	info->icon_url = text(doc, "icon_url");
	info->icon_sizes = array(doc, "icon_sizes");
	info->aliases = array(doc, "aliases");
	json_t *params = object(doc, "params");
	info->n_params = json_object_size(params);
	info->params = info->n_params ? xcalloc(info->n_params, sizeof(*info->params)) : NULL;
	size_t i = 0;
	const char *k;
	json_t *d;
	json_object_foreach(params, k, d)
		fill_field(k, d, &info->params[i++]);
	connector_webhooks_fill(object(doc, "webhooks"), &info->webhooks);
	return info;
}

void connector_info_free(struct connector_info *info)
{
	if (!info)
		return;
	free(info->params);
	free(info);
}

const struct auth_field *connector_param_decl(const struct connector *c, const char *name)
{
	for (size_t i = 0; c->info && i < c->info->n_params; i++)
		if (strcmp(c->info->params[i].name, name) == 0)
			return &c->info->params[i];
	return NULL;
}

/* Does value fit the declaration decl? */
static int param_ok(json_t *decl, const char *value)
{
	json_t *v = json_string(value);
	int ok = schema_validate(decl, v, NULL) == 0;
	json_decref(v);
	return ok;
}

/* Fail an expansion: the partial buffer may hold a secret already. */
static char *expand_fail(struct buf *b)
{
	if (b->data)
		crypto_cleanse(b->data, b->len);
	buf_release(b);
	return NULL;
}

char *connector_expand(const struct connector *c, const struct connection *conn, const char *tmpl,
		       struct err *err)
{
	struct buf b;
	buf_init(&b, 0);
	const char *p = tmpl;
	while (*p) {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(open - p));
		char *name = xstrndup(open + 1, (size_t)(close - open - 1));
		const char *v = connection_value(conn, name);
		const struct auth_field *decl = connector_param_decl(c, name);
		if (v && decl && !param_ok(decl->decl, v)) {
			/* A parameter lands in URLs and headers: one that breaks its
			 * declared pattern (a shop "evil.com/x#") goes nowhere. */
			err_set(err,
				"connection '%s' of %s: '%s' does not match its declared format",
				conn ? conn->name : "?", c->slug, name);
			free(name);
			return expand_fail(&b);
		}
		if (!v && decl) /* the connector's default, e.g. an API version */
			v = decl->dflt;
		if (!v) {
			err_set(err, "connection '%s' of %s has no value for '%s'",
				conn ? conn->name : "?", c->slug, name);
			free(name);
			return expand_fail(&b);
		}
		buf_adds(&b, v);
		free(name);
		p = close + 1;
	}
	return buf_detach(&b);
}

char *connector_base_url_of(const struct connector *c, const struct connection *conn,
			    struct err *err)
{
	const char *tmpl = connection_value(conn, "base_url");
	if (!tmpl)
		tmpl = connector_base_url(c);
	if (!tmpl)
		return err_set(err, "%s has no base URL; set base_url on the connection", c->slug),
		       NULL;
	char *url = connector_expand(c, conn, tmpl, err);
	if (url) {
		size_t n = strlen(url);
		while (n && url[n - 1] == '/')
			url[--n] = '\0';
	}
	return url;
}
