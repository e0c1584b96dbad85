/* bearer.c - "Authorization: Bearer <token>" from the field "token" (or the
 * method's only field). */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "crypto.h"

/* Shared with oauth2.c: add the bearer header for a token. */
void auth_add_bearer(struct auth_out *out, const char *token);

void auth_add_bearer(struct auth_out *out, const char *token)
{
	char *h = xasprintf("Authorization: Bearer %s", token);
	json_array_append_new(out->headers, json_string(h));
	crypto_cleanse(h, strlen(h));
	free(h);
}

static int bearer_apply(const struct connector *c, const struct auth_method *method,
			const struct connection *conn, struct auth_out *out, struct err *err)
{
	const char *field = method->n_fields == 1 ? method->fields[0].name : "token";
	const char *token = connection_value(conn, field);
	if (!token || !*token)
		return err_set(err, "connection '%s' of %s has no '%s'", conn->name, c->slug,
			       field);
	auth_add_bearer(out, token);
	return 0;
}

const struct auth_handler auth_bearer = {.type = "bearer", .apply = bearer_apply};
