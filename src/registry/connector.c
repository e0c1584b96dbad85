/* connector.c - connector file blocks as C structs (connector.h). */
#include "connector.h"

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

static int connector_polling(json_t *entity, struct polling_spec *out)
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

/* "<a>_<b>_<c>", new; by hand: xasprintf's formatting costs a fifth of a
 * fill, and every action of every connector is filled at start-up. */
static char *join3(const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *out = xmalloc(na + nb + nc + 3);
	memcpy(out, a, na);
	out[na] = '_';
	memcpy(out + na + 1, b, nb);
	out[na + 1 + nb] = '_';
	memcpy(out + na + nb + 2, c, nc + 1);
	return out;
}

/* The action keys the fill reads, in strcmp order: the fill walks an
 * action's few keys once rather than looking up every key the schema
 * allows (every action of every connector is filled at start-up). */
enum action_key {
	K_ALIASES,
	K_AT_LEAST_ONE,
	K_BODY,
	K_BODY_ENCODING,
	K_DESCRIPTION,
	K_DESTRUCTIVE,
	K_FEATURED,
	K_GRAPHQL,
	K_HEADERS,
	K_HOOK,
	K_IDEMPOTENT,
	K_KIND,
	K_METHOD,
	K_MULTIPART,
	K_NOTES,
	K_PAGINATION,
	K_PARAMS,
	K_PATH,
	K_QUERY_ENTITY,
	K_RAW,
	K_REDACT,
	K_REQUIRED,
	K_RESULT,
	K_TITLE,
	K_USER_ERRORS,
	K_WRAP,
	K_WRAP_ARRAY,
	K_COUNT
};

static const char *const action_keys[K_COUNT] = {
	"aliases",      "at_least_one", "body",      "body_encoding", "description", "destructive",
	"featured",     "graphql",      "headers",   "hook",          "idempotent",  "kind",
	"method",       "multipart",    "notes",     "pagination",    "params",      "path",
	"query_entity", "raw",          "redact",    "required",      "result",      "title",
	"user_errors",  "wrap",         "wrap_array"};

static int key_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* v[K_...] = the action's value of each key, NULL when absent. */
static void action_values(json_t *action, json_t *v[K_COUNT])
{
	memset(v, 0, K_COUNT * sizeof(*v));
	const char *k;
	json_t *val;
	json_object_foreach(action, k, val) {
		const char *const *at =
			bsearch(k, action_keys, K_COUNT, sizeof(action_keys[0]), key_cmp);
		if (at)
			v[at - action_keys] = val;
	}
}

static json_t *if_object(json_t *v)
{
	return json_is_object(v) ? v : NULL;
}

static json_t *if_array(json_t *v)
{
	return json_is_array(v) ? v : NULL;
}

static int pagination_fill(json_t *p, struct pagination_spec *out);

static void action_fill(const struct connector *c, const struct connector_model *m,
			const struct entity_spec *e, const char *name, json_t *action,
			struct action_spec *out)
{
	json_t *v[K_COUNT];
	action_values(action, v);
	memset(out, 0, sizeof(*out));
	out->req = &m->req;
	out->errors = &m->errors;
	out->rate_limit = &m->rate_limit;
	out->entity = e;
	out->id = join3(c->slug, e->name, name);
	out->title = json_string_value(v[K_TITLE]);
	out->description = json_string_value(v[K_DESCRIPTION]);
	out->notes = json_string_value(v[K_NOTES]);
	out->aliases = if_array(v[K_ALIASES]);
	out->featured = json_is_true(v[K_FEATURED]);
	out->destructive = v[K_DESTRUCTIVE] ? json_is_true(v[K_DESTRUCTIVE]) : -1;
	out->required = if_array(v[K_REQUIRED]);

