/* tenancy.h - which connections a caller may see and use. Over stdio there
 * is no caller (NULL): the local user sees every connection. A caller (an
 * authenticated HTTP request, or `call --as`) sees the connections it owns
 * and those granted to one of its groups; never an unowned one nobody
 * granted, nor the environment's (the server operator's credentials). */
#ifndef SB_TENANCY_H
#define SB_TENANCY_H

#include <jansson.h>

#include "caller.h"
#include "store.h"

/* A new caller named subject (copied) in groups (an array of strings,
 * borrowed and copied; NULL = none), with no scopes. Free with
 * tenancy_caller_free. */
struct caller *tenancy_caller_new(const char *subject, json_t *groups);
/* A deep copy, or NULL for NULL. */
struct caller *tenancy_caller_dup(const struct caller *who);
/* Accepts NULL. */
void tenancy_caller_free(struct caller *who);

/* May who use conn? Always for NULL (the local user). */
int tenancy_may_use(const struct caller *who, const struct connection *conn);

/* Say on stderr (the operator's log, never the client's notifications)
 * that who asked for a connection it may not use; only names, no secret. */
void tenancy_log_refusal(const struct caller *who, const char *connector, const char *name);

#endif
