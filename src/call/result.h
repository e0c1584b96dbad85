/* result.h - the vendor's answer as a call result: the data (with its
 * next-page cursor), or an error with a message a model can act on and
 * structured details. Knows connectors and responses, not the call in
 * flight, and not MCP (mcp_result.h turns a call result into a
 * CallToolResult). */
#ifndef SB_RESULT_H
#define SB_RESULT_H

#include <jansson.h>

#include "connector.h"
#include "http.h"
#include "registry.h"

struct connection;

/* What a call produced: exactly one of data and error is set. */
struct call_result {
	json_t *data;    /* success: {data, has_more?, next_cursor?, pages?,
			  * truncated?, incomplete?} (the tool's outputSchema) */
	char *error;     /* failure: the message, for a model or a person */
	json_t *details; /* failure: structured details (status, code,
			  * retry_after, error, connect ...), or NULL */
	long status;     /* success: the HTTP status of the last page answered
			  * (GitHub's creates answer 201); 0 when no HTTP
			  * answer made it (a hook's) */
};

/* A failure with message (copied) and details (stolen; may be NULL). */
struct call_result *call_result_error(const char *message, json_t *details);
/* A success with data (stolen). */
struct call_result *call_result_ok(json_t *data);
void call_result_free(struct call_result *r);
/* A failure's message with its details (compact JSON) on the next line,
 * for readers that show only text. New string. */
char *call_result_error_text(const struct call_result *r);
/* The items (borrowed) gathered before a later page failed, narrowed to
 * fields (borrowed; may be NULL), with cursor (borrowed; the cursor of the
 * page that failed, may be NULL) so the model can go on from there, after
 * pages pages. Takes the first line of error's message, and frees error. */
struct call_result *result_partial(json_t *items, json_t *fields, json_t *cursor, int pages,
				   struct call_result *error);
/* Check a success's data against the tool's outputSchema (both borrowed;
 * either may be NULL). Failures and tools without an outputSchema pass. 0,
 * or -1 with err naming the first mismatch. */
int result_check_output(const struct call_result *r, json_t *output_schema, struct err *err);
/* Keep only the named fields (an array of strings, borrowed) of an object,
 * or of each object in an array; anything else as it is. New reference. */
json_t *result_select_fields(json_t *data, json_t *fields);

/* The cursor of the page after this one, as a string, or NULL on the last
 * page. pg is the connector's pagination for the action; cursor and limit
 * are what this page was asked with (NULL, 0 for none); body is the whole
 * answer and items its list (both borrowed; items may be NULL). backward:
 * the call pages through pg's before_param, so a "$last.<field>" cursor is
 * the first item's. New reference or NULL. */
json_t *result_next_cursor(const struct pagination_spec *pg, const char *cursor, long limit,
			   json_t *body, json_t *items, int backward,
			   const struct http_response *resp);

/* The request got no HTTP answer (resp->error is not HTTP_OK). idempotent:
 * the request may be repeated safely; when not, the message warns that the
 * change may have been made. */
struct call_result *result_transport_error(const struct connector *c,
					   const struct http_response *resp, int idempotent);
/* A redirect (3xx other than 304) that http.c did not follow: to another
 * origin, or one too many. Says where the vendor sent us (query and user
 * info left out), with status and location in the details. */
struct call_result *result_redirect(const struct connector *c, const struct http_response *resp);
/* A successful status whose body is not JSON (je says why). A failure
 * when the body was cut at the size limit or claims to be JSON; NULL when it
 * is text the caller may pass on as data. */
struct call_result *result_unreadable(const struct connector *c, const struct http_response *resp,
				      const json_error_t *je);
/* The vendor refused (HTTP status >= 400, or an ok field that is false):
 * its message and code as the connector's "errors" declares them, the
 * status, Retry-After and a small error body in the details, and advice for
 * the status. Secret values of conn (may be NULL) are redacted from all
 * the vendor's words. a is the call's action (the registry's model): its
 * errors and rate_limit blocks are read. body (borrowed) may be NULL when
 * the answer was not JSON. */
struct call_result *result_vendor_error(const struct connector *c, const struct action_spec *a,
					const struct connection *conn,
					const struct http_response *resp, json_t *body);
/* Whether a vendor's answer to a request with a body says it could not read
 * the body as encoded: HTTP 415, or a 400 whose message (may be NULL) says
 * so (a content type refused, a body that does not parse). 1 or 0. */
int result_body_refused(long status, const char *message);
/* How long to wait before sending again a request whose answer (body,
 * len bytes, not NUL-terminated) says it was throttled and not run, as the
 * connector's rate_limit.throttled declares it (Shopify: errors[] with
 * extensions.code THROTTLED): (requested cost - available) / restore rate,
 * from extensions.cost in the answer, in ms; 1000 when the answer does not
 * say. -1 when the answer is not throttled. */
long long result_throttle_wait_ms(const struct rate_limit_spec *rl, const char *body, size_t len);
/* A successful status whose body still reports a failure: ok_field false,
 * refused records (errors.records), GraphQL errors (errors.graphql), or the
 * action's user_errors. Returns a failure, or NULL
 * when the answer is good. action and body are borrowed. */
struct call_result *result_answer_error(const struct connector *c, const struct connection *conn,
					const struct action_spec *action,
					const struct http_response *resp, json_t *body);

/* Replace the values of the action's "redact" keys (secrets a vendor
 * returns, such as a webhook signing secret) with "[redacted]" wherever
 * they appear in data, at any depth. */
void result_redact(json_t *data, json_t *keys);

#endif