	out->name = name;
	out->kind = json_string_value(v[K_KIND]) ? json_string_value(v[K_KIND])
						 : action_kind(name, NULL);
	const char *method = json_string_value(v[K_METHOD]);
	out->method = method ? method : "POST";
	out->path = or_default(json_string_value(v[K_PATH]), "");
	out->graphql = json_string_value(v[K_GRAPHQL]);
	out->hook = json_string_value(v[K_HOOK]);
	out->params = if_object(v[K_PARAMS]);
	const char *k;
	json_t *d;
	json_object_foreach(out->params, k, d)
		out->consts |= json_object_get(d, "const") != NULL;
	/* A read's arguments go in the query; a write's, and every GraphQL
	 * variable, in the body. */
	out->place = !out->graphql && (is_method(method, "GET") || is_method(method, "DELETE") ||
				       is_method(method, "HEAD"))
			     ? PLACE_QUERY
			     : PLACE_BODY;
	out->encoding = encoding(json_string_value(v[K_BODY_ENCODING]), m->req.body);
	out->own_encoding = v[K_BODY_ENCODING] != NULL;
	const char *body = json_string_value(v[K_BODY]);
	out->body_none = is_method(body, "none");
	out->body_fields = is_method(body, "fields");
	out->wrap = json_string_value(v[K_WRAP]);
	out->wrap_array = json_is_true(v[K_WRAP_ARRAY]);
	/* The blocks of the rarer encodings are read only for them. */
	json_t *raw = out->encoding == BODY_RAW ? if_object(v[K_RAW]) : NULL;
	out->raw_content = text(raw, "content");
	out->raw_type = or_default(text(raw, "content_type"), "application/octet-stream");
	json_t *file =
		out->encoding == BODY_MULTIPART ? object(if_object(v[K_MULTIPART]), "file") : NULL;
	out->file = file != NULL;
	out->file_part = or_default(text(file, "part"), "file");
	out->file_content = text(file, "content");
	out->file_name = text(file, "filename");
	out->file_type = or_default(text(file, "content_type"), "application/octet-stream");
	out->headers = if_object(v[K_HEADERS]);
	out->idempotent = v[K_IDEMPOTENT] ? json_is_true(v[K_IDEMPOTENT]) : -1;
	out->at_least_one = v[K_AT_LEAST_ONE];
	out->result = json_string_value(v[K_RESULT]);
	out->redact = v[K_REDACT];
	out->user_errors = json_string_value(v[K_USER_ERRORS]);
	out->query_entity = out->hook ? json_string_value(v[K_QUERY_ENTITY]) : NULL;
	/* A list pages by its own pagination block, else the connector's; so
	 * does any action with a block of its own (action_is_list). */
	if (strcmp(name, "list") == 0 || v[K_PAGINATION]) {
		json_t *p = if_object(v[K_PAGINATION]);
		out->list = pagination_fill(p ? p : object(c->doc, "pagination"), &out->pg);
		if (!out->list)
			memset(&out->pg, 0, sizeof(out->pg));
	}
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
	return pagination_fill(pagination_block(c, action), out);
}

/* Fill out from the pagination block p: 1 when it pages, else 0. */
static int pagination_fill(json_t *p, struct pagination_spec *out)
{
	memset(out, 0, sizeof(*out));
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
	out->required = json_is_true(json_object_get(decl, "required"));
	out->declared = decl != NULL;
	out->type = text(decl, "type");
	out->format = text(decl, "format");
	out->dflt = text(decl, "default");
}

/* ---- Entities and actions ---- */

static void entity_fill(const struct connector *c, const struct connector_model *m,
			const char *name, json_t *entity, struct entity_spec *out)
{
	memset(out, 0, sizeof(*out));
	out->name = name;
	out->description = text(entity, "description");
	out->id_field = text(entity, "id_field");
	out->canonical = text(entity, "canonical");
	out->canonical_fields = object(entity, "canonical_fields");
	out->aliases = array(entity, "aliases");
	out->fields = object(entity, "fields");
	out->create_required = array(entity, "create_required");
	out->polls = connector_polling(entity, &out->polling);
	json_t *actions = object(entity, "actions");
	out->actions = xcalloc(json_object_size(actions) + 1, sizeof(*out->actions));
	const char *k;
	json_t *v;
	json_object_foreach(actions, k, v)
		action_fill(c, m, out, k, v, &out->actions[out->n_actions++]);
	out->lead = entity_action(out, "list");
	if (!out->lead && out->n_actions)
		out->lead = &out->actions[0];
	json_t *events = object(entity, "events");
	out->events = xcalloc(json_object_size(events) + 1, sizeof(*out->events));
	json_object_foreach(events, k, v) {
		struct event_spec *ev = &out->events[out->n_events++];
		ev->name = k;
		ev->vendor = xcalloc(json_is_array(v) ? json_array_size(v) + 1 : 2, sizeof(char *));
		size_t n = 0, i;
		json_t *one;
		if (json_is_string(v))
			ev->vendor[n++] = json_string_value(v);
		json_array_foreach(v, i, one)
			if (json_is_string(one))
				ev->vendor[n++] = json_string_value(one);
	}
}

