/* mcp_int.h - private to the MCP core's files: mcp.c (the method table,
 * versions, the core's life), mcp_call.c (tools/call), mcp_meta.c (the
 * meta-tools and the builder's) and mcp_resources.c (resources and
 * subscriptions). Everyone else uses mcp_core.h. */
#ifndef SB_MCP_INT_H
#define SB_MCP_INT_H

#include <jansson.h>

#include "audit.h"
#include "exec.h"
#include "mcp.h"
#include "mcp_core.h"
#include "registry.h"
#include "store.h"
#include "tools.h"

/* Without a change feed, a new event reaches subscribers within
 * STORE_CHECK_MS; with one (PostgreSQL), the store is looked at every
 * STORE_FEED_CHECK_MS as well, which finds a dropped connection and
 * reconnects (missed notices then count as one). */
#define STORE_CHECK_MS 200
#define STORE_FEED_CHECK_MS 5000
#define CALLER_TOOLS 16    /* callers whose tool lists are kept */
#define AUDIT_BATCH 64     /* audit entries written in one transaction at most */
#define AUDIT_WAIT_MS 1000 /* an audit entry reaches the store within this */

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define META_INFO "io.modelcontextprotocol/clientInfo"
#define META_LOG_LEVEL "io.modelcontextprotocol/logLevel"
#define META_SERVER_INFO "io.modelcontextprotocol/serverInfo"
#define META_SUBSCRIPTION "io.modelcontextprotocol/subscriptionId"

/* Cache hints (2026-07-28 CacheableResult). The tool list follows the
 * user's connections, so it is private and fresh for a minute (a change is
 * also announced); events arrive at any time, so resources are never fresh. */
#define TTL_DISCOVER_MS 3600000
#define TTL_TOOLS_MS 60000
#define TTL_TEMPLATES_MS 3600000
#define TTL_RESOURCES_MS 0

enum { ERA_LEGACY = 1, ERA_MODERN = 2 }; /* what the client has spoken so far */

struct call {
	struct mcp_req rq;      /* id, client_caps, client_info owned; params NULL */
	json_t *progress_token; /* owned, may be NULL */
	struct exec_call *exec;
	struct conntest *test; /* switchboard_connector_test's run, or NULL */
	struct mcp_core *srv;
	char *tool;               /* owned: the tool's name */
	struct caller *who;       /* owned copy of rq.caller (which points here) */
	struct audit_entry audit; /* its audit entry so far (tool NULL: none) */
	struct call *next;
	/* Waiting for the user's yes (elicitation/create): our request's id,
	 * the tool and its arguments (owned) to run on the yes. */
	json_t *ask_id;
	const struct tool *target;
	json_t *args;
};

/* A subscriptions/listen stream (2026-07-28): open until the client cancels
 * it or the server shuts down. */
struct listen {
	json_t *id;   /* owned: the request's id, which is the subscription id */
	int tools;    /* toolsListChanged */
	int list;     /* resourcesListChanged */
	json_t *uris; /* owned: resourceSubscriptions as uri -> true */
	struct listen *next;
};

struct mcp_core {
	struct mcp_options *opt;
	const struct mcp_transport *tr;
	int era;                         /* ERA_* bits */
	const char *legacy_version;      /* what initialize settled (a static string) */
	json_t *legacy_caps;             /* owned: initialize's client capabilities */
	json_t *legacy_info;             /* owned: initialize's clientInfo, or NULL */
	const struct mcp_req *cur;       /* the request being handled, for log lines */
	const struct mcp_origin *origin; /* mcp_core_handle_from's, while it runs */
	json_t *no_caps;                 /* an empty object: a stateless client's caps */
	struct listen *listens;
	struct mcp_connect *connect; /* switchboard_connect's flows (mcp_connect.c) */
	struct registry *reg;
	struct toolset *tools;
	struct store *store;
	struct http_client *http;
	struct call *calls;
	int log_level; /* logging/setLevel (initialize era): index into levels, -1 = none */
	long long store_version;
	long long next_store_check;
	int tools_stale;           /* the store changed while calls borrowed the tools */
	json_t *subscriptions;     /* resources/subscribe: object uri -> true */
	struct results *results;   /* results:// resources */
	long long last_event_id;   /* events up to here have been announced */
	struct confirm *confirm;   /* the user's yes before what cannot be undone */
	int reload;                /* a connector was saved: read the folders again */
	struct exec_env test_env;  /* switchboard_connector_test's */
	struct registry **retired; /* registries replaced by a reload, freed at the end */
	size_t nretired;
	long long asks; /* requests we sent, for their ids */
	/* Callers' tool lists (tenancy.h): built on first use from the
	 * connections each may use, dropped when the store changes. A list
	 * pushed out while calls still hold its tools waits in retired_ts. */
	struct caller_tools {
		char *key; /* subject and groups */
		struct toolset *ts;
	} ctools[CALLER_TOOLS];
	unsigned ctools_next;
	struct toolset **retired_ts;
	size_t nretired_ts;
	int audit; /* record tool calls in the store's audit log */
	/* Entries of finished calls not yet stored: written together, so a
	 * call never waits for the disk (see mcp_call_audit_flush). */
	struct audit_entry audit_queue[AUDIT_BATCH];
	size_t audit_n;
	long long audit_since; /* when the oldest queued entry came (monotonic) */
};

/* ---- mcp.c ---- */

/* Send msg (stolen) on behalf of the request whose id is rid (borrowed;
 * NULL: no request, or the one being handled). */
void mcp_send(struct mcp_core *srv, const json_t *rid, json_t *msg);

