/* conns.h - which connections a connector has (stored ones and the one the
 * environment makes), and which one a call uses. */
#ifndef SB_CONNS_H
#define SB_CONNS_H

#include <jansson.h>

#include "caller.h"
#include "registry.h"
#include "store.h"

/* The connection named "env" that the connector's environment variables
 * make (STRIPE_API_KEY, GITHUB_TOKEN, ...), using the first auth method whose
 * required secret fields are all set, the default method first. NULL when
 * the environment has none. The caller frees it with connection_free. */
struct connection *conns_from_env(const struct connector *c);

/* Usable connection names of a connector, the one used by default first:
 * the default stored connection, the other stored ones, then "env". A new
 * array. Matches tools_connections_fn with ctx = the store (may be NULL). */
json_t *conns_names(const struct connector *c, void *store);
/* The same for a caller (tenancy.h): only the connections it may use, its
 * default (conns_resolve) first, never "env". Matches tools_connections_fn
 * with ctx = a struct conns_view. */
struct conns_view {
	struct store *store;      /* may be NULL */
	const struct caller *who; /* NULL: as conns_names */
};
json_t *conns_names_as(const struct connector *c, void *view);

/* Is name (as a call's connection argument) one who may use? 1 yes, 0 no
 * such connection, -1 it exists but is not who's (refused: the caller is
 * told it does not exist). */
int conns_check(struct store *s, const struct connector *c, const char *name,
		const struct caller *who);

/* The connection a call uses: the named one (a stored name, its id, or
 * "env"), else the connector's default stored connection, else the
 * environment's. Loaded with secrets; the caller frees it. NULL with err
 * saying what the user can do. With who (tenancy.h), only a connection who
 * may use: one named that is not is refused (logged) with the same message
 * as a missing one; no name means the connector's default when who may use
 * it, else who's only usable connection of the connector. */
struct connection *conns_resolve(struct store *s, const struct connector *c, const char *name,
				 const struct caller *who, struct err *err);

/* Which connection a call with connection argument name (may be NULL)
 * would use, as conns_resolve picks it, without its secrets and without a
 * word to anyone: for the audit log. NULL when none would be (or who may
 * not use it). The caller frees it. */
struct connection *conns_which(struct store *s, const struct connector *c, const char *name,
			       const struct caller *who);

/* How a client connects c's connection name (NULL or "default": the
 * default one) itself: {"connect": {"tool": "switchboard_connect",
 * "arguments": {"connector", "name"?}}}, the details of a tool error that
 * says a connection is missing or needs reconnecting. New. */
json_t *conns_connect_details(const struct connector *c, const char *name);

/* What a model may know of the connections: per connector (only one when
 * connector is set) its connections with name, default, auth, status, last
 * error and last use, never a secret; and the connectors with none yet.
 * store may be NULL. With who, only the connections who may use. A new object {connections: [...],
 * unconnected: [...]}. */
json_t *conns_overview(struct store *s, const struct registry *r, const char *connector,
		       const struct caller *who);

/* Which calls of a connection ask first: none, those that cannot be undone
 * (the default), or every call that is not read-only. Stored as the
 * connection's config "confirm"; $SWITCHBOARD_CONFIRM sets it for
 * connections without one (such as the environment's). */
enum conns_confirm { CONNS_CONFIRM_NEVER, CONNS_CONFIRM_DESTRUCTIVE, CONNS_CONFIRM_WRITES };

#define CONNS_CONFIRM_KEY "confirm" /* the connection config key */

/* "never", "destructive" or "writes": 0, or -1 for anything else. */
int conns_confirm_parse(const char *s, enum conns_confirm *out);

#endif
