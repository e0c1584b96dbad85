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

/* A request being built; hooks (hooks.h) may shape any part of it. */
struct exec_req {
	char *method;
	struct buf url;
	json_t *headers;      /* "Name: value" strings, owned */
	json_t *auth_headers; /* the ones holding secrets, kept apart for redaction */
	json_t *auth_query;   /* secret query values: name -> value */
	struct buf body;
	int idempotent;
	char *resolve;        /* "host:port:address" pin, or NULL */
};

/* URL and form helpers shared with hooks: append ?name=value (arrays as
 * repeated keys, percent-encoded), and Stripe-style bracket form fields. */
void exec_add_query(struct buf *url, const char *name, json_t *value);
void exec_add_form(struct buf *body, const char *prefix, json_t *value);
void exec_add_header(json_t *headers, const char *name, const char *value);
/* Credentials never travel over plain http except to this machine: 1 when
 * url is https, or http to a loopback address. */
int exec_url_allows_credentials(const char *url);
/* A scalar as text (strings as they are, true/false, numbers); new string. */
char *exec_scalar_text(json_t *v);
/* Compact JSON of any value, each real in the fewest digits that read back
 * the same (4.35, not 4.3499999999999996); new string. */
char *exec_dump_json(json_t *v);

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

/* Deliver calls that finished on worker threads (hooks that run off the
 * main loop, such as mail); call after each http_wait(). Returns how many
 * such calls are still running. */
int exec_poll(struct exec_env *env);
/* Wait for worker threads still running (their results are dropped). */
void exec_shutdown(void);

/* Build the request a call would send, without sending it: a new object
 * {method, url, headers: [..], body} with secrets redacted (dry run). */
json_t *exec_dry_run(struct exec_env *env, const struct tool *tool, json_t *args,
		     struct err *err);

/* A tool error result (isError) with a message and optional structured
 * details (stolen). */
json_t *exec_error_result(const char *message, json_t *details);

#endif
