/* mcp.c - the MCP core: the method table, both eras of version handling
 * (2026-07-28 per-request metadata, and the initialize handshake of
 * 2025-11-25 and earlier), subscriptions, and tool calls answered as their
 * transfers finish. The transport (mcp_stdio.c) feeds it messages. */
#include "mcp_core.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "confirm.h"
#include "conns.h"
#include "conntest.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp_results.h"
#include "connect_page.h"
#include "mcp_connect.h"
#include "result.h"
#include "schema.h"
#include "store.h"
#include "tenancy.h"
#include "tools_builder.h"
#include "mcp_events.h"

/* Without a change feed, a new event reaches subscribers within
 * STORE_CHECK_MS; with one (PostgreSQL), the store is looked at every
 * STORE_FEED_CHECK_MS as well, which finds a dropped connection and
 * reconnects (missed notices then count as one). */
#define STORE_CHECK_MS 200
#define STORE_FEED_CHECK_MS 5000
#define CALLER_TOOLS 16    /* callers whose tool lists are kept */
#define AUDIT_BATCH 64     /* audit entries written in one transaction at most */
#define AUDIT_WAIT_MS 1000 /* an audit entry reaches the store within this */

/* Every version served, newest first: the modern one per request, the
 * others through initialize (versions + 1). */
static const char *versions[] = {MCP_MODERN_VERSION, "2025-11-25", "2025-06-18",
				 "2025-03-26",       "2024-11-05", NULL};
static const char *const *legacy_versions = versions + 1;

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
static const char *levels[] = {"debug",    "info",  "notice",    "warning", "error",
			       "critical", "alert", "emergency", NULL};

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
	 * call never waits for the disk (see audit_flush). */
	struct audit_entry audit_queue[AUDIT_BATCH];
	size_t audit_n;
	long long audit_since; /* when the oldest queued entry came (monotonic) */
};

/* Send msg (stolen) on behalf of the request whose id is rid (borrowed;
 * NULL: no request, or the one being handled). */
static void send_and_free(struct mcp_core *srv, const json_t *rid, json_t *msg)
{
	srv->tr->send(msg, rid, srv->tr->ctx);
	json_decref(msg);
}

static json_t *server_info(void)
{
	return json_pack(
		"{s:s, s:s, s:s, s:s}", "name", "switchboard", "title", "switchboard", "version",
		SB_VERSION, "description",
		"Business APIs (Stripe, GitHub, Shopify, Xero, QuickBooks, Slack, HubSpot, "
		"...) as tools");
}

/* Answer rq with result (stolen). A 2026-07-28 result says it is complete
 * (unless the handler set another resultType) and who answered. */
static void reply(const struct mcp_req *rq, json_t *result)
{
	if (rq->modern && json_is_object(result)) {
		if (!json_object_get(result, "resultType"))
			json_object_set_new(result, "resultType", json_string("complete"));
		json_t *meta = json_object_get(result, "_meta");
		if (!json_is_object(meta)) {
			meta = json_object();
			json_object_set_new(result, "_meta", meta);
		}
		json_object_set_new(meta, META_SERVER_INFO, server_info());
	}
	send_and_free(rq->core, rq->id, jsonrpc_result_new(rq->id, result));
}

static void reply_error(const struct mcp_req *rq, int code, const char *msg)
{
	send_and_free(rq->core, rq->id, jsonrpc_error_new(rq->id, code, msg, NULL));
}

/* A cacheable result (2026-07-28 only; older clients would not know the
 * fields). */
static json_t *cacheable(const struct mcp_req *rq, json_t *result, int ttl_ms, const char *scope)
{
	if (rq->modern && result)
		json_object_set_new(result, "ttlMs", json_integer(ttl_ms));
	if (rq->modern && result)
		json_object_set_new(result, "cacheScope", json_string(scope));
	return result;
}

/* Forward log lines to the client as notifications/message: for the
 * request being handled, at the level it asked for in _meta (2026-07-28);
 * otherwise at the level logging/setLevel set (initialize era). */
static void log_to_client(enum log_level level, const char *line, void *ctx)
{
	struct mcp_core *srv = ctx;
	static const int map[] = {0, 1, 3, 4}; /* debug info warning error */
	int want = srv->cur && srv->cur->modern ? srv->cur->log_level : srv->log_level;
	if (want < 0 || level > LOG_ERROR || map[level] < want)
		return;
	send_and_free(
		srv, srv->cur ? srv->cur->id : NULL,
		jsonrpc_notification_new("notifications/message",
					 json_pack("{s:s, s:s, s:s}", "level", levels[map[level]],
						   "logger", "switchboard", "data", line)));
}

static void report_bad_file(const char *msg, void *ctx)
{
	(void)ctx;
	log_warn("%s", msg);
}

/* Does the store hold any event yet? Then the events tool is worth showing. */
static int have_events(struct store *st)
{
	struct event **list = NULL;
	struct event_filter f = {.limit = 1};
	int any = st && store_list_events(st, &f, &list, NULL) == 0 && list && list[0];
	events_free(list);
	return any;
}

/* Outlines (registry.h) hold what building a tool list reads, not what a
 * listed tool's definition reads: the connectors whose tools ts lists are
 * read in full. 1 when any was (ts must be built again), else 0. */
static int expand_listed(struct mcp_core *srv, const struct toolset *ts)
{
	size_t n = 0, count = tools_visible_count(ts);
	char **slugs = xcalloc(count + 1, sizeof(*slugs));
	for (size_t i = 0; i < count; i++) {
		const struct connector *c = tools_visible_at(ts, i)->connector;
		if (c && c->outline && (n == 0 || strcmp(slugs[n - 1], c->slug) != 0))
			slugs[n++] = c->slug; /* tools come in connector order */
	}
	if (n)
		registry_expand(srv->reg, slugs, report_bad_file, NULL);
	free(slugs);
	return n > 0;
}

/* conns_names for the local user, asking the store only about connectors
 * it holds connections of: one query for all, not one per connector. */
struct names_memo {
	struct store *store;
	json_t *held; /* slug -> true; NULL: ask about each */
};

static json_t *memo_names(const struct connector *c, void *ctx)
{
	struct names_memo *m = ctx;
	int ask = !m->held || json_object_get(m->held, c->slug);
	return conns_names(c, ask ? m->store : NULL);
}

/* tools_build over the server's registry, its listed connectors read in
 * full. */
static struct toolset *build(struct mcp_core *srv, const struct tools_filter *f,
			     tools_connections_fn conns, void *ctx, struct err *err)
{
	struct names_memo m = {ctx, NULL};
	struct connection **list = NULL;
	if (conns == conns_names &&
	    (!m.store || store_list_connections(m.store, NULL, &list, NULL) == 0)) {
		m.held = json_object();
		for (size_t i = 0; list && list[i]; i++)
			json_object_set_new(m.held, list[i]->connector, json_true());
		connections_free(list);
		conns = memo_names;
		ctx = &m;
	}
	struct toolset *ts = tools_build(srv->reg, f, conns, ctx, err);
	if (ts && expand_listed(srv, ts)) {
		tools_free(ts);
		ts = tools_build(srv->reg, f, conns, ctx, err);
	}
	json_decref(m.held);
	return ts;
}

static int rebuild_tools(struct mcp_core *srv, struct err *err)
{
	srv->opt->filter.events = have_events(srv->store);
	/* Only when it can work (a key-based method, or an OAuth app stored):
	 * a tool that can only answer "run oauth-app set" costs every client
	 * context. */
	srv->opt->filter.connect =
		connect_useful(srv->store, srv->reg, srv->opt->filter.connectors);
	struct toolset *ts = build(srv, &srv->opt->filter, conns_names, srv->store, err);
	if (!ts)
		return -1;
	tools_free(srv->tools);
	srv->tools = ts;
	/* Only called with no call in flight: nothing holds a caller's tools. */
	for (size_t i = 0; i < CALLER_TOOLS; i++) {
		free(srv->ctools[i].key);
		tools_free(srv->ctools[i].ts);
		srv->ctools[i] = (struct caller_tools){0};
	}
	return 0;
}

/* The tools who sees: everything for the local user (NULL), else only the
 * connectors it has a connection of, and no switchboard_connect (its
 * connections are its administrator's to add). Borrowed, never NULL. */
