/* mcp_events.h - stored events for models: the read-only tool
 * switchboard_events and the events:// resources, over the events layer
 * (webhook.h). Strings passed in are borrowed; json_t results are new. */
#ifndef SB_MCP_EVENTS_H
#define SB_MCP_EVENTS_H

#include <jansson.h>

#include "caller.h"
#include "registry.h"
#include "store.h"
#include "util.h"

/* The entity name under which events without one appear in resource URIs:
 * entity names start with a letter, so it cannot collide. */
#define EVENTS_NO_ENTITY "_other"

/* The read-only MCP tool "switchboard_events" (events_tool_def gives its
 * definition). args: {connector?, connection?, entity?, type?, since?,
 * limit? (default 20, at most 100), cursor?}. Returns a CallToolResult: a
 * text block and structuredContent {data: [events, newest first],
 * next_cursor?}, or isError with what to fix. s may be NULL. With who (a
 * caller, tenancy.h), only the events of connections who may use; naming
 * another connection is answered as naming none. */
json_t *events_tool_def(void);
json_t *events_query(struct store *s, json_t *args, const struct caller *who);

/* MCP resources: events://<connector>/<entity> (newest first, capped) and
 * events://<connector>/<entity>/<id>; events without an entity are under
 * the entity "_other". Each returns a result object for the method, or NULL
 * with err: *code is then the JSON-RPC error (-32602 bad params, -32002
 * unknown resource). With who, as events_query: a caller's list has its
 * latest events only (the per-entity collections count everyone's). */
#define EVENTS_RESOURCE_NOT_FOUND -32002
json_t *events_resources_list(struct store *s, json_t *params, const struct caller *who, int *code,
			      struct err *err);
json_t *events_resources_templates(void);
json_t *events_resource_read(struct store *s, const struct registry *r, json_t *params,
			     const struct caller *who, int *code, struct err *err);
/* For resources/subscribe: 0 when uri names an events resource of a known
 * connector (it may have no events yet), else -1 with err. */
int events_resource_check(const struct registry *r, const char *uri, struct err *err);
/* The collection URI an event belongs to, events://<connector>/<entity>;
 * a new string. */
char *events_resource_uri(const struct event *ev);

#endif
