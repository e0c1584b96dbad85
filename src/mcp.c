/* mcp.c - MCP over stdio: the method table, version negotiation, and a main
 * loop that waits on stdin and on every in-flight transfer at once, so a slow
 * vendor never delays a ping or another call. */
#include "mcp.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conns.h"
#include "jsonrpc.h"
#include "log.h"
#include "oauth_connect.h"
#include "result.h"
#include "schema.h"
#include "store.h"
#include "webhook.h"

#define DEFAULT_MAX_MESSAGE (4u << 20)
#define STORE_CHECK_MS 200 /* a new event reaches subscribers within this */
#define CONNECT_TTL_MS (10 * 60 * 1000) /* how long a switchboard_connect URL works */

static const char *versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL};
static const char *levels[] = {"debug",	   "info",  "notice", "warning", "error",
			       "critical", "alert", "emergency", NULL};

struct call {
	json_t *id;             /* owned */
	json_t *progress_token; /* owned, may be NULL */
	struct exec_call *exec;
	struct server *srv;
	struct call *next;
};

/* A switchboard_connect flow waiting for the user's browser. */
struct pending {
	struct oauth_connect *oc;
	long long deadline_ms;
	struct pending *next;
};

struct server {
	struct mcp_options *opt;
	struct pending *connects;
	struct registry *reg;
	struct toolset *tools;
	struct store *store;
	struct http_client *http;
	struct call *calls;
	int log_level; /* index into levels, -1 = no notifications */
	long long store_version;
	long long next_store_check;
	json_t *subscriptions;  /* resources/subscribe: object uri -> true */
	long long last_event_id; /* events up to here have been announced */
};

static void send_and_free(json_t *msg)
{
	jsonrpc_send(msg);
	json_decref(msg);
}

static void reply(json_t *id, json_t *result)
{
	send_and_free(jsonrpc_result_new(id, result));
}

static void reply_error(json_t *id, int code, const char *msg)
{
	send_and_free(jsonrpc_error_new(id, code, msg, NULL));
}

/* Forward log lines to the client as notifications/message once it asked
 * for them with logging/setLevel. */