struct connector_model *connector_model_load(const struct connector *c)
{
	struct connector_model *m = xcalloc(1, sizeof(*m));
	connector_request(c, &m->req);
	connector_errors(c, &m->errors);
	connector_rate_limit(c, &m->rate_limit);
	json_t *entities = object(c->doc, "entities");
	m->entities = xcalloc(json_object_size(entities) + 1, sizeof(*m->entities));
	const char *k;
	json_t *v;
	json_object_foreach(entities, k, v)
		entity_fill(c, m, k, v, &m->entities[m->n_entities++]);
	return m;
}

void connector_model_free(struct connector_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_entities; i++) {
		for (size_t j = 0; j < m->entities[i].n_actions; j++)
			free(m->entities[i].actions[j].id);
		free(m->entities[i].actions);
		for (size_t j = 0; j < m->entities[i].n_events; j++)
			free(m->entities[i].events[j].vendor);
		free(m->entities[i].events);
	}
	free(m->entities);
	free(m);
}

const struct event_spec *entity_event(const struct entity_spec *e, const char *name)
{
	for (size_t i = 0; name && i < e->n_events; i++)
		if (strcmp(e->events[i].name, name) == 0)
			return &e->events[i];
	return NULL;
}

const struct entity_spec *connector_entity(const struct connector *c, const char *name)
{
	for (size_t i = 0; name && c->model && i < c->model->n_entities; i++)
		if (strcmp(c->model->entities[i].name, name) == 0)
			return &c->model->entities[i];
	return NULL;
}

const struct action_spec *entity_action(const struct entity_spec *e, const char *name)
{
	for (size_t i = 0; e && name && i < e->n_actions; i++)
		if (strcmp(e->actions[i].name, name) == 0)
			return &e->actions[i];
	return NULL;
}

static void add_name(json_t *names, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v) {
		if (strcmp(json_string_value(v), name) == 0)
			return;
	}
	json_array_append_new(names, json_string(name));
}

json_t *action_required_args(const struct action_spec *a)
{
	json_t *out = json_array();
	const char *name;
	json_t *decl;
	json_object_foreach(a->params, name, decl) {
		if (json_is_true(json_object_get(decl, "required")))
			add_name(out, name);
	}
	size_t i;
	json_t *v;
	if (a->body_fields && strcmp(a->name, "create") == 0)
		json_array_foreach(a->entity->create_required, i, v)
			add_name(out, json_string_value(v));
	json_array_foreach(a->required, i, v)
		add_name(out, json_string_value(v));
	/* A constant is sent with its value: the caller need not give it. */
	for (i = json_array_size(out); i-- > 0;) {
		const char *n = json_string_value(json_array_get(out, i));
		decl = json_object_get(a->params, n);
		if (!decl && a->body_fields)
			decl = json_object_get(a->entity->fields, n);
		if (json_object_get(decl, "const"))
			json_array_remove(out, i);
	}
	return out;
}

/* ---- The auth block ---- */

/* A field's declaration without switchboard's own keys: the JSON Schema its
 * value must pass. New. */
static json_t *field_schema(json_t *d)
{
	static const char *const own[] = {"secret", "env",     "env_aliases", "required",
					  "label",  "default", "multiple",    NULL};
	json_t *s = json_deep_copy(d);
	for (int i = 0; own[i]; i++)
		json_object_del(s, own[i]);
	return s;
}

static void fields_free(struct auth_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(f[i].schema);
	free(f);
}

static void fill_field(const char *name, json_t *d, struct auth_field *f)
{
	f->name = name;
	f->decl = d;
	f->schema = field_schema(d);
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

/* An object of field declarations (may be NULL) as *n auth_fields, in the
 * file's order. New array (NULL when there are none). */
static struct auth_field *fill_fields(json_t *decls, size_t *n)
{
	*n = json_object_size(decls);
	struct auth_field *fields = *n ? xcalloc(*n, sizeof(*fields)) : NULL;
	size_t i = 0;
	const char *k;
	json_t *d;
	json_object_foreach(decls, k, d)
		fill_field(k, d, &fields[i++]);
	return fields;
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
	out->fields = fill_fields(object(m, "fields"), &out->n_fields);
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
		fields_free(a->methods[i].fields, a->methods[i].n_fields);
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
	info->params = fill_fields(object(doc, "params"), &info->n_params);
	connector_webhooks_fill(object(doc, "webhooks"), &info->webhooks);
	return info;
}

void connector_info_free(struct connector_info *info)
{
	if (!info)
		return;
	fields_free(info->params, info->n_params);
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
