/* tools.c - generates one MCP tool per connector x entity x action, with an
 * input schema a model can fill without guessing, and the discovery
 * meta-tools for when the full list would flood a client's context. */
#include "tools.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "log.h"
#include "search.h"
#include "tools_builder.h"
#include "mcp_events.h"

/* Keys in a parameter declaration that are ours, not JSON Schema. */
static const char *own_keys[] = {"in",          "as",       "raw",   "secret", "env",
				 "env_aliases", "required", "label", NULL};

/* Keywords that constrain only one type, which move into that type's
 * branch when a union type becomes anyOf. */
static const char *const type_keys[][8] = {
	{"object", "properties", "additionalProperties", "patternProperties", "required",
	 "minProperties", "maxProperties", "propertyNames"},
	{"array", "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", NULL},
	{"string", "minLength", "maxLength", "pattern", "format", NULL},
	{"number", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	 NULL},
	{"integer", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	 NULL},
};

/* "type": ["string", "null"] as anyOf: [{"type": "string"}, {"type": "null"}],
 * each branch with its type's keywords: Ajv's strict mode and some model
 * APIs refuse union types. Changes s in place. */
static void split_union(json_t *s)
{
	json_t *types = json_object_get(s, "type");
	if (!json_is_array(types) || json_object_get(s, "anyOf"))
		return;
	json_t *any = json_array();
	size_t i;
	json_t *ty;
	json_array_foreach(types, i, ty) {
		json_t *branch = json_pack("{s:O}", "type", ty);
		for (size_t k = 0; k < sizeof(type_keys) / sizeof(type_keys[0]); k++) {
			if (strcmp(type_keys[k][0], json_string_value(ty)) != 0)
				continue;
			for (size_t j = 1; j < 8 && type_keys[k][j]; j++) {
				json_t *v = json_object_get(s, type_keys[k][j]);
				if (v)
					json_object_set(branch, type_keys[k][j], v);
			}
		}
		json_array_append_new(any, branch);
	}
	for (size_t k = 0; k < sizeof(type_keys) / sizeof(type_keys[0]); k++)
		for (size_t j = 1; j < 8 && type_keys[k][j]; j++)
			json_object_del(s, type_keys[k][j]);
	json_object_del(s, "type");
	json_object_set_new(s, "anyOf", any);
}

/* split_union at every level of a schema. */
static void strict_types(json_t *s)
{
	if (!json_is_object(s))
		return;
	split_union(s);
	const char *k;
	json_t *v;
	json_object_foreach(s, k, v) {
		if (strcmp(k, "properties") == 0 || strcmp(k, "patternProperties") == 0 ||
		    strcmp(k, "$defs") == 0) {
			const char *name;
			json_t *sub;
			json_object_foreach(v, name, sub)
				strict_types(sub);
		} else if (json_is_array(v) && strcmp(k, "enum") != 0 &&
			   strcmp(k, "required") != 0 && strcmp(k, "examples") != 0) {
			size_t i;
			json_t *sub;
			json_array_foreach(v, i, sub)
				strict_types(sub);
		} else if (json_is_object(v) && strcmp(k, "const") != 0 &&
			   strcmp(k, "default") != 0 && strcmp(k, "examples") != 0) {
			strict_types(v);
		}
	}
}

static json_t *schema_copy(json_t *spec)
{
	json_t *out = json_deep_copy(spec);
	for (int i = 0; own_keys[i]; i++)
		json_object_del(out, own_keys[i]);
	strict_types(out);
	return out;
}

static char *words(const char *s)
{
	char *w = xstrdup(s);
	for (char *p = w; *p; p++)
		if (*p == '_')
			*p = ' ';
	return w;
}

/* An update whose fields are the create action's too, when that create
 * tool is in the list (built before it, in file order): in tools/list the
 * create tool declares them, the update names them (tools_listed). */
static int shares_create_fields(const struct toolset *ts, const struct tool *t)
{
	const struct action_spec *create = entity_action(t->spec->entity, "create");
	if (strcmp(t->action, "update") != 0 || !create || !create->body_fields)
		return 0;
	char *name = xasprintf("%s_%s_create", t->connector->slug, t->entity);
	int shown = tools_find(ts, name) != NULL;
	free(name);
	return shown;
}