static const struct toolset *tools_of(struct mcp_core *srv, const struct caller *who)
{
	if (!who)
		return srv->tools;
	char *groups = who->groups ? json_dumps(who->groups, JSON_COMPACT) : NULL;
	char *key = xasprintf("%s\n%s", who->subject, groups ? groups : "[]");
	free(groups);
	for (size_t i = 0; i < CALLER_TOOLS; i++) {
		if (srv->ctools[i].key && strcmp(srv->ctools[i].key, key) == 0) {
			free(key);
			return srv->ctools[i].ts;
		}
	}
	struct tools_filter f = srv->opt->filter;
	f.connect = 0;
	f.builder = 0; /* it writes the server's connector files: the local user's */
	f.all = 0;
	struct conns_view view = {srv->store, who};
	struct err e;
	err_init(&e);
	struct toolset *ts = build(srv, &f, conns_names_as, &view, &e);
	if (!ts) {
		/* Fail closed: no connector's tools. */
		static char *none[] = {NULL};
		log_warn("%s", e.msg);
		f.connectors = none;
		ts = build(srv, &f, conns_names_as, &view, &e);
	}
	struct caller_tools *slot = &srv->ctools[srv->ctools_next++ % CALLER_TOOLS];
	if (slot->ts && srv->calls) {
		srv->retired_ts = xrealloc(srv->retired_ts,
					   (srv->nretired_ts + 1) * sizeof(*srv->retired_ts));
		srv->retired_ts[srv->nretired_ts++] = slot->ts;
	} else {
		tools_free(slot->ts);
	}
	free(slot->key);
	slot->key = key;
	slot->ts = ts;
	return ts;
}

static void retired_free(struct mcp_core *srv)
{
	for (size_t i = 0; i < srv->nretired_ts; i++)
		tools_free(srv->retired_ts[i]);
	free(srv->retired_ts);
	srv->retired_ts = NULL;
	srv->nretired_ts = 0;
}

/* Tell everyone who asked: initialize-era clients untagged, as they always
 * were (resources/updated only for their resources/subscribe), and each
 * subscriptions/listen stream whose filter wants it, tagged with its id.
 * uri is set for notifications/resources/updated only. */
static void announce(struct mcp_core *srv, const char *method, const char *uri)
{
	int tools = strcmp(method, "notifications/tools/list_changed") == 0;
	if (srv->era != ERA_MODERN && (!uri || json_object_get(srv->subscriptions, uri)))
		send_and_free(srv, NULL,
			      jsonrpc_notification_new(method, uri ? json_pack("{s:s}", "uri", uri)
								   : NULL));
	for (struct listen *l = srv->listens; l; l = l->next) {
		int wants = uri     ? json_object_get(l->uris, uri) != NULL
			    : tools ? l->tools
				    : l->list;
		if (!wants)
			continue;
		json_t *params = json_pack("{s:{s:O}}", "_meta", META_SUBSCRIPTION, l->id);
		if (uri)
			json_object_set_new(params, "uri", json_string(uri));
		send_and_free(srv, l->id, jsonrpc_notification_new(method, params));
	}
}

/* Events stored since the last look (by `webhooks serve` or `events
 * poll`, usually another process): the resource list changed, and each
 * subscribed events://<connector>/<entity> they belong to is updated. */
static void watch_events(struct mcp_core *srv)
{
	struct event_filter f = {.after_id = srv->last_event_id, .limit = 1000};
	struct event **list = NULL;
	json_t *updated = json_object();
	int any = 0;
	while (store_list_events(srv->store, &f, &list, NULL) == 0 && list[0]) {
		size_t n = 0;
		for (; list[n]; n++) {
			char *uri = events_resource_uri(list[n]);
			json_object_set_new(updated, uri, json_true());
			free(uri);
			f.after_id = list[n]->id;
		}
		any = 1;
		events_free(list);
		list = NULL;
		if (n < 1000)
			break;
	}
	events_free(list);
	srv->last_event_id = f.after_id;
	const char *uri;
	json_t *v;
	json_object_foreach(updated, uri, v)
		announce(srv, "notifications/resources/updated", uri);
	if (any)
		announce(srv, "notifications/resources/list_changed", NULL);
	json_decref(updated);
}

/* When another process changes the store (a connection added in a
 * terminal, an event delivered to another replica), the tool list may
 * change: rebuild and tell the client. The store's change feed, when it
 * has one, wakes the loop (http_watch_fd) and says when to look; else, and
 * as a fallback, the data version is polled. */
static void watch_store(struct mcp_core *srv)
{
	if (!srv->store)
		return;
	int notified = store_take_notices(srv->store);
	int feed = store_notify_fd(srv->store);
	http_watch_fd(srv->http, feed);
	if (!notified && !(srv->tools_stale && !srv->calls) && now_ms() < srv->next_store_check)
		return;
	srv->next_store_check = now_ms() + (feed >= 0 ? STORE_FEED_CHECK_MS : STORE_CHECK_MS);
	long long v = store_data_version(srv->store);
	/* -1: the store is unreachable (a PostgreSQL restart); keep the tools
	 * we have rather than rebuild them from nothing. */
	if (v < 0 || (v == srv->store_version && !srv->tools_stale))
		return;
	if (v != srv->store_version) {
		srv->store_version = v;
		watch_events(srv);
	}
	srv->tools_stale = 1;
	if (srv->calls)
		return; /* tools are borrowed by calls in flight; try again later */
	srv->tools_stale = 0;
	json_t *before = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(before, tools_def(tools_visible_at(srv->tools, i)));
	int had_callers = 0;
	for (size_t i = 0; i < CALLER_TOOLS; i++)
		had_callers |= srv->ctools[i].ts != NULL;
	struct err e;
	err_init(&e);
	if (rebuild_tools(srv, &e) < 0) {
		log_warn("%s", e.msg);
		json_decref(before);
		return;
	}
	json_t *after = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(after, tools_def(tools_visible_at(srv->tools, i)));
	/* A caller's list may have changed with a grant the local list does
	 * not show: they were dropped, so say so when there were any. */
	if (!json_equal(before, after) || had_callers)
		announce(srv, "notifications/tools/list_changed", NULL);
	json_decref(before);
	json_decref(after);
}

/* Before anything but a tool list is made (a call, a search, a resource):
 * the connectors still outlines are read in full, once, and the tools
 * built again; a list changed by it (a file edited since start-up) is
 * announced. */
static void expand_all(struct mcp_core *srv)
{
	if (!registry_has_outlines(srv->reg))
		return;
	json_t *before = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(before, tools_def(tools_visible_at(srv->tools, i)));
	registry_expand(srv->reg, NULL, report_bad_file, NULL);
	struct err e;
	err_init(&e);
	if (rebuild_tools(srv, &e) < 0) {
		/* Fail closed: the old tools point into outlines. */
		static char *none[] = {NULL};
		struct tools_filter f = srv->opt->filter;
		log_warn("%s", e.msg);
		f.connectors = none;
		tools_free(srv->tools);
		srv->tools = tools_build(srv->reg, &f, conns_names, srv->store, &e);
		for (size_t i = 0; i < CALLER_TOOLS; i++) {
			free(srv->ctools[i].key);
			tools_free(srv->ctools[i].ts);
			srv->ctools[i] = (struct caller_tools){0};
		}
	}
	json_t *after = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(after, tools_def(tools_visible_at(srv->tools, i)));
	if (!json_equal(before, after))
		announce(srv, "notifications/tools/list_changed", NULL);
	json_decref(before);
	json_decref(after);
}

static const char instructions[] =
	"Each tool is <connector>_<entity>_<action> and acts on the user's account at that "
	"vendor through a stored connection. When a connector has several connections, pass "
	"`connection` to choose one; otherwise the default is used. List tools return {data, "
	"next_cursor}: pass next_cursor as `cursor` to page. Failed calls return isError "
	"with the vendor's status and code and what to do next; retry_after_s means wait "
	"that long. If a tool says a connection is missing or needs reconnecting, call "
	"switchboard_connect with the arguments its details give (or tell the user the "
	"command it names); never ask for a key in the chat. In discovery mode use "
	"switchboard_search, then "
	"switchboard_describe, then switchboard_call.";