/* Answer rq with result (stolen). A 2026-07-28 result says it is complete
 * (unless the handler set another resultType) and who answered. */
void mcp_reply(const struct mcp_req *rq, json_t *result);

/* Answer rq with a JSON-RPC error. */
void mcp_reply_error(const struct mcp_req *rq, int code, const char *msg);

/* A cacheable result (2026-07-28 only; older clients would not know the
 * fields). */
json_t *mcp_cacheable(const struct mcp_req *rq, json_t *result, int ttl_ms, const char *scope);

/* A connector file the registry could not load: a warning in the log. */
void mcp_report_bad_file(const char *msg, void *ctx);

/* Build the tool list again from the registry and the store, dropping the
 * callers' lists; only with no call in flight. 0, or -1 with err. */
int mcp_rebuild_tools(struct mcp_core *srv, struct err *err);
/* The definitions of the tools the local user sees now. New reference. */
json_t *mcp_visible_defs(struct mcp_core *srv);
/* Send tools/list_changed when the visible definitions differ from before
 * (mcp_visible_defs' earlier answer, stolen), or anyway when force. */
void mcp_announce_if_changed(struct mcp_core *srv, json_t *before, int force);

/* The tools who sees: everything for the local user (NULL), else only the
 * connectors it has a connection of, and no switchboard_connect (its
 * connections are its administrator's to add). Borrowed, never NULL. */
const struct toolset *mcp_tools_of(struct mcp_core *srv, const struct caller *who);

/* ---- mcp_call.c ---- */

/* Store the queued entries in one transaction. */
void mcp_call_audit_flush(struct mcp_core *srv);

/* Take c out of srv->calls and free it. */
void mcp_call_unlink(struct mcp_core *srv, struct call *c);

/* exec works on a call's answer: its log lines belong to the call's
 * request (or to none, when call_ctx is NULL). */
void mcp_call_scope(void *scope_ctx, void *call_ctx);

/* A call answered later: in srv->calls until mcp_call_unlink. */
struct call *mcp_call_new(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
			  json_t *meta);

/* Call t with args (borrowed, an object): validated, the user's yes asked
 * for when it cannot be undone, then run; answered now or when its
 * transfers finish. A meta-tool goes to mcp_meta_call. */
void mcp_call_tool(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
		   json_t *args, json_t *meta);

/* The client's answer to our elicitation/create: run the call on the
 * user's yes, else answer why not. */
void mcp_call_confirm_answered(struct mcp_core *srv, json_t *msg);

/* tools/call. */
void mcp_call_tools_call(struct mcp_core *srv, const struct mcp_req *rq);

/* notifications/cancelled: end who's tool call or subscriptions/listen
 * stream of params' requestId; nothing more is sent for either. */
void mcp_call_cancel(struct mcp_core *srv, json_t *params, const struct caller *who);

/* ---- mcp_meta.c ---- */

/* switchboard_connect (mcp_connect.c) answers now or after an
 * elicitation, so it keeps a copy of the request, as a call does. */
void mcp_meta_connect_send(json_t *msg, void *call, void *ctx);

/* Drop switchboard_connect's copy of the request. */
void mcp_meta_connect_forget(void *call, void *ctx);

/* Answer switchboard_connect's request with result (stolen), then drop it. */
void mcp_meta_connect_answer(void *call, json_t *result, void *ctx);

/* Flows the browser finished: look at the store at once so the new tools
 * are announced without waiting. */
void mcp_meta_watch_connects(struct mcp_core *srv);

/* Read the connector folders again (a connector was saved) and rebuild the
 * tools, announcing a changed list. The old registry is kept until the end:
 * a browser connect in progress may hold one of its connectors. Only when
 * no call is in flight (calls hold tools). */
void mcp_meta_reload_registry(struct mcp_core *srv);

/* A meta-tool's call (t->meta), its arguments validated. */
void mcp_meta_call(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
		   json_t *args, json_t *meta);

/* ---- mcp_resources.c ---- */

/* Tell everyone who asked: initialize-era clients untagged, as they always
 * were (resources/updated only for their resources/subscribe), and each
 * subscriptions/listen stream whose filter wants it, tagged with its id.
 * uri is set for notifications/resources/updated only. */
void mcp_resources_announce(struct mcp_core *srv, const char *method, const char *uri);

/* When another process changes the store (a connection added in a
 * terminal, an event delivered to another replica), the tool list may
 * change: rebuild and tell the client. The store's change feed, when it
 * has one, wakes the loop (http_watch_fd) and says when to look; else, and
 * as a fallback, the data version is polled. */
void mcp_resources_watch_store(struct mcp_core *srv);

/* Free a subscriptions/listen stream. */
void mcp_resources_listen_free(struct listen *l);

/* The events:// resources (mcp_events.c). */
void mcp_resources_list(struct mcp_core *srv, const struct mcp_req *rq);

/* resources/templates/list, resources/read (events:// and results://),
 * resources/subscribe and resources/unsubscribe. */
void mcp_resources_templates(struct mcp_core *srv, const struct mcp_req *rq);

void mcp_resources_read(struct mcp_core *srv, const struct mcp_req *rq);

void mcp_resources_subscribe(struct mcp_core *srv, const struct mcp_req *rq);

void mcp_resources_unsubscribe(struct mcp_core *srv, const struct mcp_req *rq);

/* subscriptions/listen (2026-07-28): acknowledge the part of the filter we
 * honour (tools and resources, never prompts) and keep the stream open; the
 * answer comes only when the server ends it (mcp_core_free). */
void mcp_resources_listen(struct mcp_core *srv, const struct mcp_req *rq);

#endif
