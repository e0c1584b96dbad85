/* mcp.c - the MCP core: the method table, both eras of version handling
 * (2026-07-28 per-request metadata, and the initialize handshake of
 * 2025-11-25 and earlier), the tool list, and the core's life (new, tick,
 * free). The transports (mcp_stdio.c, mcp_http.c) feed it messages; tool
 * calls are mcp_call.c's, the meta-tools mcp_meta.c's, resources and
 * subscriptions mcp_resources.c's (mcp_int.h). */
#include "mcp_int.h"

#include <stdlib.h>
#include <string.h>

#include "confirm.h"
#include "conns.h"
#include "conntest.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp_results.h"
#include "connect_page.h"
#include "mcp_connect.h"

/* Every version served, newest first: the modern one per request, the
 * others through initialize (versions + 1). */
static const char *versions[] = {MCP_MODERN_VERSION, "2025-11-25", "2025-06-18",
				 "2025-03-26",       "2024-11-05", NULL};
static const char *const *legacy_versions = versions + 1;

static const char *levels[] = {"debug",    "info",  "notice",    "warning", "error",
			       "critical", "alert", "emergency", NULL};

void mcp_send(struct mcp_core *srv, const json_t *rid, json_t *msg)
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

void mcp_reply(const struct mcp_req *rq, json_t *result)
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
	mcp_send(rq->core, rq->id, jsonrpc_result_new(rq->id, result));
}

void mcp_reply_error(const struct mcp_req *rq, int code, const char *msg)
{
	mcp_send(rq->core, rq->id, jsonrpc_error_new(rq->id, code, msg, NULL));
}

json_t *mcp_cacheable(const struct mcp_req *rq, json_t *result, int ttl_ms, const char *scope)
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
	mcp_send(srv, srv->cur ? srv->cur->id : NULL,
		 jsonrpc_notification_new("notifications/message",
					  json_pack("{s:s, s:s, s:s}", "level", levels[map[level]],
						    "logger", "switchboard", "data", line)));
}

void mcp_report_bad_file(const char *msg, void *ctx)
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
		registry_expand(srv->reg, slugs, mcp_report_bad_file, NULL);
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

json_t *mcp_visible_defs(struct mcp_core *srv)
{
	json_t *defs = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(defs, tools_def(tools_visible_at(srv->tools, i)));
	return defs;
}

void mcp_announce_if_changed(struct mcp_core *srv, json_t *before, int force)
{
	json_t *after = mcp_visible_defs(srv);
	if (force || !json_equal(before, after))
		mcp_resources_announce(srv, "notifications/tools/list_changed", NULL);
	json_decref(before);
	json_decref(after);
}

int mcp_rebuild_tools(struct mcp_core *srv, struct err *err)
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

const struct toolset *mcp_tools_of(struct mcp_core *srv, const struct caller *who)
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

/* Before anything but a tool list is made (a call, a search, a resource):
 * the connectors still outlines are read in full, once, and the tools
 * built again; a list changed by it (a file edited since start-up) is
 * announced. */
