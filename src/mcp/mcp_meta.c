/* mcp_meta.c - the meta-tools (switchboard_search, _describe, _call,
 * _events, _connections, _connect) and serve --builder's: import, test
 * and save a connector, then read the folders again; switchboard_connect's
 * flows run in mcp_connect.c. */
#include "mcp_int.h"

#include <stdlib.h>
#include <string.h>

#include "conns.h"
#include "conntest.h"
#include "log.h"
#include "mcp_connect.h"
#include "mcp_events.h"
#include "mcp_result.h"
#include "tools_builder.h"

void mcp_meta_connect_send(json_t *msg, void *call, void *ctx)
{
	const struct mcp_req *rq = call;
	mcp_send(ctx, rq ? rq->id : NULL, msg);
}

void mcp_meta_connect_forget(void *call, void *ctx)
{
	struct mcp_req *rq = call;
	(void)ctx;
	json_decref(rq->id);
	json_decref(rq->client_caps);
	json_decref(rq->client_info);
	free(rq);
}

void mcp_meta_connect_answer(void *call, json_t *result, void *ctx)
{
	mcp_reply(call, result);
	mcp_meta_connect_forget(call, ctx);
}

static void connect_start(struct mcp_core *srv, const struct mcp_req *rq, json_t *args)
{
	struct mcp_req *kept = xmalloc(sizeof(*kept));
	*kept = *rq; /* the references below are dropped in mcp_meta_connect_forget */
	kept->params = NULL;
	json_incref(kept->id);
	json_incref(kept->client_caps);
	json_incref(kept->client_info);
	/* A 2026-07-28 request gets no request of ours mid-call: its URL comes
	 * back in the result. */
	mcp_connect_start(srv->connect, srv->store, srv->reg, kept, rq->client_caps, !rq->modern,
			  args);
}

void mcp_meta_watch_connects(struct mcp_core *srv)
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
		const struct tool *x =
			tools_find(mcp_tools_of(srv, rq->caller), json_string_value(v));
		if (x && !x->meta)
			json_array_append(defs, tools_def(x));
		else
			buf_addf(&unknown, "%s'%s'", unknown.len ? ", " : "", json_string_value(v));
	}
	if (!json_array_size(wanted)) {
		mcp_reply(rq, result_error(
				      "give name (one tool) or names (several); switchboard_search "
				      "finds them",
				      NULL));
	} else if (unknown.len) {
		char *msg = xasprintf("unknown tool %s; use switchboard_search to find tools",
				      unknown.data);
		mcp_reply(rq, result_error(msg, NULL));
		free(msg);
	} else {
		mcp_reply(rq, result_success(json_pack("{s:O}", "data",
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
	if (mcp_result_check(result, json_object_get(tools_def(t), "outputSchema"), &e) < 0)
		log_error("tool %s: result does not match its outputSchema: %s", t->name, e.msg);
	mcp_reply(rq, result);
}

static void test_done(json_t *report, void *ctx)
{
	struct call *c = ctx;
	c->test = NULL;
	const struct tool *t = tools_find(c->srv->tools, TOOLS_BUILDER_TEST);
	json_t *result = result_success(report);
	if (t)
		builder_reply(&c->rq, t, result);
	else
		mcp_reply(&c->rq, result);
	mcp_call_unlink(c->srv, c);
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
		mcp_reply(rq, result_error(e.msg, NULL));
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
	struct call *c = mcp_call_new(srv, rq, t, meta);
	struct conntest *x = conntest_start(&srv->test_env, doc, path, &o, test_done, c, &e);
	if (x) {
		c->test = x;
	} else if (err_is_set(&e)) {
		char *msg = xasprintf("not a valid connector: %s", e.msg);
		mcp_reply(rq, result_error(msg, NULL));
		free(msg);
		mcp_call_unlink(srv, c);
	} /* else it has answered already (nothing could be sent) and freed c */
}

void mcp_meta_reload_registry(struct mcp_core *srv)
{
	json_t *before = mcp_visible_defs(srv);
	struct registry *r = registry_new(), *old = srv->reg;
	registry_load_default(r, srv->opt->capability_dirs, mcp_report_bad_file, NULL);
	srv->reg = r;
	struct err e;
	err_init(&e);
	if (mcp_rebuild_tools(srv, &e) < 0) {
		log_warn("%s", e.msg);
		srv->reg = old;
		registry_free(r);
		json_decref(before);
		return;
	}
	srv->retired = xrealloc(srv->retired, (srv->nretired + 1) * sizeof(*srv->retired));
	srv->retired[srv->nretired++] = old;
	srv->reload = 0;
	mcp_announce_if_changed(srv, before, 0);
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
		mcp_meta_reload_registry(srv);
}

void mcp_meta_call(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
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
			tools_search(mcp_tools_of(srv, rq->caller),
				     json_string_value(json_object_get(args, "query")),
				     json_string_value(json_object_get(args, "connector")),
				     json_string_value(json_object_get(args, "entity")),
				     (int)json_integer_value(json_object_get(args, "limit")));
		mcp_reply(rq, result_success(json_pack("{s:o}", "data", found)));
		return;
	}
	if (strcmp(t->name, TOOLS_EVENTS) == 0) {
		/* a whole CallToolResult */
		mcp_reply(rq, events_query(srv->store, args, rq->caller));
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
		mcp_reply(rq, result_success(json_pack("{s:o}", "data", data)));
		return;
	}
	if (strcmp(t->name, "switchboard_describe") == 0) {
		describe_tools(srv, rq, args);
		return;
	}
	/* switchboard_call: the tool it names, found among the tools the filters
	 * let through (a filtered-out tool is unknown here too), then called
	 * through mcp_call_tool exactly as a direct tools/call: its own schema,
	 * annotations and safety apply, not switchboard_call's. */
	const struct tool *target = tools_find(mcp_tools_of(srv, rq->caller), name);
	if (!target || target->meta) {
		char *msg =
			xasprintf("unknown tool '%s'; use switchboard_search to find tools", name);
		mcp_reply(rq, result_error(msg, NULL));
		free(msg);
		return;
	}
	json_t *inner = json_object_get(args, "arguments");
	json_t *empty = inner ? NULL : json_object();
	mcp_call_tool(srv, rq, target, inner ? inner : empty, meta);
	json_decref(empty);
}
