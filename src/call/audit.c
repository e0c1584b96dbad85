/* audit.c - redacting a call's arguments for the audit log by the tool's
 * schema, and naming the class of a failure (see audit.h). */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "result.h"
#include "util.h"

#define MAX_DEPTH 32

static int listed(json_t *redact, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(redact, i, v) {
		if (name && json_string_value(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	}
	return 0;
}

static int is_secret(json_t *schema)
{
	const char *format = json_string_value(json_object_get(schema, "format"));
	return json_is_true(json_object_get(schema, "writeOnly")) ||
	       json_is_true(json_object_get(schema, "secret")) ||
	       (format && strcmp(format, "password") == 0);
}

/* Does schema bound a string to a machine shape (see audit.h)? */
static int is_bounded(json_t *schema)
{
	return json_object_get(schema, "enum") || json_object_get(schema, "const") ||
	       json_object_get(schema, "pattern") || json_object_get(schema, "format");
}

/* An argument that goes into the URL's path names a record. */
static int is_path_param(const struct action_spec *action, const char *name)
{
	struct param_spec ps;
	if (!action)
		return 0;
	connector_param(action, name, &ps);
	return ps.in == PLACE_PATH;
}

static json_t *redact_value(json_t *schema, json_t *v, json_t *redact, int depth)
{
	if (is_secret(schema))
		return json_string(AUDIT_SECRET);
	if (depth > MAX_DEPTH)
		return json_string(AUDIT_TEXT);
	if (json_is_string(v))
		return is_bounded(schema) ? json_incref(v) : json_string(AUDIT_TEXT);
	if (json_is_array(v)) {
		json_t *items = json_object_get(schema, "items"), *out = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			json_array_append_new(out, redact_value(items, x, redact, depth + 1));
		return out;
	}
	if (json_is_object(v)) {
		json_t *props = json_object_get(schema, "properties");
		json_t *extra = json_object_get(schema, "additionalProperties");
		json_t *out = json_object();
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			json_t *sub = json_object_get(props, k);
			if (!sub && json_is_object(extra))
				sub = extra;
			json_object_set_new(out, k,
					    listed(redact, k)
						    ? json_string(AUDIT_SECRET)
						    : redact_value(sub, x, redact, depth + 1));
		}
		return out;
	}
	return json_incref(v); /* numbers, booleans, null */
}

json_t *audit_redact(json_t *schema, json_t *args, const struct action_spec *action)
{
	json_t *redact = action ? action->redact : NULL;
	json_t *out = args ? redact_value(schema, args, redact, 0) : json_object();
	const char *k;
	json_t *v;
	json_object_foreach(args, k, v) {
		if (json_is_string(v) && is_path_param(action, k) &&
		    !is_secret(json_object_get(json_object_get(schema, "properties"), k)) &&
		    !listed(redact, k))
			json_object_set(out, k, v);
	}
	return out;
}

char *audit_error_class(const struct call_result *result)
{
	if (!result->error)
		return NULL;
	const char *text = result->error;
	json_t *details = result->details;
	json_t *status = json_object_get(details, "status");
	char *cls = NULL;
	if (json_is_integer(status))
		cls = xasprintf("http_%d", (int)json_integer_value(status));
	else if (json_is_string(json_object_get(details, "error")))
		cls = xstrdup("transport");
	else if (json_object_get(details, "connect"))
		cls = xstrdup("connection");
	else if (strncmp(text, "invalid arguments", 17) == 0)
		cls = xstrdup("invalid_arguments");
	else
		cls = xstrdup("error");
	return cls;
}
