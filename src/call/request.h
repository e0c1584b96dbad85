/* request.h - the vendor request of a tool call, built from the action's
 * declaration and the connection; hooks (hooks.h, where struct request is
 * defined) may shape any part of it. */
#ifndef SB_REQUEST_H
#define SB_REQUEST_H

#include <jansson.h>

#include "connector.h"
#include "hooks.h"
#include "util.h"

/* The at_least_one rules of action a against args (borrowed): 0, or -1 with
 * err naming the action (a->id) and the choices of the first rule not met.
 * Checked before anything is sent, hooks included. */
int request_check_choices(const struct action_spec *a, json_t *args, struct err *err);

/* Whether a list call with args (borrowed) pages backward: pg's before_param
 * is among the arguments (Stripe's ending_before), so the cursor goes there
 * in place of cursor_param. 0 when pg is NULL. */
int request_pages_backward(const struct pagination_spec *pg, json_t *args);

/* Build the request for action a of connector c, with args (borrowed; validated against the
 * tool's input schema) on connection conn: base URL, the action's hook or
 * the standard shape (path, query, headers, body, paging), connector and
 * action headers, then the auth method's credentials. r must be zeroed;
 * on success and on failure alike the caller releases it with
 * request_release(). 0, or -1 with err. */
int request_build(const struct connector *c, const struct action_spec *a, json_t *args,
		  struct connection *conn, struct request *r, struct err *err);
/* Free everything r holds (the body is wiped first) and zero it, so it can
 * be built again. Accepts a zeroed or partly built request. */
void request_release(struct request *r);

#endif