static void log_to_client(enum log_level level, const char *line, void *ctx)
{
	struct server *srv = ctx;
	static const int map[] = {0, 1, 3, 4}; /* debug info warning error */
	if (srv->log_level < 0 || level > LOG_ERROR || map[level] < srv->log_level)
		return;
	send_and_free(jsonrpc_notification_new(
		"notifications/message",
		json_pack("{s:s, s:s, s:s}", "level", levels[map[level]], "logger", "switchboard",
			  "data", line)));
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

/* Is an OAuth app stored for any connector the filters let through? Then
 * switchboard_connect can do something and is worth showing. */
static int have_oauth_app(struct store *st, const struct registry *r, char **only)
{
	for (size_t i = 0; st && i < registry_count(r); i++) {
		const struct connector *c = registry_at(r, i);
		int listed = !only;
		for (char **p = only; p && *p && !listed; p++)
			listed = strcmp(*p, c->slug) == 0;
		if (!listed || !connector_auth_method(c, "oauth2"))
			continue;
		struct oauth_app *app = store_get_oauth_app(st, c->slug, NULL);
		oauth_app_free(app);
		if (app)
			return 1;
	}
	return 0;
}

static int rebuild_tools(struct server *srv, struct err *err)
{
	srv->opt->filter.events = have_events(srv->store);
	/* Only once some OAuth app is stored (even with --all): before that the
	 * tool could only answer "run oauth-app set", which is a terminal step
	 * anyway, and a tool that cannot work costs every client context. */
	srv->opt->filter.connect = have_oauth_app(srv->store, srv->reg, srv->opt->filter.connectors);
	struct toolset *ts = tools_build(srv->reg, &srv->opt->filter, conns_names, srv->store, err);
	if (!ts)
		return -1;
	tools_free(srv->tools);
	srv->tools = ts;
	return 0;
}

/* Events stored since the last look (by `webhooks serve` or `events
 * poll`, usually another process): the resource list changed, and each
 * subscribed events://<connector>/<entity> they belong to is updated. */
static void watch_events(struct server *srv)
{
	struct event_filter f = {.after_id = srv->last_event_id, .limit = 1000};
	struct event **list = NULL;
	json_t *updated = json_object();
	int any = 0;
	while (store_list_events(srv->store, &f, &list, NULL) == 0 && list[0]) {
		size_t n = 0;
		for (; list[n]; n++) {
			char *uri = events_resource_uri(list[n]);
			if (json_object_get(srv->subscriptions, uri))
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
		send_and_free(jsonrpc_notification_new("notifications/resources/updated",
						       json_pack("{s:s}", "uri", uri)));
	if (any)
		send_and_free(jsonrpc_notification_new("notifications/resources/list_changed", NULL));
	json_decref(updated);
}

/* When another process changes the store (a connection added in a
 * terminal), the tool list may change: rebuild and tell the client. */
static void watch_store(struct server *srv)
{
	if (!srv->store || now_ms() < srv->next_store_check)
		return;
	srv->next_store_check = now_ms() + STORE_CHECK_MS;
	long long v = store_data_version(srv->store);
	/* -1: the store is unreachable (a PostgreSQL restart); keep the tools
	 * we have rather than rebuild them from nothing. */
	if (v < 0 || v == srv->store_version)
		return;
	srv->store_version = v;
	watch_events(srv);
	if (srv->calls)
		return; /* tools are borrowed by calls in flight; try again later */
	json_t *before = json_array();
	for (size_t i = 0; i < tools_visible_count(srv->tools); i++)
		json_array_append(before, tools_def(tools_visible_at(srv->tools, i)));
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
	if (!json_equal(before, after))
		send_and_free(jsonrpc_notification_new("notifications/tools/list_changed", NULL));
	json_decref(before);
	json_decref(after);
}

static const char instructions[] =
	"Each tool is <connector>_<entity>_<action> and acts on the user's account at that "
	"vendor through a stored connection. When a connector has several connections, pass "
	"`connection` to choose one; otherwise the default is used. List tools return {data, "
	"next_cursor}: pass next_cursor as `cursor` to page. Failed calls return isError "
	"with the vendor's status and code and what to do next; retry_after_s means wait "
	"that long. If a tool says a connection is missing or needs reconnecting, tell the "
	"user the command it names. In discovery mode use switchboard_search, then "
	"switchboard_describe, then switchboard_call.";

static json_t *initialize(struct server *srv, json_t *params)
{
	/* An install without its data folder serves no business tools: say so
	 * where the model (and through it the user) reads first. */
	char *hint = registry_empty_hint(srv->reg);
	char *broken = hint ? xasprintf("switchboard is not set up: %s. Tell the user; no "
					"business tools are available until it is fixed. %s",
					hint, instructions)
			    : NULL;
	const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
	const char *version = versions[0];
	for (int i = 0; asked && versions[i]; i++)
		if (strcmp(asked, versions[i]) == 0)
			version = versions[i];
	json_t *res = json_pack(
		"{s:s, s:{s:{s:b}, s:{}, s:{s:b, s:b}}, s:{s:s, s:s, s:s, s:s}, s:s}",
		"protocolVersion", version, "capabilities", "tools", "listChanged", 1, "logging",
		"resources", "subscribe", 1, "listChanged", 1, "serverInfo", "name",
		"switchboard", "title", "switchboard", "version", SB_VERSION, "description",
		"Business APIs (Stripe, GitHub, Shopify, Xero, QuickBooks, Slack, HubSpot, ...) as "
		"tools",
		"instructions", broken ? broken : instructions);
	free(broken);
	free(hint);
	return res;
}

static int parse_cursor(const char *cursor, size_t *off)
{
	long v;
	if (!cursor || cursor[0] != 'p' || parse_long(cursor + 1, &v) < 0 || v < 0)
		return -1;
	*off = (size_t)v;
	return 0;
}

static void tools_list(struct server *srv, json_t *id, json_t *params)
{
	size_t off = 0, n = tools_visible_count(srv->tools);
	json_t *cursor = json_object_get(params, "cursor");
	if (cursor && !json_is_null(cursor) &&
	    (!json_is_string(cursor) || parse_cursor(json_string_value(cursor), &off) < 0 ||
	     off > n)) {
		reply_error(id, JSONRPC_INVALID_PARAMS, "invalid cursor");
		return;
	}
	size_t page = srv->opt->page_size > 0 ? (size_t)srv->opt->page_size : n;
	json_t *list = json_array();
	for (size_t i = off; i < n && i < off + page; i++)
		json_array_append(list, tools_def(tools_visible_at(srv->tools, i)));
	json_t *result = json_pack("{s:o}", "tools", list);
	if (off + page < n) {
		char *next = xasprintf("p%zu", off + page);
		json_object_set_new(result, "nextCursor", json_string(next));
		free(next);
	}
	reply(id, result);
}

static void unlink_call(struct server *srv, struct call *c)
{
	for (struct call **p = &srv->calls; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	json_decref(c->id);
	json_decref(c->progress_token);
	free(c);
}

static void call_done(json_t *result, void *ctx)
{
	struct call *c = ctx;
	reply(c->id, result);
	unlink_call(c->srv, c);
}

static void call_progress(double progress, double total, const char *message, void *ctx)
{
	struct call *c = ctx;
	if (!c->progress_token)
		return;
	json_t *p = json_pack("{s:O, s:f}", "progressToken", c->progress_token, "progress",
			      progress);
	if (total > 0)
		json_object_set_new(p, "total", json_real(total));
	if (message)
		json_object_set_new(p, "message", json_string(message));
	send_and_free(jsonrpc_notification_new("notifications/progress", p));
}


static void call_tool(struct server *srv, json_t *id, const struct tool *t, json_t *args,
		      json_t *meta);

static void pending_drop(struct server *srv, struct pending *p)
{
	for (struct pending **pp = &srv->connects; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	oauth_connect_free(p->oc);
	free(p);
}

/* switchboard_connect: start the flow with its listener in this process and
 * answer the URL at once; the redirect finishes it on the listener's
 * thread, and watch_connects reports it. */
static void connect_start(struct server *srv, json_t *id, json_t *args)
{
	const char *slug = json_string_value(json_object_get(args, "connector"));
	const struct connector *c = registry_find(srv->reg, slug);
	struct oauth_connect_opts o = {c, json_string_value(json_object_get(args, "name")), NULL,
				       NULL, json_string_value(json_object_get(args, "tenant"))};
	struct err e;
	err_init(&e);
	if (!c)
		err_set(&e, "no connector '%s'; switchboard_connections lists them", slug);
	else if (!connector_auth_method(c, "oauth2"))
		err_set(&e, "%s does not connect through OAuth: ask the user to run "
			    "'switchboard connections add %s' in a terminal",
			slug, slug);
	else if (!srv->store)
		err_set(&e, "the store is not available, so no connection can be saved");
	if (err_is_set(&e)) {
		reply(id, result_error(e.msg, NULL));
		return;
	}
	/* A new attempt replaces an older one for the same connector (and
	 * frees its redirect port). */
	for (struct pending *p = srv->connects, *next; p; p = next) {
		next = p->next;
		if (strncmp(oauth_connect_target(p->oc), slug, strlen(slug)) == 0 &&
		    oauth_connect_target(p->oc)[strlen(slug)] == '/')
			pending_drop(srv, p);
	}
	struct oauth_connect *oc = oauth_connect_begin(srv->store, &o, &e);
	if (!oc) {
		reply(id, result_error(e.msg, NULL));
		return;
	}
	struct pending *p = xcalloc(1, sizeof(*p));
	p->oc = oc;
	p->deadline_ms = now_ms() + CONNECT_TTL_MS;
	p->next = srv->connects;
	srv->connects = p;
	log_info("connect %s: waiting for the browser", oauth_connect_target(oc));
	reply(id, result_success(json_pack(
			  "{s:{s:s, s:s, s:i, s:s}}", "data", "authorization_url",
			  oauth_connect_url(oc), "connection", oauth_connect_target(oc),
			  "expires_in_s", CONNECT_TTL_MS / 1000, "next",
			  "Show the user this URL to open in their browser and approve access. When "
			  "they have, the connection is saved and the tool list changes (call "
			  "switchboard_connections to check).")));
}

/* Flows the browser finished (or that expired): say so, and look at the
 * store at once so the new tools are announced without waiting. */
static void watch_connects(struct server *srv)
{
	for (struct pending *p = srv->connects, *next; p; p = next) {
		next = p->next;
		struct err e;
		err_init(&e);
		int rc = oauth_connect_poll(p->oc, &e);
		if (rc == 0 && now_ms() < p->deadline_ms)
			continue;
		if (rc > 0)
			log_info("connected %s", oauth_connect_target(p->oc));
		else if (rc < 0)
			log_warn("connect %s: %s", oauth_connect_target(p->oc), e.msg);
		else
			log_warn("connect %s: the authorization URL expired unused",
				 oauth_connect_target(p->oc));
		pending_drop(srv, p);
		srv->next_store_check = 0;
	}
}

/* switchboard_describe: one tool's definition (name), or a list of them
 * (names; name too, first, when both are given). */
static void describe_tools(struct server *srv, json_t *id, json_t *args)
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
	json_array_foreach(wanted, i, v)
	{
		const struct tool *x = tools_find(srv->tools, json_string_value(v));
		if (x && !x->meta)
			json_array_append(defs, tools_def(x));
		else
			buf_addf(&unknown, "%s'%s'", unknown.len ? ", " : "", json_string_value(v));
	}
	if (!json_array_size(wanted)) {
		reply(id, result_error("give name (one tool) or names (several); switchboard_search "
				       "finds them",
				       NULL));
	} else if (unknown.len) {
		char *msg = xasprintf("unknown tool %s; use switchboard_search to find tools",
				      unknown.data);
		reply(id, result_error(msg, NULL));
		free(msg);
	} else {
		reply(id, result_success(json_pack("{s:O}", "data",
						   names ? defs : json_array_get(defs, 0))));
	}
	json_decref(wanted);
	json_decref(defs);
	buf_release(&unknown);
}

static void call_meta(struct server *srv, json_t *id, const struct tool *t, json_t *args,
		      json_t *meta)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	if (strcmp(t->name, "switchboard_search") == 0) {
		json_t *found = tools_search(
			srv->tools, json_string_value(json_object_get(args, "query")),
			json_string_value(json_object_get(args, "connector")),
			json_string_value(json_object_get(args, "entity")),
			(int)json_integer_value(json_object_get(args, "limit")));
		reply(id, result_success(json_pack("{s:o}", "data", found)));
		return;
	}
	if (strcmp(t->name, TOOLS_EVENTS) == 0) {
		reply(id, events_query(srv->store, args)); /* a whole CallToolResult */
		return;
	}
	if (strcmp(t->name, TOOLS_CONNECT) == 0) {
		connect_start(srv, id, args);
		return;
	}
	if (strcmp(t->name, TOOLS_CONNECTIONS) == 0) {
		json_t *data = conns_overview(srv->store, srv->reg,
					      json_string_value(json_object_get(args, "connector")));
		reply(id, result_success(json_pack("{s:o}", "data", data)));
		return;
	}
	if (strcmp(t->name, "switchboard_describe") == 0) {
		describe_tools(srv, id, args);
		return;
	}
	/* switchboard_call: the tool it names, found among the tools the filters
	 * let through (a filtered-out tool is unknown here too), then called
	 * through call_tool exactly as a direct tools/call: its own schema,
	 * annotations and safety apply, not switchboard_call's. */
	const struct tool *target = tools_find(srv->tools, name);
	if (!target || target->meta) {
		char *msg = xasprintf("unknown tool '%s'; use switchboard_search to find tools",
				      name);
		reply(id, result_error(msg, NULL));
		free(msg);
		return;
	}
	json_t *inner = json_object_get(args, "arguments");
	json_t *empty = inner ? NULL : json_object();
	call_tool(srv, id, target, inner ? inner : empty, meta);
	json_decref(empty);
}

static void call_tool(struct server *srv, json_t *id, const struct tool *t, json_t *args,
		      json_t *meta)
{
	struct err e;
	err_init(&e);
	if (t->meta) {
		if (schema_validate(tools_input(t), args, &e) < 0) {
			char *msg = xasprintf("invalid arguments: %s", e.msg);
			reply(id, result_error(msg, NULL));
			free(msg);
			return;
		}
		call_meta(srv, id, t, args, meta);
		return;
	}
	if (schema_validate(tools_input(t), args, &e) < 0) {
		char *msg = xasprintf("invalid arguments for %s: %s. Call tools/list (or "
				      "switchboard_describe) for the input schema.",
				      t->name, e.msg);
		reply(id, result_error(msg, NULL));
		free(msg);
		return;
	}
	struct call *c = xcalloc(1, sizeof(*c));
	c->id = json_incref(id);                                       /* dropped in unlink_call */
	c->progress_token = json_incref(json_object_get(meta, "progressToken")); /* likewise */
	c->srv = srv;
	c->next = srv->calls;
	srv->calls = c;
	/* A call that fails before any I/O answers at once and frees c. */
	struct exec_call *x = exec_start(&srv->opt->exec, t, args, call_done, call_progress, c);
	if (x)
		c->exec = x;
}

static void tools_call(struct server *srv, json_t *id, json_t *params)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments");
	if (!name) {
		reply_error(id, JSONRPC_INVALID_PARAMS, "tools/call needs a string 'name'");
		return;
	}
	const struct tool *t = tools_find(srv->tools, name);
	if (!t) {
		char *msg = xasprintf("Unknown tool: %s", name);
		reply_error(id, JSONRPC_INVALID_PARAMS, msg);
		free(msg);
		return;
	}
	if (args && !json_is_null(args) && !json_is_object(args)) {
		reply_error(id, JSONRPC_INVALID_PARAMS, "tools/call 'arguments' must be an object");
		return;
	}
	json_t *empty = NULL;
	if (!args || json_is_null(args))
		args = empty = json_object();
	call_tool(srv, id, t, args, json_object_get(params, "_meta"));
	json_decref(empty);
}

static void cancel(struct server *srv, json_t *params)
{
	json_t *rid = json_object_get(params, "requestId");
	for (struct call *c = srv->calls; c; c = c->next) {
		if (rid && json_equal(c->id, rid)) {
			log_debug("request cancelled by the client");
			if (c->exec)
				exec_cancel(c->exec);
			unlink_call(srv, c);
			return;
		}
	}
}

static void set_level(struct server *srv, json_t *id, json_t *params)
{
	const char *level = json_string_value(json_object_get(params, "level"));
	for (int i = 0; level && levels[i]; i++) {
		if (strcmp(level, levels[i]) == 0) {
			srv->log_level = i;
			reply(id, json_object());
			return;
		}
	}
	reply_error(id, JSONRPC_INVALID_PARAMS,
		    "invalid log level; use debug, info, notice, warning, error, critical, alert "
		    "or emergency");
}

/* The resources methods: the events:// resources (webhook_events.c) and
 * subscriptions to them, announced from watch_events. */
static void resources(struct server *srv, const char *m, json_t *id, json_t *params)
{
	struct err e;
	int code = JSONRPC_INVALID_PARAMS;
	json_t *result = NULL;
	err_init(&e);
	if (strcmp(m, "resources/list") == 0) {
		result = events_resources_list(srv->store, params, &code, &e);
	} else if (strcmp(m, "resources/templates/list") == 0) {
		result = events_resources_templates();
	} else if (strcmp(m, "resources/read") == 0) {
		result = events_resource_read(srv->store, srv->reg, params, &code, &e);
	} else {
		const char *uri = json_string_value(json_object_get(params, "uri"));
		int sub = strcmp(m, "resources/subscribe") == 0;
		if (!uri) {
			err_set(&e, "%s needs a string 'uri'", m);
		} else if (sub && events_resource_check(srv->reg, uri, &e) < 0) {
			code = EVENTS_RESOURCE_NOT_FOUND;
		} else {
			if (sub)
				json_object_set_new(srv->subscriptions, uri, json_true());
			else
				json_object_del(srv->subscriptions, uri);
			result = json_object();
		}
	}
	if (result)
		reply(id, result);
	else
		send_and_free(jsonrpc_error_new(id, code, e.msg, NULL));
}

static int valid_id(json_t *id)
{
	if (json_is_string(id) || json_is_integer(id))
		return 1;
	/* 2.0 is an integer id; range-check before the cast, which is undefined
	 * for values a long long cannot hold (1e300). */
	double d = json_real_value(id);
	return json_is_real(id) && d > -9.2e18 && d < 9.2e18 && d == (double)(long long)d;
}

static void handle(struct server *srv, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	json_t *method = json_object_get(msg, "method");
	json_t *params = json_object_get(msg, "params");
	int has_id = id != NULL;
	/* A response: we send no requests, so it answers nothing of ours.
	 * Replying to it would invite an error ping-pong with the client. */
	if (!method && (json_object_get(msg, "result") || json_object_get(msg, "error")))
		return;
	if (!json_is_object(msg) ||
	    !json_is_string(json_object_get(msg, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0 ||
	    !json_is_string(method) || (has_id && !valid_id(id)) ||
	    (params && !json_is_object(params) && !json_is_array(params))) {
		if (has_id || !json_is_string(method))
			reply_error(has_id && valid_id(id) ? id : NULL, JSONRPC_INVALID_REQUEST,
				    "invalid request: expected {\"jsonrpc\":\"2.0\", \"id\": string "
				    "or integer, \"method\": string, \"params\"?: object}");
		return;
	}
	const char *m = json_string_value(method);
	if (!has_id) {
		if (strcmp(m, "notifications/cancelled") == 0)
			cancel(srv, params);
		return; /* notifications/initialized and unknown notifications */
	}
	if (strcmp(m, "initialize") == 0)
		reply(id, initialize(srv, params));
	else if (strcmp(m, "ping") == 0)
		reply(id, json_object());
	else if (strcmp(m, "tools/list") == 0)
		tools_list(srv, id, params);
	else if (strcmp(m, "tools/call") == 0)
		tools_call(srv, id, params);
	else if (strcmp(m, "logging/setLevel") == 0)
		set_level(srv, id, params);
	else if (strcmp(m, "resources/list") == 0 || strcmp(m, "resources/templates/list") == 0 ||
		 strcmp(m, "resources/read") == 0 || strcmp(m, "resources/subscribe") == 0 ||
		 strcmp(m, "resources/unsubscribe") == 0)
		resources(srv, m, id, params);
	else {
		char *text = xasprintf("Method not found: %s", m);
		reply_error(id, JSONRPC_METHOD_NOT_FOUND, text);
		free(text);
	}
}

static void on_line(const char *line, size_t len, int oversize, void *ctx)
{
	struct server *srv = ctx;
	if (oversize) {
		char *msg = xasprintf("message of %zu bytes exceeds the limit of %zu bytes", len,
				      srv->opt->max_message);
		log_warn("%s; discarded", msg);
		send_and_free(jsonrpc_error_new(NULL, JSONRPC_INVALID_REQUEST, msg, NULL));
		free(msg);
		return;
	}
	size_t skip = 0;
	while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
		skip++;
	if (skip == len)
		return; /* blank lines are harmless */
	json_error_t je;
	/* Any JSON value parses, so a bare 42 or "x" is an invalid request
	 * (-32600) rather than a parse error. */
	json_t *msg = json_loadb(line, len, JSON_DECODE_ANY, &je);
	if (!msg) {
		char *text = xasprintf("parse error: %s", je.text);
		send_and_free(jsonrpc_error_new(NULL, JSONRPC_PARSE_ERROR, text, NULL));
		free(text);
		return;
	}
	if (json_is_array(msg)) {
		send_and_free(jsonrpc_error_new(NULL, JSONRPC_INVALID_REQUEST,
						"batch requests are not supported", NULL));
	} else if (!json_is_object(msg)) {
		send_and_free(jsonrpc_error_new(NULL, JSONRPC_INVALID_REQUEST,
						"invalid request: not a JSON object", NULL));
	} else {
		handle(srv, msg);
	}
	json_decref(msg);
}

int mcp_serve(struct mcp_options *opt)
{
	struct server srv = {0};
	struct err e;
	int ret = 1;
	err_init(&e);
	srv.opt = opt;
	srv.log_level = -1;
	if (!opt->max_message)
		opt->max_message = DEFAULT_MAX_MESSAGE;
	signal(SIGPIPE, SIG_IGN);

	srv.reg = registry_new();
	registry_load_default(srv.reg, opt->capability_dirs, report_bad_file, NULL);
	char *hint = registry_empty_hint(srv.reg);
	if (hint)
		log_error("%s", hint);
	free(hint);
	srv.store = store_open(opt->store_path, &e);
	if (!srv.store) {
		/* Environment connections still work without a store. */
		log_warn("%s; only environment connections are available", e.msg);
		err_init(&e);
	} else {
		srv.store_version = store_data_version(srv.store);
		store_last_event_id(srv.store, &srv.last_event_id, NULL);
	}
	srv.subscriptions = json_object();
	srv.http = http_new(&e);
	if (!srv.http)
		goto out;
	opt->exec.http = srv.http;
	opt->exec.store = srv.store;
	if (rebuild_tools(&srv, &e) < 0)
		goto out;
	srv.next_store_check = now_ms() + STORE_CHECK_MS;
	log_info("serving %zu tools from %zu connectors", srv.tools->n, registry_count(srv.reg));
	log_set_sink(log_to_client, &srv);

	int flags = fcntl(STDIN_FILENO, F_GETFL);
	fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);
	struct jsonrpc_reader rd;
	jsonrpc_reader_init(&rd, STDIN_FILENO, opt->max_message);
	int open_in = 1;
	while (open_in || srv.calls) {
		int ready = 0;
		if (http_wait(srv.http, open_in ? STDIN_FILENO : -1, STORE_CHECK_MS, &ready) < 0) {
			err_set(&e, "network loop failed");
			break;
		}
		exec_poll(&opt->exec);
		if (open_in && ready) {
			int r = jsonrpc_read(&rd, on_line, &srv);
			if (r != 0)
				open_in = 0; /* EOF: finish what is in flight, then exit */
		}
		watch_connects(&srv);
		watch_store(&srv);
	}
	jsonrpc_reader_release(&rd);
	fcntl(STDIN_FILENO, F_SETFL, flags);
	log_set_sink(NULL, NULL);
	ret = err_is_set(&e) ? 1 : 0;
out:
	if (err_is_set(&e))
		log_error("%s", e.msg);
	while (srv.calls) {
		if (srv.calls->exec)
			exec_cancel(srv.calls->exec);
		unlink_call(&srv, srv.calls);
	}
	exec_shutdown();
	while (srv.connects)
		pending_drop(&srv, srv.connects);
	tools_free(srv.tools);
	http_free(srv.http);
	store_free(srv.store);
	registry_free(srv.reg);
	json_decref(srv.subscriptions);
	return ret;
}

#ifdef SB_FUZZ
/* A test seam for tests/fuzz/fuzz_line.c (built with -DSB_FUZZ only): one
 * line, as the reader hands it out, through the same on_line as serve. The
 * first call sets up a server over the built-in stripe connector with every
 * tool visible (discovery mode, so the meta-tools are reachable too), no
 * store and no credentials, so a tools/call answers before any I/O. Calls
 * still in flight afterwards are cancelled, never sent. */
void mcp_fuzz_line(const char *line, size_t len, int oversize);

void mcp_fuzz_line(const char *line, size_t len, int oversize)
{
	static struct mcp_options opt;
	static struct server srv;
	static char *only[] = {"stripe", NULL};
	if (!srv.opt) {
		struct err e;
		err_init(&e);
		unsetenv("STRIPE_API_KEY");
		opt.max_message = 1024;
		opt.filter.all = 1;
		opt.filter.mode = TOOLS_DISCOVER;
		opt.filter.connectors = only;
		srv.opt = &opt;
		srv.log_level = -1;
		srv.reg = registry_new();
		registry_load_default(srv.reg, NULL, report_bad_file, NULL);
		srv.http = http_new(&e);
		opt.exec.http = srv.http;
		if (!srv.http || rebuild_tools(&srv, &e) < 0)
			abort();
	}
	log_set_sink(log_to_client, &srv);
	on_line(line, len, oversize, &srv);
	log_set_sink(NULL, NULL);
	while (srv.calls) {
		if (srv.calls->exec)
			exec_cancel(srv.calls->exec);
		unlink_call(&srv, srv.calls);
	}
}
#endif
