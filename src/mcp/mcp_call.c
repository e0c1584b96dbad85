/* mcp_call.c - tools/call: a call from its arguments to its answer (the
 * user's yes first when it cannot be undone), its audit entry, progress
 * and cancellation. */
#include "mcp_int.h"

#include <stdlib.h>
#include <string.h>

#include "confirm.h"
#include "conns.h"
#include "conntest.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp_results.h"
#include "mcp_result.h"
#include "result.h"
#include "schema.h"
#include "tenancy.h"

/* ---- the audit log: one entry per call of a connector's tool ---- */

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
static void audit_outcome(struct audit_entry *a, const char *outcome,
			  const struct call_result *result)
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

void mcp_call_audit_flush(struct mcp_core *srv)
{
	struct err e;
	err_init(&e);
	if (srv->audit_n && store_add_audits(srv->store, srv->audit_queue, srv->audit_n, &e) < 0)
		log_warn("cannot record %zu calls in the audit log: %s", srv->audit_n, e.msg);
	for (size_t i = 0; i < srv->audit_n; i++)
		store_audit_entry_release(&srv->audit_queue[i]);
	srv->audit_n = 0;
}

/* Queue a (taken over; a is left empty) for the store: written with the
 * others within AUDIT_WAIT_MS (mcp_core_tick) or when AUDIT_BATCH are
 * waiting, and at the end. One transaction a second rather than one a call
 * keeps the disk's flush out of every call's time. */
static void audit_write(struct mcp_core *srv, struct audit_entry *a)
{
	if (!a->tool || !a->outcome) {
		store_audit_entry_release(a);
		return;
	}
	if (srv->audit_n == 0)
		srv->audit_since = now_ms();
	srv->audit_queue[srv->audit_n++] = *a;
	*a = (struct audit_entry){0};
	if (srv->audit_n == AUDIT_BATCH)
		mcp_call_audit_flush(srv);
}

void mcp_call_unlink(struct mcp_core *srv, struct call *c)
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
	store_audit_entry_release(&c->audit);
	free(c);
}

/* Reply with result (stolen), record the call and let it go. */
static void call_answer(struct call *c, json_t *result)
{
	json_t *part =
		results_shrink(c->srv->results, c->tool, result, c->who ? c->who->subject : NULL);
	if (part) {
		json_decref(result);
		result = part;
	}
	mcp_reply(&c->rq, result);
	audit_write(c->srv, &c->audit);
	mcp_call_unlink(c->srv, c);
}

static void call_done(struct call_result *r, void *ctx)
{
	struct call *c = ctx;
	audit_outcome(&c->audit, NULL, r);
	call_answer(c, mcp_result(r));
}

void mcp_call_scope(void *scope_ctx, void *call_ctx)
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
	mcp_send(c->srv, c->rq.id, jsonrpc_notification_new("notifications/progress", p));
}

struct call *mcp_call_new(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
			  json_t *meta)
{
	struct call *c = xcalloc(1, sizeof(*c));
	c->rq = *rq; /* the references below are dropped in mcp_call_unlink */
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

void mcp_call_tool(struct mcp_core *srv, const struct mcp_req *rq, const struct tool *t,
		   json_t *args, json_t *meta)
{
	struct err e;
	err_init(&e);
	if (t->meta) {
		if (schema_validate(tools_input(t), args, &e) < 0) {
			char *msg = xasprintf("invalid arguments: %s", e.msg);
			mcp_reply(rq, result_error(msg, NULL));
			free(msg);
			return;
		}
		mcp_meta_call(srv, rq, t, args, meta);
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
		struct call_result *r = call_result_error(msg, NULL);
		free(msg);
		audit_outcome(&a, NULL, r);
		mcp_reply(rq, mcp_result(r));
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
		int declined = json_is_true(json_object_get(answer, "isError"));
		if (declined && a.tool)
			a.error = xstrdup("error");
		audit_outcome(&a, declined ? "declined" : "asked", NULL);
		mcp_reply(rq, answer);
		audit_write(srv, &a);
		return;
	}
	struct call *c = mcp_call_new(srv, rq, t, meta);
	c->audit = a;
	if (elicit) {
		/* Ask, and keep serving: mcp_call_confirm_answered goes on. A waiting call
		 * holds its tool, so the tools are not rebuilt meanwhile. */
		c->ask_id = json_sprintf("sb-confirm-%lld", ++srv->asks);
		c->target = t;
		c->args = json_incref(args); /* dropped in mcp_call_unlink */
		mcp_send(srv, rq->id,
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

void mcp_call_confirm_answered(struct mcp_core *srv, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	struct call *c = srv->calls;
	while (c && !(c->ask_id && json_equal(c->ask_id, id)))
		c = c->next;
	if (!c)
		return; /* not ours, or the call was cancelled */
	json_t *no = confirm_elicit_answer(c->tool, msg);
	if (no) {
		/* Not run: an error of no class of its own. */
		if (c->audit.tool && !c->audit.error)
			c->audit.error = xstrdup("error");
		audit_outcome(&c->audit, NULL, NULL);
		call_answer(c, no);
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
			mcp_call_unlink(srv, c);
	}
}

void mcp_call_tools_call(struct mcp_core *srv, const struct mcp_req *rq)
{
	json_t *params = rq->params;
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments");
	if (!name) {
		mcp_reply_error(rq, JSONRPC_INVALID_PARAMS, "tools/call needs a string 'name'");
		return;
	}
	const struct tool *t = tools_find(mcp_tools_of(srv, rq->caller), name);
	if (!t) {
		char *msg = xasprintf("Unknown tool: %s", name);
		mcp_reply_error(rq, JSONRPC_INVALID_PARAMS, msg);
		free(msg);
		return;
	}
	if (args && !json_is_null(args) && !json_is_object(args)) {
		mcp_reply_error(rq, JSONRPC_INVALID_PARAMS,
				"tools/call 'arguments' must be an object");
		return;
	}
	json_t *empty = NULL;
	if (!args || json_is_null(args))
		args = empty = json_object();
	mcp_call_tool(srv, rq, t, args, json_object_get(params, "_meta"));
	json_decref(empty);
}

/* notifications/cancelled ends a tool call or a subscriptions/listen stream;
 * nothing more is sent for either. */
static int same_caller(const struct caller *a, const struct caller *b)
{
	return a == b || (a && b && strcmp(a->subject, b->subject) == 0);
}

void mcp_call_cancel(struct mcp_core *srv, json_t *params, const struct caller *who)
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
			mcp_call_unlink(srv, c);
			return;
		}
	}
	for (struct listen **p = &srv->listens; rid && *p; p = &(*p)->next) {
		if (json_equal((*p)->id, rid)) {
			struct listen *l = *p;
			log_debug("subscription ended by the client");
			*p = l->next;
			mcp_resources_listen_free(l);
			return;
		}
	}
}
