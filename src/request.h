/* request.h - the vendor request of a tool call, built from the action's
 * declaration and the connection; hooks (hooks.h) may shape any part of it. */
#ifndef SB_REQUEST_H
#define SB_REQUEST_H

#include <jansson.h>

#include "tools.h"
#include "util.h"

struct connection;

/* A request being built. Zero it before request_build(); every member is
 * owned, and request_release() frees them all. */
struct request {
	char *method;
	struct buf url;
	json_t *headers;      /* "Name: value" strings, owned */
	json_t *auth_headers; /* the ones holding secrets, kept apart for redaction */
	json_t *auth_query;   /* secret query values: name -> value */
	struct buf body;      /* wiped on release: it may hold credentials */
	int idempotent;
	char *resolve;        /* "host:port:address" pin, or NULL */
	int dry_run;          /* set before request_build: look nothing up on the
				 network (a hook then leaves its check to the send) */
	char *dry_run_note;   /* what a dry run left unchecked, or NULL */
};

/* The action's at_least_one rules against args (borrowed): 0, or -1 with
 * err naming the tool and the choices of the first rule not met. Checked
 * before anything is sent, hooks included. */
int request_check_choices(const struct tool *t, json_t *args, struct err *err);

/* Whether a list call with args (borrowed) pages backward: pg's before_param
 * is among the arguments (Stripe's ending_before), so the cursor goes there
 * in place of cursor_param. */
int request_pages_backward(json_t *pg, json_t *args);

/* Build the request for tool t with args (borrowed; validated against the
 * tool's input schema) on connection conn: base URL, the action's hook or
 * the standard shape (path, query, headers, body, paging), connector and
 * action headers, then the auth method's credentials. r must be zeroed;
 * on success and on failure alike the caller releases it with
 * request_release(). 0, or -1 with err. */
int request_build(const struct tool *t, json_t *args, struct connection *conn, struct request *r,
		  struct err *err);
/* Free everything r holds (the body is wiped first) and zero it, so it can
 * be built again. Accepts a zeroed or partly built request. */
void request_release(struct request *r);

/* The connection's base URL (its base_url, else the connector's template
 * expanded with its values), without a trailing slash. New string, or NULL
 * with err. */
char *request_base_url(const struct connector *c, const struct connection *conn, struct err *err);

/* URL and form helpers shared with hooks: append ?name=value (arrays as
 * repeated keys, percent-encoded), and Stripe-style bracket form fields
 * (metadata[k]=v, items[0][price]=p; prefix NULL at the top). value is
 * borrowed. */
void request_add_query(struct buf *url, const char *name, json_t *value);
void request_add_form(struct buf *body, const char *prefix, json_t *value);
/* Append "name: value" to headers (an array of strings). */
void request_add_header(json_t *headers, const char *name, const char *value);
/* Credentials never travel over plain http except to this machine: 1 when
 * url is https, or http to a loopback address; else 0. */
int request_url_allows_credentials(const char *url);
/* A scalar as the text a vendor expects in a URL or form: strings as they
 * are, true/false, numbers (reals in the fewest digits that read back the
 * same), "" for null, compact JSON otherwise. New string. */
char *request_scalar_text(json_t *v);

#endif