static json_t *input_schema(const struct tool *t)
{
	const struct action_spec *a = t->spec;
	json_t *props = json_object();
	const char *name;
	json_t *spec;
	/* The declarations are JSON Schema (with the registry's own keys,
	 * which schema_copy leaves out): passed on, not read. */
	json_object_foreach(a->params, name, spec)
		json_object_set_new(props, name, schema_copy(spec));
	if (a->body_fields) {
		json_object_foreach(a->entity->fields, name, spec) {
			if (!json_object_get(props, name))
				json_object_set_new(props, name, schema_copy(spec));
		}
	}
	/* Constants are left out: request.c sends them with their value. */
	json_t *required = action_required_args(a);
	if (t->is_list) {
		json_int_t max = a->pg.max_limit;
		json_t *limit = json_pack("{s:s, s:i}", "type", "integer", "minimum", 1);
		if (max > 0)
			json_object_set_new(limit, "maximum", json_integer(max));
		json_object_set_new(props, "limit", limit);
		json_object_set_new(props, "cursor",
				    json_pack("{s:s, s:s}", "type", "string", "description",
					      "next_cursor of the previous page"));
		json_object_set_new(props, "max_items",
				    json_pack("{s:s, s:i, s:i, s:s}", "type", "integer", "minimum",
					      1, "maximum", 1000, "description",
					      "Items to fetch across pages"));
	}
	if (t->is_list || strcmp(a->kind, "read") == 0)
		json_object_set_new(props, "fields",
				    json_pack("{s:s, s:{s:s}, s:s}", "type", "array", "items",
					      "type", "string", "description",
					      "Keep only these top-level fields"));
	if (json_array_size(t->connections) > 1) {
		char *desc = xasprintf("Which %s connection (account) to use; default: %s.",
				       connector_name(t->connector),
				       json_string_value(json_array_get(t->connections, 0)));
		json_t *conn = json_pack("{s:s, s:O, s:s}", "type", "string", "enum",
					 t->connections, "description", desc);
		/* Streamable HTTP (2026-07-28): a gateway can route or rate-limit
		 * by connection without parsing the body. */
		if (t->header_params)
			json_object_set_new(conn, "x-mcp-header", json_string("Connection"));
		json_object_set_new(props, "connection", conn);
		free(desc);
	}
	json_t *schema = json_pack("{s:s, s:o}", "type", "object", "properties", props);
	if (json_array_size(required))
		json_object_set_new(schema, "required", required);
	else
		json_decref(required);
	json_object_set_new(schema, "additionalProperties", json_false());
	return schema;
}

/* Only what differs from MCP's defaults (readOnlyHint false,
 * destructiveHint true, idempotentHint false, openWorldHint true; the
 * destructive and idempotent hints mean nothing on a read-only tool), NULL
 * when nothing does: a destructive write says nothing. Clients that follow
 * the spec read an absent hint as the cautious default; our own checks read
 * the tool (tools_safety, confirm.c), never these hints. */
static json_t *annotations(const struct tool *t)
{
	if (strcmp(t->spec->kind, "read") == 0)
		return json_pack("{s:b}", "readOnlyHint", 1);
	json_t *a = json_object();
	if (!t->destructive)
		json_object_set_new(a, "destructiveHint", json_false());
	if (t->idempotent)
		json_object_set_new(a, "idempotentHint", json_true());
	if (json_object_size(a))
		return a;
	json_decref(a);
	return NULL;
}

void tools_safety(const struct tool *t, int *read_only, int *destructive)
{
	if (!t->meta) {
		*read_only = strcmp(t->spec->kind, "read") == 0;
		*destructive = !*read_only && t->destructive;
		return;
	}
	json_t *ann = json_object_get(tools_def(t), "annotations");
	*read_only = json_is_true(json_object_get(ann, "readOnlyHint"));
	*destructive = !*read_only && !json_is_false(json_object_get(ann, "destructiveHint"));
}

/* The action's own words; the entity's description once per entity, on
 * the tool a model meets it by (the list, else the first action), since the
 * title and name already say which connector and entity. */
