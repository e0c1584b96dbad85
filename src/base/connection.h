/* connection.h - struct connection: one connector's credentials and
 * settings as a user connected them (stored, or made from the environment).
 * It sits in base, like struct caller, because every layer from the auth
 * handlers up passes it and reads its values; the store persists it
 * (store.h: connection_free, store_get_connection ...), and the registry's
 * typed model fills the connector's templates from it (connector_expand). */
#ifndef SB_CONNECTION_H
#define SB_CONNECTION_H

#include <jansson.h>

struct connection {
	long long id;
	char *connector; /* slug: [a-z0-9_-], at most 64 */
	char *name;      /* unique per connector: [A-Za-z0-9._-], at most 64, not only digits */
	char *auth;      /* auth method type: none|basic|bearer|api_key|oauth2|custom */
	json_t *config;  /* non-secret settings (shop, tenant_id, base_url, label...): an
			    object, owned; NULL is stored as {} */
	json_t *secrets; /* opened secret fields (object, owned), or NULL when not loaded */
	int is_default;
	char *status;     /* "ok", "needs_reconnect", "error" ...; NULL is stored as "ok" */
	char *last_error; /* may be NULL */
	long long created_at, updated_at, last_used_at, expires_at; /* unix seconds, 0 = none */
	char *owner;    /* the principal it belongs to; NULL: the local user's (unowned) */
	json_t *grants; /* groups it is shared with: an array of strings, owned; NULL or
			   empty when none (store_grant_connection) */
};

/* A setting or secret field of conn by name: its config, then its secrets.
 * Borrowed; NULL when unset, not a string, or conn is NULL. The connector's
 * declared defaults are connector_expand's (connector.h). */
const char *connection_value(const struct connection *conn, const char *name);

#endif
