/* mcp_core.h - the MCP core apart from any transport: it takes one parsed
 * message at a time and hands every message it sends (answers, progress, log
 * lines, subscription notifications) to the transport's send function. The
 * stdio loop (mcp_stdio.c) is one transport; HTTP will be another. */
#ifndef SB_MCP_CORE_H
#define SB_MCP_CORE_H

#include <jansson.h>

#include "caller.h"
#include "mcp.h"
#include "util.h"

#define MCP_MODERN_VERSION "2026-07-28"
#define MCP_UNSUPPORTED_PROTOCOL_VERSION -32022 /* 2026-07-28 schema */

struct mcp_core;

struct mcp_transport {
	/* Write one message (borrowed) for the request whose id is rid
	 * (borrowed): its answer, its progress and log lines, a subscription's
	 * notifications (rid is the subscriptions/listen request's id). rid is
	 * NULL for a message of no request (an initialize-era notification) or
	 * for the answer to a message too broken to have an id, sent while the
	 * message is handled. Called on the core's thread only, from
	 * mcp_core_handle(), mcp_core_tick() or mcp_core_free(). */
	void (*send)(const json_t *msg, const json_t *rid, void *ctx);
	void *ctx;
};

/* One request as its handler sees it: the version it is served under and
 * what the client declared, on the request itself (2026-07-28) or in the
 * initialize handshake (earlier versions). A handler that answers later
 * keeps its own references (see struct call in mcp.c). */
struct mcp_req {
	struct mcp_core *core;
	json_t *id;                  /* borrowed */
	json_t *params;              /* borrowed; NULL after the message is gone */
	const char *version;         /* static: MCP_MODERN_VERSION or the initialize version */
	int modern;                  /* 1: per-request metadata (2026-07-28), 0: initialize era */
	json_t *client_caps;         /* borrowed; an empty object when none were declared */
	json_t *client_info;         /* borrowed, may be NULL */
	int log_level;               /* lowest level (index into the syslog levels) sent as
				      * notifications/message for this request; -1: none */
	const struct caller *caller; /* borrowed; NULL over stdio (the local user) */
};

/* Load the registry, open the store and build the tool list. Returns NULL
 * with err set when the server cannot start. opt and tr are borrowed and
 * must outlive the core. */
struct mcp_core *mcp_core_new(struct mcp_options *opt, const struct mcp_transport *tr,
			      struct err *err);

/* Handle one parsed message (borrowed; any JSON value). Answers that need
 * no I/O are sent before this returns; tool calls answer from a later
 * mcp_core_tick(). */
void mcp_core_handle(struct mcp_core *c, json_t *msg);
/* The same for a message from who (borrowed, for this call only; NULL is
 * the local user, as mcp_core_handle): it sees and uses only its own
 * connections and those granted to its groups (tenancy.h). */
void mcp_core_handle_as(struct mcp_core *c, json_t *msg, const struct caller *who);

/* What a stateless transport (HTTP) knows of a message beyond its body. */
struct mcp_origin {
	const char *version;         /* static (mcp_core_version): an initialize-era
					request's version, from its transport's header */
	const struct caller *caller; /* borrowed; NULL: nobody authenticated */
};

/* mcp_core_handle for a stateless transport: an initialize-era request is
 * served by o->version with no client capabilities, whatever an initialize
 * said (it may have reached another replica); requests carry o->caller
 * (which must outlive a call the message starts, until its answer or its
 * cancellation). */
void mcp_core_handle_from(struct mcp_core *c, json_t *msg, const struct mcp_origin *o);

/* The served version equal to v (a static string), or NULL. */
const char *mcp_core_version(const char *v);
/* Every version served, newest first, NULL-terminated (static). */
const char *const *mcp_core_versions(void);

/* The inputSchema of the tool called name (borrowed, valid until the next
 * mcp_core_tick), or NULL when there is no such tool. The registry is read
 * in full first (a call follows). */
json_t *mcp_core_tool_input(struct mcp_core *c, const char *name);

/* Run after every wake-up of the transport's loop: finished transfers,
 * finished browser connects, store changes (tool list, new events). */
void mcp_core_tick(struct mcp_core *c);

/* The client can send nothing more (stdin closed): calls waiting for the
 * user's answer to a question are dropped, unanswered. */
void mcp_core_input_closed(struct mcp_core *c);

/* Tool calls still in flight? The transport keeps running until none are. */
int mcp_core_busy(const struct mcp_core *c);

/* The HTTP client whose transfers the transport's loop waits on. */
struct http_client *mcp_core_http(const struct mcp_core *c);

/* Close open subscriptions gracefully (a final result each), cancel calls
 * in flight and free everything. Accepts NULL. */
void mcp_core_free(struct mcp_core *c);

#endif