static void expand_all(struct mcp_core *srv)
{
	if (!registry_has_outlines(srv->reg))
		return;
	json_t *before = mcp_visible_defs(srv);
	registry_expand(srv->reg, NULL, mcp_report_bad_file, NULL);
	struct err e;
	err_init(&e);
	if (mcp_rebuild_tools(srv, &e) < 0) {
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
	mcp_announce_if_changed(srv, before, 0);
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
	mcp_reply(rq, res);
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
	mcp_reply(rq, mcp_cacheable(rq, res, TTL_DISCOVER_MS, "public"));
}

static void m_ping(struct mcp_core *srv, const struct mcp_req *rq)
{
	(void)srv;
	mcp_reply(rq, json_object());
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
	const struct toolset *ts = mcp_tools_of(srv, rq->caller);
	size_t off = 0, n = tools_visible_count(ts);
	json_t *cursor = json_object_get(rq->params, "cursor");
	if (cursor && !json_is_null(cursor) &&
	    (!json_is_string(cursor) || parse_cursor(json_string_value(cursor), &off) < 0 ||
	     off > n)) {
		mcp_reply_error(rq, JSONRPC_INVALID_PARAMS, "invalid cursor");
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
	mcp_reply(rq, mcp_cacheable(rq, result, TTL_TOOLS_MS, "private"));
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
		mcp_reply_error(
			rq, JSONRPC_INVALID_PARAMS,
			"invalid log level; use debug, info, notice, warning, error, critical, "
			"alert or emergency");
		return;
	}
	/* A stateless transport has no session to keep it in: one client's
	 * level must not change what another's requests are sent. */
	if (!srv->origin)
		srv->log_level = i;
	mcp_reply(rq, json_object());
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
	{"tools/call", ERA_LEGACY | ERA_MODERN, mcp_call_tools_call},
	{"logging/setLevel", ERA_LEGACY, m_set_level},
	{"resources/list", ERA_LEGACY | ERA_MODERN, mcp_resources_list},
	{"resources/templates/list", ERA_LEGACY | ERA_MODERN, mcp_resources_templates},
	{"resources/read", ERA_LEGACY | ERA_MODERN, mcp_resources_read},
	{"resources/subscribe", ERA_LEGACY, mcp_resources_subscribe},
	{"resources/unsubscribe", ERA_LEGACY, mcp_resources_unsubscribe},
	{"subscriptions/listen", ERA_MODERN, mcp_resources_listen},
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
			mcp_reply_error(rq, JSONRPC_INVALID_PARAMS,
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
			mcp_reply_error(rq, JSONRPC_INVALID_PARAMS,
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
		mcp_send(srv, rq->id,
			 jsonrpc_error_new(
				 rq->id, MCP_UNSUPPORTED_PROTOCOL_VERSION,
				 "Unsupported protocol version",
				 json_pack("{s:o, s:O}", "supported", list, "requested", asked)));
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
		mcp_reply_error(rq, JSONRPC_INVALID_PARAMS, msg);
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
		mcp_reply_error(&rq, JSONRPC_INVALID_PARAMS, "params must be an object");
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
		mcp_reply_error(&rq, JSONRPC_METHOD_NOT_FOUND, text);
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
		mcp_send(srv, NULL,
			 jsonrpc_error_new(NULL, JSONRPC_INVALID_REQUEST,
					   "batch requests are not supported", NULL));
		return;
	}
	if (!json_is_object(msg)) {
		mcp_send(srv, NULL,
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
			mcp_call_confirm_answered(srv, msg);
		return;
	}
	if (!json_is_string(json_object_get(msg, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0 ||
	    !json_is_string(method) || (has_id && !valid_id(id)) ||
	    (params && !json_is_object(params) && !json_is_array(params))) {
		if (has_id || !json_is_string(method))
			mcp_send(
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
			mcp_call_cancel(srv, params, who);
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
	mcp_meta_watch_connects(srv);
	mcp_resources_watch_store(srv);
	if (srv->reload && !srv->calls)
		mcp_meta_reload_registry(srv);
	if (srv->nretired_ts && !srv->calls)
		retired_free(srv);
	if (srv->audit_n && now_ms() - srv->audit_since >= AUDIT_WAIT_MS)
		mcp_call_audit_flush(srv);
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
	struct mcp_connect_io io = {mcp_meta_connect_send, mcp_meta_connect_answer,
				    mcp_meta_connect_forget, srv};
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
	registry_load_default(srv->reg, opt->capability_dirs, mcp_report_bad_file, NULL);
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
	opt->exec.scope = mcp_call_scope;
	opt->exec.scope_ctx = srv;
	if (mcp_rebuild_tools(srv, err) < 0)
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
		mcp_reply(&rq, json_pack("{s:{s:O}}", "_meta", META_SUBSCRIPTION, l->id));
		mcp_resources_listen_free(l);
	}
	while (srv->calls) {
		if (srv->calls->exec)
			exec_cancel(srv->calls->exec);
		conntest_cancel(srv->calls->test);
		mcp_call_unlink(srv, srv->calls);
	}
	exec_shutdown();
	mcp_call_audit_flush(srv);
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
	registry_load_default(srv->reg, NULL, mcp_report_bad_file, NULL);
	srv->http = http_new(&e);
	opt->exec.http = srv->http;
	if (!srv->http || mcp_rebuild_tools(srv, &e) < 0)
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
		mcp_call_unlink(srv, srv->calls);
	}
}

void mcp_core_fuzz_sink(struct mcp_core *srv, int on);
void mcp_core_fuzz_sink(struct mcp_core *srv, int on)
{
	log_set_sink(on ? log_to_client : NULL, on ? srv : NULL);
}
#endif
