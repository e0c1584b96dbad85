/* conntest_writes.c - connectors test's writes: which create actions a test
 * may send, their arguments made from their schemas, what they made, and
 * the body encoding a vendor refused with the change that fixes it. */
#include "conntest_int.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

/* ---- writes: the create actions, with arguments made from their schemas ---- */

static int is_create(const struct action_spec *x)
{
	return strcmp(x->kind, "write") == 0 &&
	       (strcmp(x->name, "create") == 0 || strncmp(x->name, "create_", 7) == 0);
}

/* Whether creating an entity moves money or reaches people: a word of its
 * name, made singular, has a destructive verb rule (refunds, payment_intents,
 * messages). An imported connector's creates carry no annotations. */
static int entity_destructive(const struct registry *rules, const char *entity)
{
	int found = 0;
	for (const char *w = entity; *w && !found;) {
		size_t n = strcspn(w, "_");
		char *word = xstrndup(w, n && w[n - 1] == 's' ? n - 1 : n);
		struct action_spec verb = {.name = word, .kind = "write", .destructive = -1};
		found = *word && registry_action_destructive(rules, &verb);
		free(word);
		w += n + (w[n] == '_');
	}
	return found;
}

/* Why a test does not send create x, or NULL when it may. */
static const char *write_refusal(struct conntest *t, const struct action_spec *a)
{
	if (registry_action_destructive(t->rules, a) ||
	    entity_destructive(t->rules, a->entity->name))
		return "destructive (it moves money, reaches people or cannot be undone): a test "
		       "never sends it";
	if (a->graphql || a->hook)
		return "not a JSON or form request of its own: its encoding is not the "
		       "connector's to choose";
	if (a->encoding != BODY_JSON && a->encoding != BODY_FORM)
		return "sends a file or a raw body: a test sends only JSON and form bodies";
	if (strchr(a->path, '{'))
		return "needs the id of the object it belongs to (a path parameter): a test "
		       "does not choose one";
	return NULL;
}

/* A value for schema (a parameter's declaration): its default, the first of
 * its enum, else a plain one of its type and format that says who made it.
 * New reference, or NULL for a constant (the request fills it in). */
static json_t *sample(json_t *schema, int depth)
{
	json_t *v;
	if (json_object_get(schema, "const"))
		return NULL;
	if ((v = json_object_get(schema, "default")) || (v = json_object_get(schema, "example")))
		return json_deep_copy(v);
	if ((v = json_array_get(json_object_get(schema, "enum"), 0)))
		return json_deep_copy(v);
	const char *type = json_string_value(json_object_get(schema, "type"));
	const char *format = json_string_value(json_object_get(schema, "format"));
	json_t *min = json_object_get(schema, "minimum");
	if (!type)
		type = "string";
	if (strcmp(type, "integer") == 0)
		return json_integer(json_is_integer(min) ? json_integer_value(min) : 1);
	if (strcmp(type, "number") == 0)
		return json_real(json_is_number(min) ? json_number_value(min) : 1.0);
	if (strcmp(type, "boolean") == 0)
		return json_false();
	if (strcmp(type, "array") == 0) {
		json_t *out = json_array();
		json_t *item =
			depth < 3 ? sample(json_object_get(schema, "items"), depth + 1) : NULL;
		if (item)
			json_array_append_new(out, item);
		return out;
	}
	if (strcmp(type, "object") == 0) {
		json_t *out = json_object();
		json_t *props = json_object_get(schema, "properties");
		size_t i;
		json_t *name;
		json_array_foreach(json_object_get(schema, "required"), i, name) {
			const char *n = json_string_value(name);
			json_t *item = n && depth < 3 ? sample(json_object_get(props, n), depth + 1)
						      : NULL;
			if (item)
				json_object_set_new(out, n, item);
		}
		return out;
	}
	const char *text = "switchboard connectors test";
	if (format && strcmp(format, "email") == 0)
		text = "switchboard-test@example.com";
	else if (format && strcmp(format, "date-time") == 0)
		text = "2026-01-01T00:00:00Z";
	else if (format && strcmp(format, "date") == 0)
		text = "2026-01-01";
	else if (format && (strcmp(format, "uri") == 0 || strcmp(format, "url") == 0))
		text = "https://example.com/switchboard-test";
	json_t *max = json_object_get(schema, "maxLength");
	size_t len = strlen(text);
	if (json_is_integer(max) && json_integer_value(max) > 0 &&
	    (size_t)json_integer_value(max) < len)
		len = (size_t)json_integer_value(max);
	return json_stringn(text, len);
}

/* The arguments of create x: its required ones (as its tool's inputSchema
 * has them: params, the entity's fields and create_required for a "fields"
 * body, the action's required list), and when none goes in the body, one
 * name-like field, so that the body's encoding is put to the test. New. */
