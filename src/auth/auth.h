/* auth.h - one handler per auth method, behind one interface. A handler
 * turns a connection's fields into request headers and query values. */
#ifndef SB_AUTH_H
#define SB_AUTH_H

#include <jansson.h>

#include "connector.h"
#include "registry.h"
#include "store.h"

/* What a handler adds to a request. Both are owned by the caller. */
struct auth_out {
	json_t *headers; /* array of "Name: value" strings */
	json_t *query;   /* object: name -> value */
};

struct auth_handler {
	const char *type; /* none, basic, bearer, api_key, oauth2, custom */
	/* Add credentials for one request. method is the connector's auth
	 * method (borrowed). 0 or -1 with err (never naming a
	 * secret value). */
	int (*apply)(const struct connector *c, const struct auth_method *method,
		     const struct connection *conn, struct auth_out *out, struct err *err);
	/* Optional: make the credential fresh before a request (OAuth refresh
	 * ahead of expiry); force asks for a new one after a 401. Returns 1
	 * when conn changed, 0 when nothing was needed, -1 with err. */
	int (*refresh)(const struct connector *c, const struct auth_method *method, struct store *s,
		       struct connection *conn, int force, struct err *err);
	/* Optional, cheap: is a refresh due before the next request? Then the
	 * caller runs refresh off its main loop, since it may block. */
	int (*due)(const struct connection *conn);
	/* Optional, cheap: would apply block now (run a credential command
	 * whose answer is not cached)? Then the caller calls warm first, off
	 * its main loop. A handler that never blocks leaves both NULL. */
	int (*cold)(const struct connector *c, const struct auth_method *method,
		    const struct connection *conn);
	/* Optional, may block (any thread): do what would make apply block,
	 * so the next apply for conn finds it done. Concurrent warms of one
	 * connection do the work once. 0 or -1 with err (never naming a secret
	 * value). */
	int (*warm)(const struct connector *c, const struct auth_method *method,
		    const struct connection *conn, struct err *err);
	/* Optional: on (1), blocking work under way or started later gives up
	 * soon with an error; off (0) again afterwards. */
	void (*stop)(int on);
};

/* Tell every handler to stop (1) or allow again (0) blocking work: at exit,
 * so waiting for worker threads takes no longer than it must. */
void auth_stop(int on);

/* The handler for a method type; NULL when unknown. */
const struct auth_handler *auth_find(const char *type);

/* Handlers, one file each under src/auth/. */
extern const struct auth_handler auth_none, auth_basic, auth_bearer, auth_api_key, auth_oauth2,
	auth_custom;

#endif
