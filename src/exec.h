/* exec.h - one tool call: arguments -> the vendor's request -> a normalised
 * MCP result (a text block plus structuredContent, or isError). */
#ifndef SB_EXEC_H
#define SB_EXEC_H

#include <jansson.h>

#include "http.h"
#include "registry.h"
#include "tools.h"

struct store;

struct exec_env {
	struct http_client *http;
	struct store *store;   /* may be NULL: environment connections only */
	size_t max_body;       /* response cap; 0 = default */
	long timeout_ms;       /* default total timeout; 0 = connector's or 30 s */
};

struct exec_call;

/* Called once with the CallToolResult (stolen). */
typedef void (*exec_done_fn)(json_t *result, void *ctx);
/* Progress of a long call (multi-page lists). */
typedef void (*exec_progress_fn)(double progress, double total, const char *message, void *ctx);

/* Start a call; args (borrowed) were validated against the tool's input
 * schema. Returns the call, or NULL when it already finished and done() was
 * called (errors found before any I/O). */
struct exec_call *exec_start(struct exec_env *env, const struct tool *tool, json_t *args,
			     exec_done_fn done, exec_progress_fn progress, void *ctx);
/* Abort a call: its transfer is cancelled and done() is never called. */
void exec_cancel(struct exec_call *call);

/* Build the request a call would send, without sending it: a new object
 * {method, url, headers: [..], body} with secrets redacted (dry run). */
json_t *exec_dry_run(struct exec_env *env, const struct tool *tool, json_t *args,
		     struct err *err);

/* A tool error result (isError) with a message and optional structured
 * details (stolen). */
json_t *exec_error_result(const char *message, json_t *details);

#endif
