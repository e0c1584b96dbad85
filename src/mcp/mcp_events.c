/* mcp_events.c - stored events for models: the switchboard_events tool and
 * the events:// MCP resources (list, templates, read, the URI a new event
 * updates), over the events layer's store and JSON (webhook.h). */
#include "mcp_events.h"

#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "jsonx.h"
#include "mcp_result.h"
#include "tenancy.h"
#include "webhook.h"

#define TOOL_DEFAULT_LIMIT 20
#define TOOL_MAX_LIMIT 100
#define RESOURCE_PAGE 50     /* resources/list entries per page */
#define RESOURCE_LATEST 20   /* single events listed after the collections */
#define RESOURCE_READ_MAX 50 /* events in one resources/read of a collection */
#define URI_SCHEME "events://"

static const char *name_of(json_t *names, long long id)
{
	char key[32];
	snprintf(key, sizeof(key), "%lld", id);
	return id ? json_string_value(json_object_get(names, key)) : NULL;
}

/* Limit f to the connections who may use (nothing for the local user).
 * OUT: *ids, the array f points into (free it after the query). */
static void only_usable(struct store *s, const struct caller *who, struct event_filter *f,
			long long **ids)
{
	struct connection **list = NULL;
	size_t n = 0;
	*ids = NULL;
	if (!who)
		return;
	f->only_ids = 1;
	if (store_list_connections(s, NULL, &list, NULL) == 0) {
		for (size_t i = 0; list[i]; i++) {
			if (!tenancy_may_use(who, list[i]))
				continue;
			*ids = xrealloc(*ids, (n + 1) * sizeof(**ids));
			(*ids)[n++] = list[i]->id;
		}
	}
	connections_free(list);
	f->connection_ids = *ids;
	f->n_connection_ids = n;
}

/* ---- the switchboard_events tool ---- */

json_t *events_tool_def(void)
{
	json_error_t je;
	json_t *def = json_loads(
		"{\"name\": \"switchboard_events\", \"title\": \"Recent events\","
		" \"description\": \"What happened at the connected vendors: verified webhook "
		"deliveries and polled changes, newest first. Filter by connector, connection, "
		"entity, type (the canonical event such as created, or the vendor's such as "
		"customer.created) and since (ISO 8601, or back from now: -30m, -1h, -2d). Each "
		"event has entity, event, vendor_event, received_at and the vendor's payload, "
		"which often holds only ids: read the record with the entity's read tool. Pass "
		"next_cursor as cursor for older events.\","
		" \"inputSchema\": {\"type\": \"object\", \"additionalProperties\": false,"
		" \"properties\": {"
		"  \"connector\": {\"type\": \"string\", \"description\": \"e.g. stripe\"},"
		"  \"connection\": {\"type\": \"string\", \"description\": \"a connection name, "
		"or CONNECTOR/NAME\"},"
		"  \"entity\": {\"type\": \"string\", \"description\": \"e.g. customers\"},"
		"  \"type\": {\"type\": \"string\", \"description\": \"e.g. created or "
		"customer.created\"},"
		"  \"since\": {\"type\": \"string\", \"description\": \"ISO 8601 time or -1h, "
		"-2d\"},"
		"  \"limit\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 100, "
		"\"default\": 20},"
		"  \"cursor\": {\"type\": \"string\"}}},"
		" \"annotations\": {\"readOnlyHint\": true, \"openWorldHint\": false}}",
		0, &je);
	return def;
}

static json_t *tool_error(const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);
	json_t *r = result_error(msg, NULL);
	free(msg);
	return r;
}