static char *describe(const struct tool *t, int first)
{
	struct buf b;
	buf_init(&b, 0);
	const char *desc = t->spec->description;
	char *ent = words(t->entity), *act = words(t->action);
	if (desc)
		buf_adds(&b, desc);
	else if (strcmp(t->action, "list") == 0)
		buf_addf(&b, "List %s.", ent);
	else if (strcmp(t->action, "read") == 0)
		buf_addf(&b, "Get one of %s by id.", ent);
	else
		buf_addf(&b, "%c%s %s.", toupper((unsigned char)act[0]), act + 1, ent);
	const char *edesc = t->spec->entity->description;
	if (edesc && first)
		buf_addf(&b, " (%s: %s)", ent, edesc);
	const char *notes = t->spec->notes;
	if (notes)
		buf_addf(&b, " %s", notes);
	size_t i;
	json_t *rule;
	json_array_foreach(t->spec->at_least_one, i, rule) {
		char *text = action_rule_text(rule);
		buf_addf(&b, " Needs %s.", text);
		free(text);
	}
	free(ent);
	free(act);
	return buf_detach(&b);
}

static int in_list(char **list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int glob_any(char **globs, const char *s)
{
	for (size_t i = 0; globs && globs[i]; i++)
		if (glob_match(globs[i], s))
			return 1;
	return 0;
}

static void tool_release(struct tool *t)
{
	free(t->name);
	json_decref(t->listed_made);
	json_decref(t->def_made);
	json_decref(t->connections);
}

/* FNV-1a: the tool index's hash. */
static size_t name_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

/* Index tools[i] by name, keeping the table at most half full. */
static void index_put(struct toolset *ts, size_t i)
{
	if (2 * (ts->n + 1) > ts->by_name_cap) {
		size_t cap = ts->by_name_cap ? 2 * ts->by_name_cap : 256;
		free(ts->by_name);
		ts->by_name = xcalloc(cap, sizeof(*ts->by_name));
		ts->by_name_cap = cap;
		for (size_t k = 0; k < ts->n; k++)
			if (k != i)
				index_put(ts, k);
	}
	size_t slot = name_hash(ts->tools[i].name) & (ts->by_name_cap - 1);
	while (ts->by_name[slot])
		slot = (slot + 1) & (ts->by_name_cap - 1);
	ts->by_name[slot] = i + 1;
}

static const struct tool *index_get(const struct toolset *ts, const char *name)
{
	if (!ts->by_name_cap)
		return NULL;
	size_t slot = name_hash(name) & (ts->by_name_cap - 1);
	for (; ts->by_name[slot]; slot = (slot + 1) & (ts->by_name_cap - 1))
		if (strcmp(ts->tools[ts->by_name[slot] - 1].name, name) == 0)
			return &ts->tools[ts->by_name[slot] - 1];
	return NULL;
}

static void push(struct tool **arr, size_t *n, size_t *alloc, struct tool *t)
{
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		*arr = xrealloc(*arr, *alloc * sizeof(**arr));
	}
	(*arr)[(*n)++] = *t;
}

/* The normalised answer, open to more keys: {data, next_cursor, has_more}
 * for lists, each item naming the entity's id field without a type (Cin7
 * Omni's is a number, most are strings; vendors send null for unset
 * fields, so no more is promised); {data} of any shape otherwise, which is
 * all a client can rely on from a vendor's record, kept short since every
 * tool in the list carries it (data stays in properties: Ajv's strict mode
 * refuses a required key that is not). */
static json_t *output_schema(const struct tool *t)
{
	if (!t->is_list)
		return json_pack("{s:s, s:{s:{}}, s:[s]}", "type", "object", "properties", "data",
				 "required", "data");
	const char *id = t->spec->entity->id_field;
	json_t *item = id ? json_pack("{s:{s:{}}}", "properties", id) : json_object();
	return json_pack("{s:s, s:{s:{s:s, s:o}, s:{s:s}, s:{s:s}}, s:[s]}", "type", "object",
			 "properties", "data", "type", "array", "items", item, "next_cursor",
			 "type", "string", "has_more", "type", "boolean", "required", "data");
}

/* MCP icons (2025-11-25) from the connector's icon_url, with the sizes the
 * file declares. No mimeType: the spec has it override a MIME type that is
 * missing or generic, and ours would only repeat the file name's extension;
 * no sizes means any size. NULL when the connector has no icon. */
static json_t *icons(const struct connector *c)
{
	const char *url = c->info->icon_url;
	if (!url)
		return NULL;
	json_t *icon = json_pack("{s:s}", "src", url);
	if (c->info->icon_sizes)
		json_object_set(icon, "sizes", c->info->icon_sizes);
	return json_pack("[o]", icon);
}

