/* oauth2.c - OAuth 2.0 access tokens as Bearer credentials; refresh ahead
 * of expiry and after a 401 is oauth.c's. */
#include "auth/auth.h"

#include <string.h>

#include "connection.h"
#include "oauth.h"

void auth_add_bearer(struct auth_out *out, const char *token);

static int oauth2_apply(const struct connector *c, const struct auth_method *method,
			const struct connection *conn, struct auth_out *out, struct err *err)
{
	const char *token = connection_value(conn, "access_token");
	if (!token || !*token)
		return err_set(err,
			       "connection '%s' of %s has no access token; run: switchboard "
			       "connect %s",
			       conn->name, c->slug, c->slug);
	/* A vendor that wants the token elsewhere (Shopify's
	 * X-Shopify-Access-Token) declares header templates. */
	if (json_object_size(method->headers))
		return auth_custom.apply(c, method, conn, out, err);
	auth_add_bearer(out, token);
	return 0;
}

static int oauth2_refresh(const struct connector *c, const struct auth_method *method,
			  struct store *s, struct connection *conn, int force, struct err *err)
{
	return oauth_refresh(s, c, method, conn, force, err);
}

/* Header templates go through custom's apply, and with them a credential
 * command the method allows: warm that off the main loop as custom does. */
static int oauth2_cold(const struct connector *c, const struct auth_method *method,
		       const struct connection *conn)
{
	return json_object_size(method->headers) && auth_custom.cold(c, method, conn);
}

static int oauth2_warm(const struct connector *c, const struct auth_method *method,
		       const struct connection *conn, struct err *err)
{
	return auth_custom.warm(c, method, conn, err);
}

const struct auth_handler auth_oauth2 = {.type = "oauth2",
					 .apply = oauth2_apply,
					 .refresh = oauth2_refresh,
					 .due = oauth_refresh_due,
					 .cold = oauth2_cold,
					 .warm = oauth2_warm};