json_t *events_query(struct store *s, json_t *args, const struct caller *who)
{
	struct event_filter f = {0};
	long long *ids = NULL;
	struct event **list = NULL;
	struct connection *conn = NULL;
	json_t *result = NULL, *names = NULL;
	struct err e;
	err_init(&e);
	const char *connection = json_string_value(json_object_get(args, "connection"));
	const char *since = json_string_value(json_object_get(args, "since"));
	const char *cursor = json_string_value(json_object_get(args, "cursor"));
	json_int_t limit = json_integer_value(json_object_get(args, "limit"));
	long before = 0;

	if (!s)
		return tool_error("%s", "the event store is not available, so there are no events");
	f.connector = json_string_value(json_object_get(args, "connector"));
	f.entity = json_string_value(json_object_get(args, "entity"));
	if (f.entity && strcmp(f.entity, EVENTS_NO_ENTITY) == 0)
		f.no_entity = 1;
	f.event_type = json_string_value(json_object_get(args, "type"));
	if (limit <= 0)
		limit = TOOL_DEFAULT_LIMIT;
	if (limit > TOOL_MAX_LIMIT)
		limit = TOOL_MAX_LIMIT;
	f.limit = (int)limit + 1; /* one more tells whether there is a next page */
	if (since && webhook_parse_since(since, now_s(), &f.since) < 0)
		return tool_error("invalid since '%s': use an ISO 8601 time (2026-01-31T09:00:00Z) "
				  "or a span back from now (-30m, -1h, -2d)",
				  since);
	if (cursor && (parse_long(cursor, &before) < 0 || before <= 0))
		return tool_error("invalid cursor '%s': pass next_cursor from the last answer",
				  cursor);
	f.before_id = before;
	if (connection) {
		conn = store_get_connection(s, f.connector, connection, 0, &e);
		if (conn && !tenancy_may_use(who, conn)) {
			tenancy_log_refusal(who, conn->connector, connection);
			connection_free(conn);
			conn = NULL;
			err_init(&e);
			err_set(&e, "no connection named '%s'", connection);
		}
		if (!conn && who)
			return tool_error("no connection named '%s'; see switchboard_connections",
					  connection);
		if (!conn)
			return tool_error("%s; see switchboard_connections", e.msg);
		f.connection_id = conn->id;
		if (!f.connector)
			f.connector = conn->connector;
	}
	only_usable(s, who, &f, &ids);
	if (store_list_events(s, &f, &list, &e) < 0) {
		result = tool_error("%s", e.msg);
		goto out;
	}
	names = webhook_connection_names(s);
	json_t *data = json_array();
	size_t n = 0;
	for (; n < (size_t)limit && list[n]; n++)
		json_array_append_new(
			data, webhook_event_json(list[n], name_of(names, list[n]->connection_id)));
	json_t *structured = json_pack("{s:o}", "data", data);
	if (list[n] && n > 0) {
		char next[32];
		snprintf(next, sizeof(next), "%lld", list[n - 1]->id);
		json_object_set_new(structured, "next_cursor", json_string(next));
	}
	char *text = jsonx_dumps(structured);
	result = json_pack("{s:[{s:s, s:s}], s:o}", "content", "type", "text", "text", text,
			   "structuredContent", structured);
	free(text);
out:
	free(ids);
	json_decref(names);
	events_free(list);
	connection_free(conn);
	return result;
}

/* ---- MCP resources ---- */

char *events_resource_uri(const struct event *ev)
{
	return xasprintf(URI_SCHEME "%s/%s", ev->connector,
			 ev->entity ? ev->entity : EVENTS_NO_ENTITY);
}

/* Split events://c/e[/id] into new strings; *id 0 for a collection. */
static int parse_uri(const char *uri, char **connector, char **entity, long long *id)
{
	size_t sl = strlen(URI_SCHEME);
	if (!uri || strncmp(uri, URI_SCHEME, sl) != 0)
		return -1;
	const char *a = uri + sl, *b, *c;
	size_t an = strcspn(a, "/"), bn, cn = 0;
	if (!an || a[an] != '/')
		return -1;
	b = a + an + 1;
	bn = strcspn(b, "/");
	if (!bn)
		return -1;
	*id = 0;
	if (b[bn] == '/') {
		long v;
		c = b + bn + 1;
		cn = strlen(c);
		if (!cn || strchr(c, '/') || parse_long(c, &v) < 0 || v <= 0)
			return -1;
		*id = v;
	}
	*connector = xstrndup(a, an);
	*entity = xstrndup(b, bn);
	return 0;
}

