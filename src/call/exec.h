/* exec.h - one tool call: arguments -> the vendor's request -> a normalised
 * call result (result.h: data and cursor, or an error). */
#ifndef SB_EXEC_H
#define SB_EXEC_H

#include <jansson.h>

#include "caller.h"
#include "http.h"
#include "connector.h"
#include "registry.h"

struct store;
struct call_result;

struct exec_env {
	struct http_client *http;
	struct store *store; /* may be NULL: environment connections only */
	size_t max_body;     /* response cap; 0 = default */
	long timeout_ms;     /* default total timeout; 0 = connector's or 30 s */
	int keep_secrets;    /* leave an action's "redact" fields in its answer
			      * (webhooks register stores them; a model or a
			      * terminal never sees them) */
	/* Optional: called with a call's ctx before the main loop works on
	 * that call's answer, and with NULL after, so the log lines in between
	 * belong to that call's request (MCP's per-request log level). */
	void (*scope)(void *scope_ctx, void *call_ctx);
	void *scope_ctx;
};

struct exec_call;

/* What a call runs: an action of a loaded connector (both borrowed from
 * the registry, living as long as it). */
struct exec_target {
	const struct connector *connector;
	const struct action_spec *action; /* one of connector's (its name in
					     messages: action->id) */
	json_t *output_schema;            /* borrowed, or NULL: with SWITCHBOARD_CHECK_OUTPUT=1
					     in the environment, results are checked
					     against it (the MCP tool's outputSchema) */
};

/* Called once with the call's result (taken over: call_result_free). */
typedef void (*exec_done_fn)(struct call_result *result, void *ctx);
/* Progress of a long call (multi-page lists). */
typedef void (*exec_progress_fn)(double progress, double total, const char *message, void *ctx);

/* Start a call of target (copied); args (borrowed) were validated against
 * the tool's input schema. who (borrowed, only during this call; NULL: the local user) limits
 * the connections it may use (conns_resolve). Returns the call, or NULL when
 * it already finished and done() was called (errors found before any I/O). */
struct exec_call *exec_start(struct exec_env *env, const struct caller *who,
			     const struct exec_target *target, json_t *args, exec_done_fn done,
			     exec_progress_fn progress, void *ctx);
/* Abort a call: done() is never called. A call waiting for HTTP is freed
 * before this returns; one on a worker thread when the worker ends
 * (exec_poll, exec_shutdown). */
void exec_cancel(struct exec_call *call);

/* Deliver calls that finished on worker threads (hooks that run off the
 * main loop, such as mail); call after each http_wait(). Returns how many
 * such calls are still running. */
int exec_poll(struct exec_env *env);
/* Wait for worker threads still running (their results are dropped); a
 * credential command one of them runs is stopped rather than waited for. */
void exec_shutdown(void);

/* Build the request a call would send, without sending it: a new object
 * {method, url, headers: [..], body} with secrets redacted (dry run). */
json_t *exec_dry_run(struct exec_env *env, const struct caller *who,
		     const struct exec_target *target, json_t *args, struct err *err);

#endif