char *tools_title(const struct tool *t)
{
	const char *cname = connector_name(t->connector);
	const char *atitle = t->spec->title;
	if (atitle)
		return xasprintf("%s: %s", cname, atitle);
	char *ent = words(t->entity), *act = words(t->action);
	char *title = xasprintf("%s: %s %s", cname, act, ent);
	free(ent);
	free(act);
	return title;
}

static void make_def(struct tool *t, int first)
{
	char *title = tools_title(t);
	char *desc = describe(t, first);
	t->input_made = input_schema(t);
	t->def_made = json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", t->name, "title", title,
				"description", desc, "inputSchema", t->input_made, "outputSchema",
				output_schema(t));
	json_t *ann = annotations(t);
	if (ann)
		json_object_set_new(t->def_made, "annotations", ann);
	json_t *ic = icons(t->connector);
	if (ic)
		json_object_set_new(t->def_made, "icons", ic);
	free(title);
	free(desc);
}

json_t *tools_def(const struct tool *t)
{
	if (!t->def_made) {
		/* Made once and kept: the tool is the toolset's, and logically
		 * unchanged by being described. */
		struct tool *m = (struct tool *)t;
		make_def(m, m->lead);
	}
	return t->def_made;
}

/* The definition as tools/list sends it: without its constant arguments
 * (request.c sends their values; the model need not give them), and for an
 * update whose create tool is listed, its body fields named only: those the
 * entity declares that are neither the action's own params nor required.
 * New; the definition itself (a new reference) when nothing changes. */
static json_t *listed_form(const struct tool *t)
{
	json_t *def = tools_def(t);
	json_t *in = json_deep_copy(json_object_get(def, "inputSchema"));
	json_t *props = json_object_get(in, "properties");
	json_t *params = t->spec->params;
	json_t *required = json_object_get(in, "required");
	size_t dropped = 0, named = 0;
	const char *name;
	json_t *spec;
	void *tmp;
	json_object_foreach_safe(props, tmp, name, spec) {
		if (json_object_get(spec, "const")) {
			json_object_del(props, name);
			dropped++;
		}
	}
	json_object_foreach(t->bare_fields ? t->spec->entity->fields : NULL, name, spec) {
		int keep = json_object_get(params, name) != NULL || !json_object_get(props, name);
		size_t i;
		json_t *r;
		json_array_foreach(required, i, r)
			keep |= strcmp(json_string_value(r), name) == 0;
		if (!keep) {
			json_object_set_new(props, name, json_object());
			named++;
		}
	}
	if (!named && !dropped) {
		json_decref(in);
		return json_incref(def);
	}
	json_t *out = json_copy(def);
	json_object_set_new(out, "inputSchema", in);
	if (named) {
		char *desc = xasprintf("%s Fields as declared in %s_%s_create.",
				       json_string_value(json_object_get(def, "description")),
				       t->connector->slug, t->entity);
		json_object_set_new(out, "description", json_string(desc));
		free(desc);
	}
	return out;
}

json_t *tools_listed(const struct tool *t)
{
	if (t->meta)
		return tools_def(t);
	if (!t->listed_made) /* kept, as def_made is */
		((struct tool *)t)->listed_made = listed_form(t);
	return t->listed_made;
}

struct exec_target tools_target(const struct tool *t)
{
	struct exec_target x = {t->connector, t->spec,
				json_object_get(tools_def(t), "outputSchema")};
	return x;
}

json_t *tools_input(const struct tool *t)
{
	tools_def(t);
	return t->input_made;
}

static void add_meta(struct toolset *ts, size_t *alloc, const char *name, const char *title,
		     const char *desc, json_t *input, int read_only)
{
	struct tool t = {0};
	t.name = xstrdup(name);
	t.meta = 1;
	t.input_made = input;
	t.def_made =
		json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:b, s:b}}", "name", name, "title", title,
			  "description", desc, "inputSchema", input, "annotations", "title", title,
			  "readOnlyHint", read_only, "openWorldHint", !read_only);
	/* A write of ours (connecting an account) can be redone; MCP's
	 * default for a missing destructiveHint is true. switchboard_call's
	 * is set from what it can reach (call_annotations). */
	if (!read_only)
		json_object_set_new(json_object_get(t.def_made, "annotations"), "destructiveHint",
				    json_false());
	push(&ts->meta, &ts->nmeta, alloc, &t);
}