/* The instructions, with a warning first when the install cannot serve
 * business tools. Returns a new string. */
static char *instructions_new(struct mcp_core *srv)
{
	/* An install without its data folder serves no business tools: say so
	 * where the model (and through it the user) reads first. */
	char *hint = registry_empty_hint(srv->reg);
	char *text = hint ? xasprintf("switchboard is not set up: %s. Tell the user; no "
				      "business tools are available until it is fixed. %s",
				      hint, instructions)
			  : xstrdup(instructions);
	free(hint);
	return text;
}

/* resources/subscribe is an initialize-era method; 2026-07-28 clients
 * subscribe through subscriptions/listen. */
static json_t *capabilities(int modern)
{
	json_t *caps = json_pack("{s:{s:b}, s:{}, s:{s:b}}", "tools", "listChanged", 1, "logging",
				 "resources", "listChanged", 1);
	if (!modern)
		json_object_set_new(json_object_get(caps, "resources"), "subscribe", json_true());
	return caps;
}

static void m_initialize(struct mcp_core *srv, const struct mcp_req *rq)
{
	const char *asked = json_string_value(json_object_get(rq->params, "protocolVersion"));
	const char *version = legacy_versions[0];
	for (int i = 0; asked && legacy_versions[i]; i++)
		if (strcmp(asked, legacy_versions[i]) == 0)
			version = legacy_versions[i];
	json_t *caps = json_object_get(rq->params, "capabilities");
	json_t *info = json_object_get(rq->params, "clientInfo");
	srv->legacy_version = version;
	json_decref(srv->legacy_caps);
	srv->legacy_caps = json_is_object(caps) ? json_incref(caps)
						: json_object(); /* freed in mcp_core_free */
	json_decref(srv->legacy_info);
	srv->legacy_info = json_is_object(info) ? json_incref(info) : NULL; /* likewise */
	char *text = instructions_new(srv);
	json_t *res = json_pack("{s:s, s:o, s:o, s:s}", "protocolVersion", version, "capabilities",
				capabilities(0), "serverInfo", server_info(), "instructions", text);
	free(text);
	reply(rq, res);
}

/* server/discover: what a 2026-07-28 client may call first, and the probe a
 * dual-era client uses to learn which era it talks to. */
static void m_discover(struct mcp_core *srv, const struct mcp_req *rq)
{
	json_t *list = json_array();
	for (int i = 0; versions[i]; i++)
		json_array_append_new(list, json_string(versions[i]));
	char *text = instructions_new(srv);
	json_t *res = json_pack("{s:o, s:o, s:s}", "supportedVersions", list, "capabilities",
				capabilities(1), "instructions", text);
	free(text);
	reply(rq, cacheable(rq, res, TTL_DISCOVER_MS, "public"));
}

static void m_ping(struct mcp_core *srv, const struct mcp_req *rq)
{
	(void)srv;
	reply(rq, json_object());
}

static int parse_cursor(const char *cursor, size_t *off)
{
	long v;
	if (!cursor || cursor[0] != 'p' || parse_long(cursor + 1, &v) < 0 || v < 0)
		return -1;
	*off = (size_t)v;
	return 0;
}

/* The order is the registry's (connectors sorted by slug, actions in file
 * order), so the same store gives the same list: deterministic, as
 * 2026-07-28 asks, which keeps clients' prompt caches warm. */
static void m_tools_list(struct mcp_core *srv, const struct mcp_req *rq)
{
	const struct toolset *ts = tools_of(srv, rq->caller);
	size_t off = 0, n = tools_visible_count(ts);
	json_t *cursor = json_object_get(rq->params, "cursor");
	if (cursor && !json_is_null(cursor) &&
	    (!json_is_string(cursor) || parse_cursor(json_string_value(cursor), &off) < 0 ||
	     off > n)) {
		reply_error(rq, JSONRPC_INVALID_PARAMS, "invalid cursor");
		return;
	}
	size_t page = srv->opt->page_size > 0 ? (size_t)srv->opt->page_size : n;
	json_t *list = json_array();
	for (size_t i = off; i < n && i < off + page; i++)
		json_array_append(list, tools_listed(tools_visible_at(ts, i)));
	json_t *result = json_pack("{s:o}", "tools", list);
	if (off + page < n) {
		char *next = xasprintf("p%zu", off + page);
		json_object_set_new(result, "nextCursor", json_string(next));
		free(next);
	}
	reply(rq, cacheable(rq, result, TTL_TOOLS_MS, "private"));
}

/* ---- the audit log: one entry per call of a connector's tool ---- */

static void audit_release(struct audit_entry *a)
{
	free(a->subject);
	free(a->tool);
	free(a->connector);
	free(a->connection);
	free(a->owner);
	free(a->outcome);
	free(a->error);
	json_decref(a->arguments);
	*a = (struct audit_entry){0};
}

/* Start a's entry for a call of t with args (borrowed) by who: which
 * connection it is on, and the arguments redacted by t's schema. */
static void audit_begin(struct mcp_core *srv, struct audit_entry *a, const struct caller *who,
			const struct tool *t, json_t *args)
{
	*a = (struct audit_entry){0};
	if (!srv->audit || !srv->store)
		return;
	a->at_ms = now_wall_ms();
	a->subject = who ? xstrdup(who->subject) : NULL;
	a->tool = xstrdup(t->name);
	a->connector = xstrdup(t->connector->slug);
	const char *name = json_string_value(json_object_get(args, "connection"));
	struct connection *conn = conns_which(srv->store, t->connector, name, who);
	a->connection = conn ? xstrdup(conn->name) : name ? xstrdup(name) : NULL;
	a->owner = conn && conn->owner ? xstrdup(conn->owner) : NULL;
	connection_free(conn);
	a->arguments = audit_redact(tools_input(t), args, t->spec);
}

/* How the call ended: outcome, or (NULL) by result (borrowed): ok or error
 * with its class. An outcome set before (refused) stays. */
static void audit_outcome(struct audit_entry *a, const char *outcome, json_t *result)
{
	if (!a->tool)
		return;
	a->error = a->error ? a->error : result ? audit_error_class(result) : NULL;
	if (!a->outcome)
		a->outcome = xstrdup(outcome ? outcome : a->error ? "error" : "ok");
	a->duration_ms = now_wall_ms() - a->at_ms;
	if (a->duration_ms < 0) /* the clock was set back meanwhile */
		a->duration_ms = 0;
}

/* Store the queued entries in one transaction. */
static void audit_flush(struct mcp_core *srv)
{
	struct err e;
	err_init(&e);
	if (srv->audit_n && store_add_audits(srv->store, srv->audit_queue, srv->audit_n, &e) < 0)
		log_warn("cannot record %zu calls in the audit log: %s", srv->audit_n, e.msg);
	for (size_t i = 0; i < srv->audit_n; i++)
		audit_release(&srv->audit_queue[i]);
	srv->audit_n = 0;
}

/* Queue a (taken over; a is left empty) for the store: written with the
 * others within AUDIT_WAIT_MS (mcp_core_tick) or when AUDIT_BATCH are
 * waiting, and at the end. One transaction a second rather than one a call
 * keeps the disk's flush out of every call's time. */
static void audit_write(struct mcp_core *srv, struct audit_entry *a)
{
	if (!a->tool || !a->outcome) {
		audit_release(a);
		return;
	}
	if (srv->audit_n == 0)
		srv->audit_since = now_ms();
	srv->audit_queue[srv->audit_n++] = *a;
	*a = (struct audit_entry){0};
	if (srv->audit_n == AUDIT_BATCH)
		audit_flush(srv);
}

