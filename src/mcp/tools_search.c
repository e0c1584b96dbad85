/* tools_search.c - switchboard_search: a ranked index over everything the
 * registry says about each tool, short hits, and browsing by connector and
 * entity for a model that does not yet know what to ask. */
#include "tools.h"

#include <string.h>

#include "search.h"

#define SUMMARY_MAX 110       /* bytes of a hit's one-line summary */
#define ENTITY_SUMMARY_MAX 60 /* and of an entity's, when browsing */

/* The text of every string in an array of aliases, to one field. */
static void add_strings(struct search_index *ix, size_t doc, enum search_field f, json_t *arr)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		search_add_text(ix, doc, f, json_string_value(v));
}

static void add_keys(struct search_index *ix, size_t doc, enum search_field f, json_t *obj)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
		search_add_text(ix, doc, f, k);
}

/* The vendor's operation: "POST /v1/refunds", "chat.postMessage", or a
 * GraphQL document's operation name (mutation OrderCancel(...)). */
static void add_operation(struct search_index *ix, size_t doc, const struct action_spec *a)
{
	search_add_text(ix, doc, SEARCH_OPERATION, a->path);
	const char *gql = a->graphql;
	if (!gql)
		return;
	size_t skip = strspn(gql, " \n\t");
	const char *op = gql + skip + strcspn(gql + skip, " \n\t");
	op += strspn(op, " \n\t");
	char *name = xstrndup(op, strcspn(op, "( {\n\t"));
	search_add_text(ix, doc, SEARCH_OPERATION, name);
	free(name);
}

static void add_tool(struct search_index *ix, const struct tool *t, const struct registry *r)
{
	size_t doc = search_add_doc(ix);
	const struct action_spec *a = t->spec;
	const struct entity_spec *entity = a->entity;
	search_add_text(ix, doc, SEARCH_ACTION, t->action);
	add_strings(ix, doc, SEARCH_ACTION, a->aliases);
	search_add_text(ix, doc, SEARCH_ENTITY, t->entity);
	add_strings(ix, doc, SEARCH_ENTITY, entity->aliases);
	struct canonical_entity ce;
	if (r && entity->canonical && registry_canonical_entity(r, entity->canonical, &ce)) {
		search_add_text(ix, doc, SEARCH_ENTITY, entity->canonical);
		add_strings(ix, doc, SEARCH_ENTITY, ce.aliases);
	}
	search_add_text(ix, doc, SEARCH_CONNECTOR, t->connector->slug);
	search_add_text(ix, doc, SEARCH_CONNECTOR, connector_name(t->connector));
	add_strings(ix, doc, SEARCH_CONNECTOR, t->connector->info->aliases);
	char *title = tools_title(t);
	search_add_text(ix, doc, SEARCH_TITLE, title);
	free(title);
	search_add_text(ix, doc, SEARCH_TEXT, a->description);
	search_add_text(ix, doc, SEARCH_TEXT, a->notes);
	add_operation(ix, doc, a);
	search_add_text(ix, doc, SEARCH_CONTEXT, entity->description);
	search_add_text(ix, doc, SEARCH_CONTEXT, t->connector->info->category);
	add_keys(ix, doc, SEARCH_FIELDS, a->params);
	if (a->body_fields)
		add_keys(ix, doc, SEARCH_FIELDS, entity->fields);
}

struct search_index *tools_index_new(const struct registry *r, const struct toolset *ts)
{
	struct search_index *ix = search_index_new();
	const char *word;
	json_t *list;
	json_object_foreach(r ? registry_synonyms(r) : NULL, word, list) {
		size_t i;
		json_t *v;
		json_array_foreach(list, i, v)
			search_add_synonym(ix, word, json_string_value(v));
	}
	for (size_t i = 0; i < ts->n; i++)
		add_tool(ix, &ts->tools[i], r);
	search_finish(ix);
	return ix;
}

/* The first sentence of d, cut at a word before max bytes. New. */
static char *first_sentence(const char *d, size_t max)
{
	size_t n = 0;
	while (d[n] && !(d[n] == '.' && (d[n + 1] == ' ' || !d[n + 1])) && d[n] != ';')
		n++;
	if (n <= max)
		return xstrndup(d, n);
	n = max;
	while (n > 0 && d[n] != ' ')
		n--;
	char *cut = xstrndup(d, n);
	char *out = xasprintf("%s...", cut);
	free(cut);
	return out;
}