static void build_meta(struct toolset *ts, const struct tools_filter *f)
{
	size_t alloc = 0;
	add_meta(ts, &alloc, "switchboard_search", "Find tools",
		 "Find the tool for a request among the business API tools, in plain words "
		 "(e.g. \"refund the last charge\", \"send a slack message\"). Returns the best "
		 "matches first: name, summary, read_only/destructive and required arguments. "
		 "Without a query it browses: the connectors, then a connector's entities, then "
		 "an entity's tools. Then switchboard_describe for the arguments and "
		 "switchboard_call to run it.",
		 json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:i, s:i}}, "
			   "s:b}",
			   "type", "object", "properties", "query", "type", "string", "description",
			   "What the user wants, in their words.", "connector", "type", "string",
			   "description", "Only this connector (slug, e.g. stripe).", "entity",
			   "type", "string", "description", "Only this entity, e.g. customers.",
			   "limit", "type", "integer", "minimum", 1, "maximum", 50,
			   "additionalProperties", 0),
		 1);
	add_meta(ts, &alloc, "switchboard_describe", "Describe tools",
		 "Show tools' full definitions: description, input schema and annotations. Give "
		 "name, or names for several at once.",
		 json_pack("{s:s, s:{s:{s:s}, s:{s:s, s:{s:s}, s:i, s:i}}, s:b}", "type", "object",
			   "properties", "name", "type", "string", "names", "type", "array",
			   "items", "type", "string", "minItems", 1, "maxItems", 10,
			   "additionalProperties", 0),
		 1);
	add_meta(ts, &alloc, "switchboard_call", "Call a tool",
		 "Run one tool by name with its arguments (see switchboard_describe for them). "
		 "The tool's own safety applies, as if it were called directly.",
		 json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s], s:b}", "type", "object",
			   "properties", "name", "type", "string", "arguments", "type", "object",
			   "required", "name", "additionalProperties", 0),
		 0);
	const char *conn = TOOLS_CONNECTIONS;
	if (!(f->include && !glob_any(f->include, conn)) &&
	    !(f->exclude && glob_any(f->exclude, conn)))
		add_meta(
			ts, &alloc, conn, "Connections",
			"List the user's connections (accounts) per connector: name, default, auth "
			"method, status and last error, without secrets; and the connectors that "
			"have "
			"none yet. Use it to pick a `connection` argument or to tell the user what "
			"needs reconnecting.",
			json_pack("{s:s, s:{s:{s:s, s:s}}, s:b}", "type", "object", "properties",
				  "connector", "type", "string", "description",
				  "Only this connector.", "additionalProperties", 0),
			1);
	if (f->connect && !(f->include && !glob_any(f->include, TOOLS_CONNECT)) &&
	    !(f->exclude && glob_any(f->exclude, TOOLS_CONNECT)))
		add_meta(
			ts, &alloc, TOOLS_CONNECT, "Connect an account",
			"Connect the user's account at a vendor (a connector without a usable "
			"connection, or one that needs reconnecting): OAuth sign-in, or a one-time "
			"page on this computer where the user types an API key or password "
			"themselves. The client shows the page to the user when it can; otherwise "
			"the result has the URL to show them. Never ask for a key in the chat: "
			"settings takes only non-secret values (a shop, a tenant). When the user "
			"has finished, the connection is saved and the tool list changes; nothing "
			"to poll. tenant picks the organisation when the user authorises several "
			"(Xero).",
			json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:[s,s,s,s,s], "
				  "s:s}, s:{s:s, s:{s:s}, s:s}, s:{s:s, s:s}}, s:[s], s:b}",
				  "type", "object", "properties", "connector", "type", "string",
				  "description", "Connector slug, e.g. xero.", "name", "type",
				  "string", "description",
				  "Connection name (default \"default\"); reconnecting reuses it.",
				  "auth", "type", "string", "enum", "oauth2", "api_key", "bearer",
				  "basic", "custom", "description",
				  "Auth method; by default the connection's own, else OAuth when "
				  "an OAuth app is stored, else the connector's key method.",
				  "settings", "type", "object", "additionalProperties", "type",
				  "string", "description",
				  "Non-secret settings the connection needs, e.g. {\"shop\": "
				  "\"acme\"}. Never a key, token or password.",
				  "tenant", "type", "string", "description",
				  "Organisation id or name, when the authorization covers several.",
				  "required", "connector", "additionalProperties", 0),
			0);
	if (f->events && !(f->include && !glob_any(f->include, TOOLS_EVENTS)) &&
	    !(f->exclude && glob_any(f->exclude, TOOLS_EVENTS))) {
		json_t *def = events_tool_def();
		struct tool t = {0};
		t.name = xstrdup(TOOLS_EVENTS);
		t.meta = 1;
		t.def_made = def;
		t.input_made = json_object_get(def, "inputSchema");
		push(&ts->meta, &ts->nmeta, &alloc, &t);
	}
	json_t *defs = f->builder ? tools_builder_defs() : NULL;
	size_t di;
	json_t *def;
	json_array_foreach(defs, di, def) {
		struct tool t = {0};
		t.name = xstrdup(json_string_value(json_object_get(def, "name")));
		t.meta = 1;
		t.def_made = json_incref(def); /* dropped in tool_release */
		t.input_made = json_object_get(def, "inputSchema");
		push(&ts->meta, &ts->nmeta, &alloc, &t);
	}
	json_decref(defs);
	/* Pointers only now: push may have moved the array. */
	size_t nb = 0;
	for (size_t i = 3; i < ts->nmeta; i++) {
		if (strncmp(ts->meta[i].name, "switchboard_connector_", 22) == 0 && nb < 3)
			ts->builder_tools[nb++] = &ts->meta[i];
		const char *n = ts->meta[i].name;
		if (strcmp(n, TOOLS_CONNECTIONS) == 0)
			ts->conn_tool = &ts->meta[i];
		else if (strcmp(n, TOOLS_CONNECT) == 0)
			ts->connect_tool = &ts->meta[i];
		else if (strcmp(n, TOOLS_EVENTS) == 0)
			ts->events_tool = &ts->meta[i];
	}
}