static void unlink_call(struct mcp_core *srv, struct call *c)
{
	for (struct call **p = &srv->calls; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	if (srv->cur == &c->rq)
		srv->cur = NULL; /* exec may still log after done() */
	json_decref(c->rq.id);
	json_decref(c->rq.client_caps);
	json_decref(c->rq.client_info);
	json_decref(c->progress_token);
	json_decref(c->ask_id);
	json_decref(c->args);
	free(c->tool);
	tenancy_caller_free(c->who);
	audit_release(&c->audit);
	free(c);
}

static void call_done(json_t *result, void *ctx)
{
	struct call *c = ctx;
	json_t *part =
		results_shrink(c->srv->results, c->tool, result, c->who ? c->who->subject : NULL);
	if (part) {
		json_decref(result);
		result = part;
	}
	audit_outcome(&c->audit, NULL, result);
	reply(&c->rq, result);
	audit_write(c->srv, &c->audit);
	unlink_call(c->srv, c);
}

/* exec works on a call's answer: its log lines belong to the call's
 * request (or to none, when call_ctx is NULL). */
static void call_scope(void *scope_ctx, void *call_ctx)
{
	struct mcp_core *srv = scope_ctx;
	struct call *c = call_ctx;
	srv->cur = c ? &c->rq : NULL;
}

static void call_progress(double progress, double total, const char *message, void *ctx)
{
	struct call *c = ctx;
	if (!c->progress_token)
		return;
	json_t *p =
		json_pack("{s:O, s:f}", "progressToken", c->progress_token, "progress", progress);
	if (total > 0)
		json_object_set_new(p, "total", json_real(total));
	if (message)
		json_object_set_new(p, "message", json_string(message));
	send_and_free(c->srv, c->rq.id, jsonrpc_notification_new("notifications/progress", p));
}

static void call_tool(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
		      json_t *args, json_t *meta);

/* switchboard_connect (mcp_connect.c) answers now or after an
 * elicitation, so it keeps a copy of the request, as a call does. */
static void connect_send(json_t *msg, void *call, void *ctx)
{
	const struct mcp_req *rq = call;
	send_and_free(ctx, rq ? rq->id : NULL, msg);
}

static void connect_forget(void *call, void *ctx)
{
	struct mcp_req *rq = call;
	(void)ctx;
	json_decref(rq->id);
	json_decref(rq->client_caps);
	json_decref(rq->client_info);
	free(rq);
}

static void connect_answer(void *call, json_t *result, void *ctx)
{
	reply(call, result);
	connect_forget(call, ctx);
}

static void connect_start(struct mcp_core *srv, const struct mcp_req *rq, json_t *args)
{
	struct mcp_req *kept = xmalloc(sizeof(*kept));
	*kept = *rq; /* the references below are dropped in connect_forget */
	kept->params = NULL;
	json_incref(kept->id);
	json_incref(kept->client_caps);
	json_incref(kept->client_info);
	/* A 2026-07-28 request gets no request of ours mid-call: its URL comes
	 * back in the result. */
	mcp_connect_start(srv->connect, srv->store, srv->reg, kept, rq->client_caps, !rq->modern,
			  args);
}

/* Flows the browser finished: look at the store at once so the new tools
 * are announced without waiting. */
static void watch_connects(struct mcp_core *srv)
{
	if (mcp_connect_poll(srv->connect))
		srv->next_store_check = 0;
}

/* switchboard_describe: one tool's definition (name), or a list of them
 * (names; name too, first, when both are given). */
static void describe_tools(struct mcp_core *srv, const struct mcp_req *rq, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *names = json_object_get(args, "names");
	json_t *wanted = json_array(), *defs = json_array();
	struct buf unknown;
	buf_init(&unknown, 1024);
	if (name)
		json_array_append_new(wanted, json_string(name));
	json_array_extend(wanted, names);
	size_t i;
	json_t *v;
	json_array_foreach(wanted, i, v) {
		const struct tool *x = tools_find(tools_of(srv, rq->caller), json_string_value(v));
		if (x && !x->meta)
			json_array_append(defs, tools_def(x));
		else
			buf_addf(&unknown, "%s'%s'", unknown.len ? ", " : "", json_string_value(v));
	}
	if (!json_array_size(wanted)) {
		reply(rq,
		      result_error("give name (one tool) or names (several); switchboard_search "
				   "finds them",
				   NULL));
	} else if (unknown.len) {
		char *msg = xasprintf("unknown tool %s; use switchboard_search to find tools",
				      unknown.data);
		reply(rq, result_error(msg, NULL));
		free(msg);
	} else {
		reply(rq, result_success(json_pack("{s:O}", "data",
						   names ? defs : json_array_get(defs, 0))));
	}
	json_decref(wanted);
	json_decref(defs);
	buf_release(&unknown);
}

/* A builder tool's result, checked against its outputSchema as exec checks
 * a generated tool's (a mismatch is our bug, and the tests look for it). */
static void builder_reply(const struct mcp_req *rq, const struct tool *t, json_t *result)
{
	struct err e;
	err_init(&e);
	if (result_check_output(result, json_object_get(tools_def(t), "outputSchema"), &e) < 0)
		log_error("tool %s: result does not match its outputSchema: %s", t->name, e.msg);
	reply(rq, result);
}

static struct call *call_new(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
			     json_t *meta);

static void test_done(json_t *report, void *ctx)
{
	struct call *c = ctx;
	c->test = NULL;
	const struct tool *t = tools_find(c->srv->tools, TOOLS_BUILDER_TEST);
	json_t *result = result_success(report);
	if (t)
		builder_reply(&c->rq, t, result);
	else
		reply(&c->rq, result);
	unlink_call(c->srv, c);
}

/* switchboard_connector_test: on the HTTP loop, as a call (cancellable,
 * answered when its last request is in), never blocking it. */
static void builder_test(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
			 json_t *args, json_t *meta)
{
	struct err e;
	err_init(&e);
	const char *path = NULL;
	json_t *doc = tools_builder_test_doc(srv->reg, args, &path, &e);
	if (!doc) {
		reply(rq, result_error(e.msg, NULL));
		return;
	}
	struct conntest_opts o = {
		.connection = json_string_value(json_object_get(args, "connection")),
		.fix = json_is_true(json_object_get(args, "fix")),
		.servers = json_object_get(args, "servers"),
		.writes = json_is_true(json_object_get(args, "writes")),
		.rules = srv->reg,
	};
	/* The server's env without its per-call log scope, whose context
	 * would be a struct call; kept in the core, as exec reads it after a
	 * test has ended. */
	srv->test_env = srv->opt->exec;
	srv->test_env.scope = NULL;
	srv->test_env.scope_ctx = NULL;
	struct call *c = call_new(srv, rq, t, meta);
	struct conntest *x = conntest_start(&srv->test_env, doc, path, &o, test_done, c, &e);
	if (x) {
		c->test = x;
	} else if (err_is_set(&e)) {
		char *msg = xasprintf("not a valid connector: %s", e.msg);
		reply(rq, result_error(msg, NULL));
		free(msg);
		unlink_call(srv, c);
	} /* else it has answered already (nothing could be sent) and freed c */
}

/* Read the connector folders again (a connector was saved) and rebuild the
 * tools, announcing a changed list. The old registry is kept until the end:
 * a browser connect in progress may hold one of its connectors. Only when
 * no call is in flight (calls hold tools). */
static void reload_registry(struct mcp_core *srv)
{
	json_t *before = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(before, tools_def(tools_visible_at(srv->tools, i)));
	struct registry *r = registry_new(), *old = srv->reg;
	registry_load_default(r, srv->opt->capability_dirs, report_bad_file, NULL);
	srv->reg = r;
	struct err e;
	err_init(&e);
	if (rebuild_tools(srv, &e) < 0) {
		log_warn("%s", e.msg);
		srv->reg = old;
		registry_free(r);
		json_decref(before);
		return;
	}
	srv->retired = xrealloc(srv->retired, (srv->nretired + 1) * sizeof(*srv->retired));
	srv->retired[srv->nretired++] = old;
	srv->reload = 0;
	json_t *after = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(after, tools_def(tools_visible_at(srv->tools, i)));
	if (!json_equal(before, after))
		announce(srv, "notifications/tools/list_changed", NULL);
	json_decref(before);
	json_decref(after);
}

/* switchboard_connector_save: the file is written, the answer sent, then
 * the registry read again and the new tools announced (at the next tick
 * when calls in flight hold the old tools). */
static void builder_save(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
			 json_t *args)
{
	int saved = 0;
	json_t *result = tools_builder_save(srv->reg, args, &saved);
	if (saved) {
		/* Usable at once when a connection is there (its environment
		 * variables, or one stored for that slug earlier). */
		json_t *doc = json_deep_copy(json_object_get(args, "connector"));
		struct registry *one = registry_new();
		struct err e;
		err_init(&e);
		int connected = 0;
		if (registry_add_doc(one, "saved", doc, &e) == 0) {
			json_t *names = conns_names(registry_at(one, 0), srv->store);
			connected = json_array_size(names) > 0;
			json_decref(names);
		}
		registry_free(one);
		json_object_set_new(json_object_get(result, "structuredContent"), "connected",
				    json_boolean(connected));
		srv->reload = 1;
	}
	builder_reply(rq, t, result); /* before the reload frees t */
	if (srv->reload && !srv->calls)
		reload_registry(srv);
}

static void call_meta(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
		      json_t *args, json_t *meta)
{
	if (strcmp(t->name, TOOLS_BUILDER_IMPORT) == 0) {
		builder_reply(rq, t, tools_builder_import(args));
		return;
	}
	if (strcmp(t->name, TOOLS_BUILDER_TEST) == 0) {
		builder_test(srv, rq, t, args, meta);
		return;
	}
	if (strcmp(t->name, TOOLS_BUILDER_SAVE) == 0) {
		builder_save(srv, rq, t, args);
		return;
	}
	const char *name = json_string_value(json_object_get(args, "name"));
	if (strcmp(t->name, "switchboard_search") == 0) {
		json_t *found =
			tools_search(tools_of(srv, rq->caller),
				     json_string_value(json_object_get(args, "query")),
				     json_string_value(json_object_get(args, "connector")),
				     json_string_value(json_object_get(args, "entity")),
				     (int)json_integer_value(json_object_get(args, "limit")));
		reply(rq, result_success(json_pack("{s:o}", "data", found)));
		return;
	}
	if (strcmp(t->name, TOOLS_EVENTS) == 0) {
		/* a whole CallToolResult */
		reply(rq, events_query(srv->store, args, rq->caller));
		return;
	}
	if (strcmp(t->name, TOOLS_CONNECT) == 0) {
		connect_start(srv, rq, args);
		return;
	}
	if (strcmp(t->name, TOOLS_CONNECTIONS) == 0) {
		json_t *data = conns_overview(srv->store, srv->reg,
					      json_string_value(json_object_get(args, "connector")),
					      rq->caller);
		reply(rq, result_success(json_pack("{s:o}", "data", data)));
		return;
	}
	if (strcmp(t->name, "switchboard_describe") == 0) {
		describe_tools(srv, rq, args);
		return;
	}
	/* switchboard_call: the tool it names, found among the tools the filters
	 * let through (a filtered-out tool is unknown here too), then called
	 * through call_tool exactly as a direct tools/call: its own schema,
	 * annotations and safety apply, not switchboard_call's. */
	const struct tool *target = tools_find(tools_of(srv, rq->caller), name);
	if (!target || target->meta) {
		char *msg =
			xasprintf("unknown tool '%s'; use switchboard_search to find tools", name);
		reply(rq, result_error(msg, NULL));
		free(msg);
		return;
	}
	json_t *inner = json_object_get(args, "arguments");
	json_t *empty = inner ? NULL : json_object();
	call_tool(srv, rq, target, inner ? inner : empty, meta);
	json_decref(empty);
}

/* A call answered later: in srv->calls until unlink_call. */
static struct call *call_new(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
			     json_t *meta)
{
	struct call *c = xcalloc(1, sizeof(*c));
	c->rq = *rq; /* the references below are dropped in unlink_call */
	c->rq.params = NULL;
	json_incref(c->rq.id);
	json_incref(c->rq.client_caps);
	json_incref(c->rq.client_info);
	c->progress_token = json_incref(json_object_get(meta, "progressToken")); /* likewise */
	c->srv = srv;
	c->tool = xstrdup(t->name);
	c->who = tenancy_caller_dup(rq->caller); /* the request's may go before the answer */
	c->rq.caller = c->who;
	c->next = srv->calls;
	srv->calls = c;
	return c;
}

static void call_tool(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
		      json_t *args, json_t *meta)
{
	struct err e;
	err_init(&e);
	if (t->meta) {
		if (schema_validate(tools_input(t), args, &e) < 0) {
			char *msg = xasprintf("invalid arguments: %s", e.msg);
			reply(rq, result_error(msg, NULL));
			free(msg);
			return;
		}
		call_meta(srv, rq, t, args, meta);
		return;
	}
	struct audit_entry a;
	audit_begin(srv, &a, rq->caller, t, args);
	/* Someone else's connection: the answer is the one an unknown name
	 * receives (the caller's schema does not list it), but it is logged. */
	if (rq->caller &&
	    conns_check(srv->store, t->connector,
			json_string_value(json_object_get(args, "connection")), rq->caller) < 0) {
		tenancy_log_refusal(rq->caller, t->connector->slug,
				    json_string_value(json_object_get(args, "connection")));
		audit_outcome(&a, "refused", NULL);
	}
	if (schema_validate(tools_input(t), args, &e) < 0) {
		char *msg = xasprintf("invalid arguments for %s: %s. Call tools/list (or "
				      "switchboard_describe) for the input schema.",
				      t->name, e.msg);
		json_t *r = result_error(msg, NULL);
		free(msg);
		audit_outcome(&a, NULL, r);
		reply(rq, r);
		audit_write(srv, &a);
		return;
	}
	/* The user's yes before a call that cannot be undone (confirm.h); the
	 * answer to an input request comes back in this request's params. */
	json_t *elicit = NULL;
	json_t *answer = confirm_gate(srv->confirm, srv->store, rq->caller, t, args, rq->params,
				      rq->version, rq->client_caps, &elicit);
	if (answer) {
		/* Asked for a yes (not run yet), declined, or no way to ask. */
		audit_outcome(
			&a, json_is_true(json_object_get(answer, "isError")) ? "declined" : "asked",
			answer);
		reply(rq, answer);
		audit_write(srv, &a);
		return;
	}
	struct call *c = call_new(srv, rq, t, meta);
	c->audit = a;
	if (elicit) {
		/* Ask, and keep serving: confirm_answered goes on. A waiting call
		 * holds its tool, so the tools are not rebuilt meanwhile. */
		c->ask_id = json_sprintf("sb-confirm-%lld", ++srv->asks);
		c->target = t;
		c->args = json_incref(args); /* dropped in unlink_call */
		send_and_free(srv, rq->id,
			      json_pack("{s:s, s:O, s:s, s:o}", "jsonrpc", "2.0", "id", c->ask_id,
					"method", "elicitation/create", "params", elicit));
		return;
	}
	/* A call that fails before any I/O answers at once and frees c. */
	struct exec_target target = tools_target(t);
	struct exec_call *x =
		exec_start(&srv->opt->exec, c->who, &target, args, call_done, call_progress, c);
	if (x)
		c->exec = x;
}

/* The client's answer to our elicitation/create: run the call on the
 * user's yes, else answer why not. */
static void confirm_answered(struct mcp_core *srv, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	struct call *c = srv->calls;
	while (c && !(c->ask_id && json_equal(c->ask_id, id)))
		c = c->next;
	if (!c)
		return; /* not ours, or the call was cancelled */
	json_t *no = confirm_elicit_answer(c->tool, msg);
	if (no) {
		call_done(no, c);
		return;
	}
	json_decref(c->ask_id);
	c->ask_id = NULL;
	/* A call that fails before any I/O answers at once and frees c. */
	struct exec_target target = tools_target(c->target);
	struct exec_call *x =
		exec_start(&srv->opt->exec, c->who, &target, c->args, call_done, call_progress, c);
	if (x)
		c->exec = x;
}

void mcp_core_input_closed(struct mcp_core *srv)
{
	/* No answer can come to a question now. */
	for (struct call *c = srv->calls, *next; c; c = next) {
		next = c->next;
		if (c->ask_id)
			unlink_call(srv, c);
	}
}

static void m_tools_call(struct mcp_core *srv, const struct mcp_req *rq)
{
	json_t *params = rq->params;
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments");
	if (!name) {
		reply_error(rq, JSONRPC_INVALID_PARAMS, "tools/call needs a string 'name'");
		return;
	}
	const struct tool *t = tools_find(tools_of(srv, rq->caller), name);
	if (!t) {
		char *msg = xasprintf("Unknown tool: %s", name);
		reply_error(rq, JSONRPC_INVALID_PARAMS, msg);
		free(msg);
		return;
	}
	if (args && !json_is_null(args) && !json_is_object(args)) {
		reply_error(rq, JSONRPC_INVALID_PARAMS, "tools/call 'arguments' must be an object");
		return;
	}
	json_t *empty = NULL;
	if (!args || json_is_null(args))
		args = empty = json_object();
	call_tool(srv, rq, t, args, json_object_get(params, "_meta"));
	json_decref(empty);
}

static void listen_free(struct listen *l)
{
	json_decref(l->id);
	json_decref(l->uris);
	free(l);
}

/* notifications/cancelled ends a tool call or a subscriptions/listen stream;
 * nothing more is sent for either. */
static int same_caller(const struct caller *a, const struct caller *b)
{
	return a == b || (a && b && strcmp(a->subject, b->subject) == 0);
}

static void cancel(struct mcp_core *srv, json_t *params, const struct caller *who)
{
	json_t *rid = json_object_get(params, "requestId");
	for (struct call *c = srv->calls; rid && c; c = c->next) {
		if (json_equal(c->rq.id, rid) && same_caller(c->who, who)) {
			log_debug("request cancelled by the client");
			if (c->exec)
				exec_cancel(c->exec);
			conntest_cancel(c->test);
			audit_outcome(&c->audit, "cancelled", NULL);
			audit_write(srv, &c->audit);
			unlink_call(srv, c);
			return;
		}
	}
	for (struct listen **p = &srv->listens; rid && *p; p = &(*p)->next) {
		if (json_equal((*p)->id, rid)) {
			struct listen *l = *p;
			log_debug("subscription ended by the client");
			*p = l->next;
			listen_free(l);
			return;
		}
	}
}

static int level_index(const char *level)
{
	for (int i = 0; level && levels[i]; i++)
		if (strcmp(level, levels[i]) == 0)
			return i;
	return -1;
}

static void m_set_level(struct mcp_core *srv, const struct mcp_req *rq)
{
	int i = level_index(json_string_value(json_object_get(rq->params, "level")));
	if (i < 0) {
		reply_error(rq, JSONRPC_INVALID_PARAMS,
			    "invalid log level; use debug, info, notice, warning, error, critical, "
			    "alert or emergency");
		return;
	}
	/* A stateless transport has no session to keep it in: one client's
	 * level must not change what another's requests are sent. */
	if (!srv->origin)
		srv->log_level = i;
	reply(rq, json_object());
}

/* Answer a resources method: a result, or the error handlers set. The
 * 2026-07-28 revision moved "resource not found" from -32002 to -32602. */
static void resources_reply(const struct mcp_req *rq, json_t *result, int code, struct err *e)
{
	if (result) {
		reply(rq, result);
		return;
	}
	json_t *data = NULL;
	if (code == EVENTS_RESOURCE_NOT_FOUND) {
		/* The spec's example names the URI in data; clients show it. */
		const char *uri = json_string_value(json_object_get(rq->params, "uri"));
		data = uri ? json_pack("{s:s}", "uri", uri) : NULL;
		if (rq->modern)
			code = JSONRPC_INVALID_PARAMS;
	}
	send_and_free(rq->core, rq->id, jsonrpc_error_new(rq->id, code, e->msg, data));
}

/* The events:// resources (mcp_events.c). */
static void m_resources_list(struct mcp_core *srv, const struct mcp_req *rq)
{
	struct err e;
	int code = JSONRPC_INVALID_PARAMS;
	err_init(&e);
	json_t *res = events_resources_list(srv->store, rq->params, rq->caller, &code, &e);
	resources_reply(rq, cacheable(rq, res, TTL_RESOURCES_MS, "private"), code, &e);
}

static void m_resources_templates(struct mcp_core *srv, const struct mcp_req *rq)
{
	(void)srv;
	reply(rq, cacheable(rq, events_resources_templates(), TTL_TEMPLATES_MS, "public"));
}

static void m_resources_read(struct mcp_core *srv, const struct mcp_req *rq)
{
	struct err e;
	int code = JSONRPC_INVALID_PARAMS;
	err_init(&e);
	const char *uri = json_string_value(json_object_get(rq->params, "uri"));
	json_t *res = NULL;
	if (results_is_uri(uri)) {
		res = results_read(srv->results, uri, rq->caller ? rq->caller->subject : NULL);
		code = EVENTS_RESOURCE_NOT_FOUND;
		if (!res)
			err_set(&e,
				"Resource not found: %s (a results:// resource lasts %d minutes)",
				uri, RESULTS_TTL_MS / 60000);
	} else {
		res = events_resource_read(srv->store, srv->reg, rq->params, rq->caller, &code, &e);
	}
	resources_reply(rq, cacheable(rq, res, TTL_RESOURCES_MS, "private"), code, &e);
}

/* resources/subscribe and resources/unsubscribe (initialize era),
 * announced from watch_events. */
static void m_subscribe(struct mcp_core *srv, const struct mcp_req *rq, int sub)
{
	struct err e;
	int code = JSONRPC_INVALID_PARAMS;
	json_t *res = NULL;
	const char *uri = json_string_value(json_object_get(rq->params, "uri"));
	err_init(&e);
	if (!uri) {
		err_set(&e, "%s needs a string 'uri'",
			sub ? "resources/subscribe" : "resources/unsubscribe");
	} else if (sub && (rq->caller || events_resource_check(srv->reg, uri, &e) < 0)) {
		code = EVENTS_RESOURCE_NOT_FOUND;
		err_set(&e, "Resource not found: %s", uri);
	} else {
		if (sub)
			json_object_set_new(srv->subscriptions, uri, json_true());
		else
			json_object_del(srv->subscriptions, uri);
		res = json_object();
	}
	resources_reply(rq, res, code, &e);
}

static void m_resources_subscribe(struct mcp_core *srv, const struct mcp_req *rq)
{
	m_subscribe(srv, rq, 1);
}

static void m_resources_unsubscribe(struct mcp_core *srv, const struct mcp_req *rq)
{
	m_subscribe(srv, rq, 0);
}

/* subscriptions/listen (2026-07-28): acknowledge the part of the filter we
 * honour (tools and resources, never prompts) and keep the stream open; the
 * answer comes only when the server ends it (mcp_core_free). */
static void m_listen(struct mcp_core *srv, const struct mcp_req *rq)
{
	struct err e;
	json_t *want = json_object_get(rq->params, "notifications");
	json_t *uris = json_object_get(want, "resourceSubscriptions");
	err_init(&e);
	if (!json_is_object(want))
		err_set(&e, "subscriptions/listen needs an object 'notifications'");
	else if (uris && !json_is_array(uris))
		err_set(&e, "'resourceSubscriptions' must be an array of URIs");
	for (size_t i = 0; !err_is_set(&e) && i < json_array_size(uris); i++) {
		const char *uri = json_string_value(json_array_get(uris, i));
		if (!uri)
			err_set(&e, "'resourceSubscriptions' must be an array of URIs");
		else if (rq->caller)
			err_set(&e, "Resource not found: %s", uri);
		else
			events_resource_check(srv->reg, uri, &e);
	}
	for (struct listen *l = srv->listens; !err_is_set(&e) && l; l = l->next)
		if (json_equal(l->id, rq->id))
			err_set(&e, "a subscription with this id is already open");
	if (err_is_set(&e)) {
		reply_error(rq, JSONRPC_INVALID_PARAMS, e.msg);
		return;
	}
	struct listen *l = xcalloc(1, sizeof(*l));
	l->id = json_incref(rq->id); /* dropped in listen_free */
	l->tools = json_is_true(json_object_get(want, "toolsListChanged"));
	l->list = json_is_true(json_object_get(want, "resourcesListChanged"));
	l->uris = json_object();
	json_t *ack = json_object(), *v;
	size_t i;
	if (l->tools)
		json_object_set_new(ack, "toolsListChanged", json_true());
	if (l->list)
		json_object_set_new(ack, "resourcesListChanged", json_true());
	json_array_foreach(uris, i, v)
		json_object_set_new(l->uris, json_string_value(v), json_true());
	if (json_array_size(uris))
		json_object_set(ack, "resourceSubscriptions", uris);
	l->next = srv->listens;
	srv->listens = l;
	send_and_free(
		srv, l->id,
		jsonrpc_notification_new("notifications/subscriptions/acknowledged",
					 json_pack("{s:{s:O}, s:o}", "_meta", META_SUBSCRIPTION,
						   l->id, "notifications", ack)));
}

/* The method table. eras says which clients may call a method: ping,
 * logging/setLevel and resources/(un)subscribe were removed in 2026-07-28,
 * initialize never existed there, subscriptions/listen only exists there. */
static const struct method {
	const char *name;
	int eras;
	void (*fn)(struct mcp_core *srv, const struct mcp_req *rq);
} methods[] = {
	{"initialize", ERA_LEGACY, m_initialize},
	{"ping", ERA_LEGACY, m_ping},
	{"server/discover", ERA_MODERN, m_discover},
	{"tools/list", ERA_LEGACY | ERA_MODERN, m_tools_list},
	{"tools/call", ERA_LEGACY | ERA_MODERN, m_tools_call},
	{"logging/setLevel", ERA_LEGACY, m_set_level},
	{"resources/list", ERA_LEGACY | ERA_MODERN, m_resources_list},
	{"resources/templates/list", ERA_LEGACY | ERA_MODERN, m_resources_templates},
	{"resources/read", ERA_LEGACY | ERA_MODERN, m_resources_read},
	{"resources/subscribe", ERA_LEGACY, m_resources_subscribe},
	{"resources/unsubscribe", ERA_LEGACY, m_resources_unsubscribe},
	{"subscriptions/listen", ERA_MODERN, m_listen},
};

static int valid_id(json_t *id)
{
	if (json_is_string(id) || json_is_integer(id))
		return 1;
	/* 2.0 is an integer id; range-check before the cast, which is undefined
	 * for values a long long cannot hold (1e300). */
	double d = json_real_value(id);
	return json_is_real(id) && d > -9.2e18 && d < 9.2e18 && d == (double)(long long)d;
}

/* Fill rq from the request's _meta (2026-07-28) or from what initialize
 * settled. Returns 0, or -1 after answering the request with the error. */
static int request_context(struct mcp_core *srv, const char *m, struct mcp_req *rq)
{
	json_t *meta = json_object_get(rq->params, "_meta");
	json_t *asked = json_object_get(meta, META_VERSION);
	if (!asked && srv->origin) {
		/* Stateless (HTTP): an initialize-era request is served by the
		 * version its transport names, and nothing from an initialize
		 * (which may have reached another replica) carries over. */
		if (strcmp(m, "server/discover") == 0 || strcmp(m, "subscriptions/listen") == 0 ||
		    strcmp(srv->origin->version, MCP_MODERN_VERSION) == 0) {
			reply_error(rq, JSONRPC_INVALID_PARAMS,
				    "missing _meta \"" META_VERSION "\": " MCP_MODERN_VERSION
				    " requests carry it");
			return -1;
		}
		rq->version = srv->origin->version;
		rq->client_caps = srv->no_caps;
		return 0;
	}
	if (!asked) {
		/* An initialize-era request. A stream that opened with 2026-07-28
		 * requests and never initialized has no version to serve it by. */
		if ((srv->era == ERA_MODERN && strcmp(m, "initialize") != 0) ||
		    strcmp(m, "server/discover") == 0 || strcmp(m, "subscriptions/listen") == 0) {
			reply_error(rq, JSONRPC_INVALID_PARAMS,
				    "missing _meta \"" META_VERSION "\": " MCP_MODERN_VERSION
				    " requests carry it (or send initialize first)");
			return -1;
		}
		rq->version = srv->legacy_version;
		rq->client_caps = srv->legacy_caps;
		rq->client_info = srv->legacy_info;
		rq->log_level = srv->log_level;
		return 0;
	}
	const char *v = json_string_value(asked);
	rq->modern = 1;
	rq->version = MCP_MODERN_VERSION;
	if (!v || strcmp(v, MCP_MODERN_VERSION) != 0) {
		json_t *list = json_array();
		for (int i = 0; versions[i]; i++)
			json_array_append_new(list, json_string(versions[i]));
		/* The earlier versions are served after initialize, never per
		 * request, but they are supported: say so, as the spec's example
		 * for a dual-era server does. */
		send_and_free(srv, rq->id,
			      jsonrpc_error_new(rq->id, MCP_UNSUPPORTED_PROTOCOL_VERSION,
						"Unsupported protocol version",
						json_pack("{s:o, s:O}", "supported", list,
							  "requested", asked)));
		return -1;
	}
	json_t *caps = json_object_get(meta, META_CAPS);
	json_t *info = json_object_get(meta, META_INFO);
	json_t *level = json_object_get(meta, META_LOG_LEVEL);
	const char *bad = !json_is_object(caps)           ? "a \"" META_CAPS "\" object"
			  : info && !json_is_object(info) ? "\"" META_INFO "\" as an object"
			  : level && level_index(json_string_value(level)) < 0
				  ? "\"" META_LOG_LEVEL
				    "\" as one of debug, info, notice, warning, "
				    "error, critical, alert, emergency"
				  : NULL;
	if (bad) {
		char *msg =
			xasprintf("invalid _meta: a " MCP_MODERN_VERSION " request needs %s", bad);
		reply_error(rq, JSONRPC_INVALID_PARAMS, msg);
		free(msg);
		return -1;
	}
	rq->client_caps = caps;
	rq->client_info = info;
	rq->log_level = level ? level_index(json_string_value(level)) : -1;
	return 0;
}

static void handle_request(struct mcp_core *srv, const char *m, json_t *id, json_t *params,
			   const struct caller *who)
{
	struct mcp_req rq = {
		.core = srv, .id = id, .params = params, .log_level = -1, .caller = who};
	if (params && !json_is_object(params)) {
		reply_error(&rq, JSONRPC_INVALID_PARAMS, "params must be an object");
		return;
	}
	if (request_context(srv, m, &rq) < 0)
		return;
	if (!srv->era || (strcmp(m, "initialize") == 0 && !rq.modern))
		srv->era |= rq.modern ? ERA_MODERN : ERA_LEGACY;
	const struct method *found = NULL;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]) && !found; i++)
		if (strcmp(m, methods[i].name) == 0)
			found = &methods[i];
	if (!found || !(found->eras & (rq.modern ? ERA_MODERN : ERA_LEGACY))) {
		char *text =
			found ? xasprintf("Method not found: %s (not part of %s%s)", m,
					  rq.modern ? MCP_MODERN_VERSION : "the initialize era",
					  rq.modern ? "" : "; use initialize")
			      : xasprintf("Method not found: %s", m);
		reply_error(&rq, JSONRPC_METHOD_NOT_FOUND, text);
		free(text);
		return;
	}
	/* These read no more of the registry than a tool list does. */
	if (found->fn != m_initialize && found->fn != m_ping && found->fn != m_discover &&
	    found->fn != m_tools_list && found->fn != m_set_level)
		expand_all(srv);
	srv->cur = &rq;
	found->fn(srv, &rq);
	srv->cur = NULL;
}

