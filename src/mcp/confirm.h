/* confirm.h - the user's yes before a call that cannot be undone: which
 * calls need it (a per-connection policy), the plain-words summary the user
 * sees, and the two ways to ask: a 2026-07-28 input request (MRTR) with a
 * sealed, single-use requestState, or a 2025-11-25 elicitation/create. A
 * client that can do neither is refused (fail closed). Nothing here reads
 * the tool's arguments for a confirmation: only the client's answer counts. */
#ifndef SB_CONFIRM_H
#define SB_CONFIRM_H

#include <jansson.h>

#include "caller.h"

#include "tools.h"

struct store;

struct confirm;

/* The state of the confirmations of one server: the key requestState is
 * sealed with (derived from the store's key, else random for this process
 * when st is NULL or has no key; made when the first state is sealed or
 * opened, so st, borrowed, must outlive cf) and, without the store's key,
 * the nonces already used (with it, they are spent in the store, so any
 * process on the store takes a state another one made). The expiry is
 * $SWITCHBOARD_CONFIRM_TTL seconds (default 300; 0 expires at once, for
 * tests). New; confirm_free (accepts NULL). */
struct confirm *confirm_new(struct store *st);
void confirm_free(struct confirm *cf);

/* Decide whether the call of t with args (validated) may run now.
 * params are the request's (requestState, inputResponses), version its
 * protocol version and caps the client's capabilities (all borrowed, may be
 * NULL); who is the caller whose connection is used (NULL: the local
 * user), and a requestState is good only for the caller it was given to.
 * Returns NULL when the call may run: no confirmation needed, the
 * user approved (a verified requestState), or the user must be asked
 * through elicitation/create first: then *elicit is set to the new params
 * of that request, and the call runs only on confirm_elicit_answer's yes.
 * Otherwise returns the new result to answer with, and nothing is sent: an
 * InputRequiredResult, or an isError CallToolResult (declined, refused
 * state, no way to ask). */
json_t *confirm_gate(struct confirm *cf, struct store *st, const struct caller *who,
		     const struct tool *t, json_t *args, json_t *params, const char *version,
		     json_t *caps, json_t **elicit);

/* The client's JSON-RPC response (borrowed) to our elicitation/create for
 * the tool named tool: NULL when the user accepted with confirm true, else
 * a new isError result. */
json_t *confirm_elicit_answer(const char *tool, json_t *response);

#endif