/* switchboard_call can run any generated tool, so its annotations are the
 * union of theirs: read-only only when every tool is (--read-only), and
 * destructive when any is. Each call still carries its target's own. */
static void call_annotations(struct toolset *ts)
{
	int read_only = 1, destructive = 0;
	for (size_t i = 0; i < ts->n; i++) {
		const struct tool *t = &ts->tools[i];
		int ro = strcmp(t->spec->kind, "read") == 0;
		read_only &= ro;
		destructive |= !ro && t->destructive;
	}
	for (size_t i = 0; i < ts->nmeta; i++) {
		if (strcmp(ts->meta[i].name, "switchboard_call") != 0)
			continue;
		json_t *a = json_object_get(ts->meta[i].def_made, "annotations");
		json_object_set_new(a, "readOnlyHint", json_boolean(read_only));
		if (read_only)
			json_object_del(a, "destructiveHint");
		else
			json_object_set_new(a, "destructiveHint", json_boolean(destructive));
	}
}

struct toolset *tools_build(const struct registry *r, const struct tools_filter *f,
			    tools_connections_fn conns, void *ctx, struct err *err)
{
	struct toolset *ts = xcalloc(1, sizeof(*ts));
	size_t alloc = 0;
	for (size_t ci = 0; ci < registry_count(r); ci++) {
		const struct connector *c = registry_at(r, ci);
		if (f->connectors && !in_list(f->connectors, c->slug))
			continue;
		json_t *names = conns ? conns(c, ctx) : json_array();
		if (!f->all && json_array_size(names) == 0) {
			json_decref(names);
			continue;
		}
		for (size_t ei = 0; ei < c->model->n_entities; ei++) {
			const struct entity_spec *e = &c->model->entities[ei];
			for (size_t ai = 0; ai < e->n_actions; ai++) {
				const struct action_spec *a = &e->actions[ai];
				const char *name = a->id;
				int skip = (f->include && !glob_any(f->include, name)) ||
					   (f->exclude && glob_any(f->exclude, name)) ||
					   (f->read_only && strcmp(a->kind, "read") != 0);
				if (!skip && tools_find(ts, name)) {
					err_set(err, "duplicate tool name %s (connector file %s)",
						name, c->path);
					json_decref(names);
					tools_free(ts);
					return NULL;
				}
				if (skip)
					continue;
				struct tool t = {0};
				t.name = xstrdup(name);
				t.connector = c;
				t.entity = e->name;
				t.action = a->name;
				t.spec = a;
				t.connections = json_incref(names); /* dropped in tool_release */
				t.header_params = f->header_params;
				t.is_list = a->list;
				t.featured = a->featured;
				t.destructive = registry_action_destructive(r, a);
				t.idempotent = registry_action_idempotent(r, a);
				t.bare_fields = shares_create_fields(ts, &t);
				t.lead = a == e->lead;
				push(&ts->tools, &ts->n, &alloc, &t);
				index_put(ts, ts->n - 1);
			}
		}
		json_decref(names);
	}
	int max = f->max_tools > 0 ? f->max_tools : 40;
	ts->discover = f->mode == TOOLS_DISCOVER || (f->mode == TOOLS_AUTO && ts->n > (size_t)max);
	if (ts->discover && f->mode == TOOLS_AUTO) {
		/* Pointers only now: push may have moved the array. */
		size_t nf = 0;
		for (size_t i = 0; i < ts->n; i++)
			nf += ts->tools[i].featured;
		if (nf <= (size_t)max) {
			ts->featured = xcalloc(nf ? nf : 1, sizeof(*ts->featured));
			for (size_t i = 0; i < ts->n; i++)
				if (ts->tools[i].featured)
					ts->featured[ts->nfeatured++] = &ts->tools[i];
		}
	}
	/* In auto mode's short list, an update names its fields only when
	 * its create tool is shown beside it. */
	for (size_t i = 0; ts->discover && i < ts->n; i++) {
		struct tool *t = &ts->tools[i];
		if (!t->bare_fields)
			continue;
		char *name = xasprintf("%s_%s_create", t->connector->slug, t->entity);
		const struct tool *create = tools_find(ts, name);
		t->bare_fields = create && create->featured;
		free(name);
	}
	build_meta(ts, f);
	call_annotations(ts);
	ts->reg = r; /* the search index is made when first needed */
	return ts;
}