/* Is connector/entity something events can be about? A connector in the
 * registry with that entity (or "_other"), or anything already stored. */
static int known(struct store *s, const struct registry *r, const char *connector,
		 const char *entity)
{
	const struct connector *c = r ? registry_find(r, connector) : NULL;
	if (c && (strcmp(entity, EVENTS_NO_ENTITY) == 0 || connector_entity(c, entity)))
		return 1;
	struct event_filter f = {.connector = connector, .limit = 1};
	if (strcmp(entity, EVENTS_NO_ENTITY) == 0)
		f.no_entity = 1;
	else
		f.entity = entity;
	struct event **list = NULL;
	int found = s && store_list_events(s, &f, &list, NULL) == 0 && list[0];
	events_free(list);
	return found;
}

int events_resource_check(const struct registry *r, const char *uri, struct err *err)
{
	char *connector = NULL, *entity = NULL;
	long long id;
	int ret = -1;
	if (parse_uri(uri, &connector, &entity, &id) < 0)
		err_set(err, "not an events resource: '%s' (events://CONNECTOR/ENTITY)",
			uri ? uri : "");
	else if (!known(NULL, r, connector, entity))
		err_set(err, "no events resource '%s': no connector '%s' with entity '%s'", uri,
			connector, entity);
	else
		ret = 0;
	free(connector);
	free(entity);
	return ret;
}

static void add_resource(json_t *list, const char *uri, const char *name, const char *title,
			 const char *description)
{
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "uri", uri, "name", name,
					      "title", title, "description", description,
					      "mimeType", "application/json"));
}

json_t *events_resources_list(struct store *s, json_t *params, const struct caller *who, int *code,
			      struct err *err)
{
	json_t *cursor = json_object_get(params, "cursor"), *groups = NULL;
	long off = 0;
	if (cursor && !json_is_null(cursor) &&
	    (!json_is_string(cursor) || json_string_value(cursor)[0] != 'p' ||
	     parse_long(json_string_value(cursor) + 1, &off) < 0 || off < 0)) {
		*code = -32602;
		err_set(err, "invalid cursor");
		return NULL;
	}
	json_t *all = json_array();
	if (s && (who || store_event_groups(s, &groups, NULL) == 0)) {
		size_t i;
		json_t *g;
		json_array_foreach(groups, i, g) {
			const char *c = json_string_value(json_object_get(g, "connector"));
			const char *ent = json_string_value(json_object_get(g, "entity"));
			char at[32];
			webhook_format_time(json_integer_value(json_object_get(g, "last_at")), at);
			char *uri = xasprintf(URI_SCHEME "%s/%s", c, ent ? ent : EVENTS_NO_ENTITY);
			char *name = xasprintf("%s/%s", c, ent ? ent : EVENTS_NO_ENTITY);
			char *title = xasprintf("%s %s events", c, ent ? ent : "other");
			char *desc = xasprintf("%" JSON_INTEGER_FORMAT " events, the latest at %s; "
					       "reading gives the newest %d",
					       json_integer_value(json_object_get(g, "count")), at,
					       RESOURCE_READ_MAX);
			add_resource(all, uri, name, title, desc);
			free(uri);
			free(name);
			free(title);
			free(desc);
		}
		struct event_filter f = {.limit = RESOURCE_LATEST};
		struct event **list = NULL;
		long long *ids = NULL;
		only_usable(s, who, &f, &ids);
		if (store_list_events(s, &f, &list, NULL) == 0) {
			for (size_t k = 0; list[k]; k++) {
				struct event *ev = list[k];
				const char *ent = ev->entity ? ev->entity : EVENTS_NO_ENTITY;
				char at[32];
				webhook_format_time(ev->received_at, at);
				char *uri = xasprintf(URI_SCHEME "%s/%s/%lld", ev->connector, ent,
						      ev->id);
				char *name = xasprintf("%s/%s/%lld", ev->connector, ent, ev->id);
				char *title = xasprintf("%s %s", ev->connector,
							ev->vendor_type ? ev->vendor_type
									: ev->event_type);
				char *desc = xasprintf("%s %s at %s", ent, ev->event_type, at);
				add_resource(all, uri, name, title, desc);
				free(uri);
				free(name);
				free(title);
				free(desc);
			}
		}
		events_free(list);
		free(ids);
	}
	json_decref(groups);
	json_t *page = json_array();
	size_t n = json_array_size(all);
	for (size_t i = (size_t)off; i < n && i < (size_t)off + RESOURCE_PAGE; i++)
		json_array_append(page, json_array_get(all, i));
	json_decref(all);
	json_t *result = json_pack("{s:o}", "resources", page);
	if ((size_t)off + RESOURCE_PAGE < n) {
		char next[32];
		snprintf(next, sizeof(next), "p%ld", off + RESOURCE_PAGE);
		json_object_set_new(result, "nextCursor", json_string(next));
	}
	return result;
}

