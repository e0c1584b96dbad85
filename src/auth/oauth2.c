/* oauth2.c - OAuth 2.0 access tokens as Bearer credentials. Refresh ahead of
 * expiry and after a 401 belongs to oauth.c (its own issue); until then an
 * expired token is reported so the user can reconnect. */
#include "auth/auth.h"

#include <string.h>

#include "conns.h"

void auth_add_bearer(struct auth_out *out, const char *token);

static int oauth2_apply(const struct connector *c, json_t *method, const struct connection *conn,
			struct auth_out *out, struct err *err)
{
	(void)method;
	const char *token = conns_value(conn, "access_token");
	if (!token || !*token)
		return err_set(err, "connection '%s' of %s has no access token; run: switchboard "
				    "connect %s",
			       conn->name, c->slug, c->slug);
	auth_add_bearer(out, token);
	return 0;
}

const struct auth_handler auth_oauth2 = {"oauth2", oauth2_apply, NULL};