void tools_free(struct toolset *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		tool_release(&t->tools[i]);
	for (size_t i = 0; i < t->nmeta; i++)
		tool_release(&t->meta[i]);
	free(t->tools);
	free(t->meta);
	free(t->featured);
	search_index_free(t->index);
	free(t->by_name);
	free(t);
}

/* The meta-tools shown beside the generated ones outside discover mode. */
#define EXTRAS_MAX 6
static size_t extras(const struct toolset *t, const struct tool *out[EXTRAS_MAX])
{
	size_t n = 0;
	for (size_t i = 0; i < 3; i++)
		if (t->builder_tools[i])
			out[n++] = t->builder_tools[i];
	if (t->conn_tool)
		out[n++] = t->conn_tool;
	if (t->connect_tool)
		out[n++] = t->connect_tool;
	if (t->events_tool)
		out[n++] = t->events_tool;
	return n;
}

size_t tools_visible_count(const struct toolset *t)
{
	const struct tool *x[EXTRAS_MAX];
	return t->discover ? t->nfeatured + t->nmeta : t->n + extras(t, x);
}

const struct tool *tools_visible_at(const struct toolset *t, size_t i)
{
	const struct tool *x[EXTRAS_MAX];
	if (i >= tools_visible_count(t))
		return NULL;
	if (t->discover)
		return i < t->nfeatured ? t->featured[i] : &t->meta[i - t->nfeatured];
	if (i < t->n)
		return &t->tools[i];
	extras(t, x);
	return x[i - t->n];
}

const struct tool *tools_find(const struct toolset *t, const char *name)
{
	const struct tool *found = index_get(t, name);
	if (found)
		return found;
	for (size_t i = 0; i < t->nmeta; i++)
		if (strcmp(t->meta[i].name, name) == 0 &&
		    (t->discover || &t->meta[i] == t->conn_tool || &t->meta[i] == t->events_tool ||
		     &t->meta[i] == t->connect_tool ||
		     strncmp(t->meta[i].name, "switchboard_connector_", 22) == 0))
			return &t->meta[i];
	return NULL;
}

char **tools_strv_split(const char *csv)
{
	size_t n = 0;
	char **v = xcalloc(1, sizeof(*v));
	char *copy = xstrdup(csv), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*t))
			t++;
		if (!*t)
			continue;
		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n++] = xstrdup(t);
		v[n] = NULL;
	}
	free(copy);
	return v;
}

void tools_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}