static json_t *write_args(const struct action_spec *x)
{
	json_t *decls = json_deep_copy(x->params);
	json_t *required = json_array(), *args = json_object();
	if (!decls)
		decls = json_object();
	const char *name;
	json_t *d;
	json_object_foreach(decls, name, d)
		if (json_is_true(json_object_get(d, "required")))
			json_array_append_new(required, json_string(name));
	if (x->body_fields) {
		json_object_foreach(x->entity->fields, name, d)
			if (!json_object_get(decls, name))
				json_object_set(decls, name, d);
		if (x->entity->create_required)
			json_array_extend(required, x->entity->create_required);
	}
	if (x->required)
		json_array_extend(required, x->required);
	size_t i;
	json_t *n;
	json_array_foreach(required, i, n) {
		const char *pn = json_string_value(n);
		json_t *v = pn ? sample(json_object_get(decls, pn), 0) : NULL;
		if (v)
			json_object_set_new(args, pn, v);
	}
	static const char *const plain[] = {"name", "title", "description", "label", "email", NULL};
	for (i = 0; plain[i] && json_object_size(args) == 0; i++) {
		d = json_object_get(decls, plain[i]);
		const char *type = json_string_value(json_object_get(d, "type"));
		const char *in = json_string_value(json_object_get(d, "in"));
		if (d && type && strcmp(type, "string") == 0 && (!in || strcmp(in, "body") == 0))
			json_object_set_new(args, plain[i], sample(d, 0));
	}
	json_decref(required);
	json_decref(decls);
	return args;
}

/* The create actions of a round: sent (with writes) until each passes once
 * (pump reports a passed one's entry instead), reported as skipped when a
 * test may not send them. */
void conntest_writes_plan(struct conntest *t)
{
	for (size_t i = 0; t->writes && i < t->cur->n; i++) {
		const struct action_spec *x = t->cur->actions[i];
		if (!is_create(x))
			continue;
		const char *why = write_refusal(t, x);
		if (why)
			json_array_append_new(t->results,
					      json_pack("{s:s, s:s, s:s, s:s}", "tool", x->id,
							"check", "create", "outcome", "skipped",
							"message", why));
		else
			conntest_enqueue(t, x, "create", write_args(x));
	}
}

/* Without writes: the creates writes would send. New array. */
json_t *conntest_writes_skipped(struct conntest *t)
{
	json_t *out = json_array();
	for (size_t i = 0; i < t->cur->n; i++) {
		const struct action_spec *x = t->cur->actions[i];
		if (is_create(x) && !write_refusal(t, x))
			json_array_append_new(out, json_string(x->id));
	}
	return out;
}

/* A create passed (in a round or a probe): what it made, kept for the report,
 * and its entry, reported by later rounds instead of sending it again. */
void conntest_writes_passed(struct conntest *t, json_t *job, const struct call_result *result,
			    const char *how)
{
	const char *tool = json_string_value(json_object_get(job, "tool"));
	json_t *e = conntest_entry(job, "passed", result, how);
	json_t *id = json_object_get(json_object_get(result->data, "data"), "id");
	if (json_is_string(id) || json_is_integer(id)) {
		json_object_set(e, "created", id);
		json_array_append_new(t->created, json_pack("{s:s, s:O}", "tool", tool, "id", id));
	} else {
		json_array_append_new(t->created, json_pack("{s:s}", "tool", tool));
	}
	json_object_set_new(t->made, tool, e);
}

/* ---- body encoding: a create whose body the vendor could not read ---- */

int conntest_writes_is_entry(json_t *e)
{
	return strcmp(json_string_value(json_object_get(e, "check")), "create") == 0;
}

/* Did the vendor refuse a create's body as encoded (415, or a 400 saying so)? */
int conntest_writes_refused(json_t *e)
{
	return conntest_writes_is_entry(e) &&
	       strcmp(json_string_value(json_object_get(e, "outcome")), "failed") == 0 &&
	       result_body_refused((int)json_integer_value(json_object_get(e, "status")),
				   json_string_value(json_object_get(e, "message")));
}

/* The other encoding for the creates whose bodies the vendor could not read:
 * in the connector's request.body when it refused every create sent (a
 * vendor reads all its bodies alike), else in each such action's
 * body_encoding; an action that declares its own is changed there. */
json_t *conntest_writes_body_candidates(struct conntest *t, int every)
{
	json_t *list = json_array(), *out = json_array();
	const char *to = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(t->results, i, e) {
		const struct action_spec *x =
			conntest_target_tool(t->cur, json_string_value(json_object_get(e, "tool")));
		if (!x || !conntest_writes_refused(e))
			continue;
		const char *other = x->encoding == BODY_FORM ? "json" : "form";
		if (!to)
			to = other;
		if (strcmp(to, other) != 0 || (every && !x->own_encoding))
			continue;
		char *p = xasprintf("/entities/%s/actions/%s/body_encoding", x->entity->name,
				    x->name);
		conntest_change(list, t->doc, p, json_string(other));
		free(p);
	}
	if (every && to && json_is_object(json_object_get(t->doc, "request")))
		conntest_change(list, t->doc, "/request/body", json_string(to));
	else if (every && to)
		conntest_change(list, t->doc, "/request", json_pack("{s:s}", "body", to));
	if (json_array_size(list))
		json_array_append_new(out, list);
	else
		json_decref(list);
	return out;
}