/* A tool's one-line summary: its action's first sentence, else its title. */
static char *summary(const struct tool *t)
{
	const char *d = t->spec->description;
	return d ? first_sentence(d, SUMMARY_MAX)
		 : xstrdup(json_string_value(json_object_get(tools_def(t), "title")));
}

/* A short hit: enough to choose, not enough to call (that is describe). */
static json_t *hit(const struct tool *t)
{
	int read_only, destructive;
	tools_safety(t, &read_only, &destructive);
	char *sum = summary(t);
	json_t *h = json_pack("{s:s, s:O, s:s, s:b}", "name", t->name, "title",
			      json_object_get(tools_def(t), "title"), "summary", sum, "read_only",
			      read_only);
	free(sum);
	if (!read_only)
		json_object_set_new(h, "destructive", json_boolean(destructive));
	json_t *req = json_object_get(tools_input(t), "required");
	json_object_set_new(h, "required", req ? json_deep_copy(req) : json_array());
	return h;
}

struct scope {
	const struct toolset *ts;
	const char *connector, *entity;
};

static int in_scope(size_t doc, void *ctx)
{
	const struct scope *s = ctx;
	const struct tool *t = &s->ts->tools[doc];
	return (!s->connector || strcmp(s->connector, t->connector->slug) == 0) &&
	       (!s->entity || strcmp(s->entity, t->entity) == 0);
}

/* No query and no connector: each connector with its entity and tool counts. */
static json_t *browse_connectors(const struct toolset *ts)
{
	json_t *out = json_array();
	for (size_t i = 0; i < ts->n;) {
		const struct connector *c = ts->tools[i].connector;
		size_t tools = 0, entities = 0;
		const char *last = NULL;
		for (; i < ts->n && ts->tools[i].connector == c; i++, tools++) {
			if (!last || strcmp(last, ts->tools[i].entity) != 0)
				entities++;
			last = ts->tools[i].entity;
		}
		json_array_append_new(
			out, json_pack("{s:s, s:s, s:s, s:I, s:I}", "connector", c->slug, "name",
				       c->info->name, "category", c->info->category, "entities",
				       (json_int_t)entities, "tools", (json_int_t)tools));
	}
	return out;
}

/* A connector without a query: its entities with their actions. */
static json_t *browse_entities(const struct toolset *ts, const char *connector)
{
	json_t *out = json_array(), *cur = NULL;
	const char *last = NULL;
	for (size_t i = 0; i < ts->n; i++) {
		const struct tool *t = &ts->tools[i];
		if (strcmp(t->connector->slug, connector) != 0)
			continue;
		if (!last || strcmp(last, t->entity) != 0) {
			char *sum =
				first_sentence(t->spec->entity->description, ENTITY_SUMMARY_MAX);
			cur = json_pack("{s:s, s:s, s:[]}", "entity", t->entity, "description", sum,
					"actions");
			free(sum);
			json_array_append_new(out, cur);
			last = t->entity;
		}
		json_array_append_new(json_object_get(cur, "actions"), json_string(t->action));
	}
	return out;
}

json_t *tools_search(const struct toolset *ts, const char *query, const char *connector,
		     const char *entity, int limit)
{
	int has_query = query && query[strspn(query, " \t\r\n")];
	if (limit <= 0)
		limit = TOOLS_SEARCH_LIMIT;
	if (!has_query && !connector && !entity)
		return browse_connectors(ts);
	if (!has_query && !entity)
		return browse_entities(ts, connector);
	json_t *out = json_array();
	struct scope s = {ts, connector, entity};
	if (!has_query) { /* an entity: its actions, in registry order */
		for (size_t i = 0; i < ts->n && json_array_size(out) < (size_t)limit; i++)
			if (in_scope(i, &s))
				json_array_append_new(out, hit(&ts->tools[i]));
		return out;
	}
	if (!ts->index) /* made once, on the first search, and kept with the tools */
		((struct toolset *)ts)->index = tools_index_new(ts->reg, ts);
	size_t *best = xmalloc((size_t)limit * sizeof(*best));
	size_t n = search_query(ts->index, query, in_scope, &s, best, (size_t)limit);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, hit(&ts->tools[best[i]]));
	free(best);
	return out;
}