void mcp_core_handle(struct mcp_core *srv, json_t *msg)
{
	mcp_core_handle_as(srv, msg, NULL);
}

void mcp_core_handle_as(struct mcp_core *srv, json_t *msg, const struct caller *who)
{
	if (json_is_array(msg)) {
		send_and_free(srv, NULL,
			      jsonrpc_error_new(NULL, JSONRPC_INVALID_REQUEST,
						"batch requests are not supported", NULL));
		return;
	}
	if (!json_is_object(msg)) {
		send_and_free(srv, NULL,
			      jsonrpc_error_new(NULL, JSONRPC_INVALID_REQUEST,
						"invalid request: not a JSON object", NULL));
		return;
	}
	json_t *id = json_object_get(msg, "id");
	json_t *method = json_object_get(msg, "method");
	json_t *params = json_object_get(msg, "params");
	int has_id = id != NULL;
	/* A response: to an elicitation of ours (a confirmation, or a
	 * connect's URL or settings), or to nothing. Replying to it would
	 * invite an error ping-pong with the client. */
	if (!method && (json_object_get(msg, "result") || json_object_get(msg, "error"))) {
		if (!mcp_connect_response(srv->connect, msg))
			confirm_answered(srv, msg);
		return;
	}
	if (!json_is_string(json_object_get(msg, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0 ||
	    !json_is_string(method) || (has_id && !valid_id(id)) ||
	    (params && !json_is_object(params) && !json_is_array(params))) {
		if (has_id || !json_is_string(method))
			send_and_free(
				srv, NULL,
				jsonrpc_error_new(has_id && valid_id(id) ? id : NULL,
						  JSONRPC_INVALID_REQUEST,
						  "invalid request: expected {\"jsonrpc\":\"2.0\", "
						  "\"id\": string or integer, \"method\": string, "
						  "\"params\"?: object}",
						  NULL));
		return;
	}
	const char *m = json_string_value(method);
	if (!has_id) {
		if (strcmp(m, "notifications/cancelled") == 0)
			cancel(srv, params, who);
		return; /* notifications/initialized and unknown notifications */
	}
	handle_request(srv, m, id, params, who);
}

void mcp_core_handle_from(struct mcp_core *srv, json_t *msg, const struct mcp_origin *o)
{
	srv->origin = o;
	mcp_core_handle_as(srv, msg, o ? o->caller : NULL);
	srv->origin = NULL;
}

const char *mcp_core_version(const char *v)
{
	for (int i = 0; v && versions[i]; i++)
		if (strcmp(v, versions[i]) == 0)
			return versions[i];
	return NULL;
}

json_t *mcp_core_tool_input(struct mcp_core *srv, const char *name)
{
	expand_all(srv);
	const struct tool *t = name ? tools_find(srv->tools, name) : NULL;
	return t ? tools_input(t) : NULL;
}

const char *const *mcp_core_versions(void)
{
	return versions;
}

void mcp_core_tick(struct mcp_core *srv)
{
	exec_poll(&srv->opt->exec);
	watch_connects(srv);
	watch_store(srv);
	if (srv->reload && !srv->calls)
		reload_registry(srv);
	if (srv->nretired_ts && !srv->calls)
		retired_free(srv);
	if (srv->audit_n && now_ms() - srv->audit_since >= AUDIT_WAIT_MS)
		audit_flush(srv);
}

int mcp_core_busy(const struct mcp_core *srv)
{
	return srv->calls != NULL;
}

struct http_client *mcp_core_http(const struct mcp_core *srv)
{
	return srv->http;
}

/* What every core has before its registry is loaded and its tools built. */
static struct mcp_core *core_alloc(struct mcp_options *opt, const struct mcp_transport *tr)
{
	struct mcp_core *srv = xcalloc(1, sizeof(*srv));
	srv->opt = opt;
	srv->tr = tr;
	srv->log_level = -1;
	srv->legacy_version = legacy_versions[0];
	srv->legacy_caps = json_object();
	srv->no_caps = json_object();
	srv->subscriptions = json_object();
	srv->results = results_new();
	/* On for a team's server (serve --http), off for one user over stdio,
	 * where the log's redaction and writes were a fifth of a call's CPU. */
	const char *audit = getenv("SWITCHBOARD_AUDIT");
	srv->audit = audit ? strcmp(audit, "off") != 0 : srv->opt->audit;
	struct mcp_connect_io io = {connect_send, connect_answer, connect_forget, srv};
	srv->connect = mcp_connect_new(&io);
	srv->reg = registry_new();
	return srv;
}

struct mcp_core *mcp_core_new(struct mcp_options *opt, const struct mcp_transport *tr,
			      struct err *err)
{
	struct mcp_core *srv = core_alloc(opt, tr);
	/* Every tool listed needs every file in full: no outlines then. */
	if (opt->filter.mode != TOOLS_STATIC || !opt->filter.all)
		registry_use_outlines(srv->reg);
	registry_load_default(srv->reg, opt->capability_dirs, report_bad_file, NULL);
	char *hint = registry_empty_hint(srv->reg);
	if (hint)
		log_error("%s", hint);
	free(hint);
	struct err e;
	err_init(&e);
	srv->store = store_open(opt->store_path, &e);
	if (!srv->store) {
		/* Environment connections still work without a store. */
		log_warn("%s; only environment connections are available", e.msg);
	} else {
		srv->store_version = store_data_version(srv->store);
		store_last_event_id(srv->store, &srv->last_event_id, NULL);
	}
	srv->http = http_new(err);
	if (!srv->http)
		goto fail;
	opt->exec.http = srv->http;
	opt->exec.store = srv->store;
	opt->exec.scope = call_scope;
	opt->exec.scope_ctx = srv;
	if (rebuild_tools(srv, err) < 0)
		goto fail;
	srv->confirm = confirm_new(srv->store);
	srv->next_store_check = now_ms() + STORE_CHECK_MS;
	log_info("serving %zu tools from %zu connectors", srv->tools->n, registry_count(srv->reg));
	log_set_sink(log_to_client, srv);
	return srv;
fail:
	mcp_core_free(srv);
	return NULL;
}

void mcp_core_free(struct mcp_core *srv)
{
	if (!srv)
		return;
	log_set_sink(NULL, NULL);
	/* The server ends each open subscription: a final result says it ended
	 * gracefully rather than dropped. */
	while (srv->listens) {
		struct listen *l = srv->listens;
		srv->listens = l->next;
		struct mcp_req rq = {.core = srv, .id = l->id, .modern = 1};
		reply(&rq, json_pack("{s:{s:O}}", "_meta", META_SUBSCRIPTION, l->id));
		listen_free(l);
	}
	while (srv->calls) {
		if (srv->calls->exec)
			exec_cancel(srv->calls->exec);
		conntest_cancel(srv->calls->test);
		unlink_call(srv, srv->calls);
	}
	exec_shutdown();
	audit_flush(srv);
	mcp_connect_free(srv->connect);
	tools_free(srv->tools);
	for (size_t i = 0; i < CALLER_TOOLS; i++) {
		free(srv->ctools[i].key);
		tools_free(srv->ctools[i].ts);
	}
	retired_free(srv);
	http_free(srv->http);
	store_free(srv->store);
	registry_free(srv->reg);
	for (size_t i = 0; i < srv->nretired; i++)
		registry_free(srv->retired[i]);
	free(srv->retired);
	json_decref(srv->subscriptions);
	json_decref(srv->legacy_caps);
	json_decref(srv->legacy_info);
	json_decref(srv->no_caps);
	results_free(srv->results);
	confirm_free(srv->confirm);
	free(srv);
}

#ifdef SB_FUZZ
/* A test seam for tests/fuzz/fuzz_line.c (built with -DSB_FUZZ only, used
 * by mcp_stdio.c): a core over the built-in stripe connector with every
 * tool visible (discovery mode, so the meta-tools are reachable too), no
 * store and no credentials, so a tools/call answers before any I/O. */
struct mcp_core *mcp_core_fuzz_new(struct mcp_options *opt, const struct mcp_transport *tr);
void mcp_core_fuzz_settle(struct mcp_core *srv);

struct mcp_core *mcp_core_fuzz_new(struct mcp_options *opt, const struct mcp_transport *tr)
{
	static char *only[] = {"stripe", NULL};
	struct err e;
	err_init(&e);
	unsetenv("STRIPE_API_KEY");
	opt->max_message = 1024;
	opt->filter.all = 1;
	opt->filter.mode = TOOLS_DISCOVER;
	opt->filter.connectors = only;
	struct mcp_core *srv = core_alloc(opt, tr);
	registry_load_default(srv->reg, NULL, report_bad_file, NULL);
	srv->http = http_new(&e);
	opt->exec.http = srv->http;
	if (!srv->http || rebuild_tools(srv, &e) < 0)
		abort();
	srv->confirm = confirm_new(NULL);
	return srv;
}

/* Calls still in flight after a line are cancelled, never sent. */
void mcp_core_fuzz_settle(struct mcp_core *srv)
{
	while (srv->calls) {
		if (srv->calls->exec)
			exec_cancel(srv->calls->exec);
		conntest_cancel(srv->calls->test);
		unlink_call(srv, srv->calls);
	}
}

void mcp_core_fuzz_sink(struct mcp_core *srv, int on);
void mcp_core_fuzz_sink(struct mcp_core *srv, int on)
{
	log_set_sink(on ? log_to_client : NULL, on ? srv : NULL);
}
#endif