json_t *events_resources_templates(void)
{
	return json_pack(
		"{s:[{s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s}]}", "resourceTemplates",
		"uriTemplate", URI_SCHEME "{connector}/{entity}", "name", "events", "title",
		"Events of an entity", "description",
		"Webhook deliveries and polled changes of one connector's entity (customers, "
		"invoices, ...), newest first; _other holds events no entity claims",
		"mimeType", "application/json", "uriTemplate",
		URI_SCHEME "{connector}/{entity}/{id}", "name", "event", "title", "One event",
		"description", "One stored event with the vendor's payload", "mimeType",
		"application/json");
}

json_t *events_resource_read(struct store *s, const struct registry *r, json_t *params,
			     const struct caller *who, int *code, struct err *err)
{
	long long *ids = NULL;
	const char *uri = json_string_value(json_object_get(params, "uri"));
	char *connector = NULL, *entity = NULL, *text = NULL;
	long long id = 0;
	struct event **list = NULL;
	json_t *result = NULL, *names = NULL, *body = NULL;

	*code = EVENTS_RESOURCE_NOT_FOUND;
	if (!uri) {
		*code = -32602;
		err_set(err, "resources/read needs a string 'uri'");
		return NULL;
	}
	if (parse_uri(uri, &connector, &entity, &id) < 0) {
		err_set(err, "Resource not found: %s (events://CONNECTOR/ENTITY[/ID])", uri);
		goto out;
	}
	if (!s || !known(s, r, connector, entity)) {
		err_set(err, "Resource not found: %s", uri);
		goto out;
	}
	struct event_filter f = {.connector = connector, .limit = RESOURCE_READ_MAX};
	if (strcmp(entity, EVENTS_NO_ENTITY) == 0)
		f.no_entity = 1;
	else
		f.entity = entity;
	if (id) {
		/* One event: the first at or below id, which must be id itself. */
		f.before_id = id + 1;
		f.limit = 1;
	}
	only_usable(s, who, &f, &ids);
	if (store_list_events(s, &f, &list, err) < 0) {
		*code = -32603;
		goto out;
	}
	names = webhook_connection_names(s);
	if (id) {
		if (!list[0] || list[0]->id != id) {
			err_set(err, "Resource not found: %s", uri);
			goto out;
		}
		body = webhook_event_json(list[0], name_of(names, list[0]->connection_id));
	} else {
		body = json_array();
		for (size_t i = 0; list[i]; i++)
			json_array_append_new(
				body, webhook_event_json(list[i],
							 name_of(names, list[i]->connection_id)));
	}
	text = jsonx_dumps(body);
	result = json_pack("{s:[{s:s, s:s, s:s}]}", "contents", "uri", uri, "mimeType",
			   "application/json", "text", text);
out:
	free(ids);
	free(text);
	json_decref(body);
	json_decref(names);
	events_free(list);
	free(connector);
	free(entity);
	return result;
}
