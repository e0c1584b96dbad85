/* caller.h - who is calling, as the transport authenticated them.
 *
 * Over stdio there is no caller (NULL): the local user owns the local store
 * and sees every connection in it. Over HTTP with auth configured, the
 * transport fills one per request from the verified token (its subject, or
 * the configured claim) and the core hands it down to the call layer, which
 * uses only the caller's own connections and those granted to its groups. */
#ifndef SB_CALLER_H
#define SB_CALLER_H

#include <jansson.h>

struct caller {
	char *subject;  /* owned; the principal's name, never NULL */
	json_t *groups; /* owned; array of strings (group claims), may be empty */
	json_t *scopes; /* owned; array of strings (granted scopes), may be empty */
};

#endif
