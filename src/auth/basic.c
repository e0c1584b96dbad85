/* basic.c - HTTP Basic: "Authorization: Basic base64(username:password)".
 * Field names default to username/password; a method may name others
 * (Cin7 Omni: the API username and key). */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "crypto.h"

/* The first two declared fields are user and password, in order. */
static void field_names(const struct auth_method *method, const char **user, const char **pass)
{
	*user = method->n_fields > 0 ? method->fields[0].name : "username";
	*pass = method->n_fields > 1 ? method->fields[1].name : "password";
}

static int basic_apply(const struct connector *c, const struct auth_method *method,
		       const struct connection *conn, struct auth_out *out, struct err *err)
{
	const char *uf, *pf;
	field_names(method, &uf, &pf);
	const char *user = connection_value(conn, uf), *pass = connection_value(conn, pf);
	if (!user)
		return err_set(err, "connection '%s' of %s has no '%s'", conn->name, c->slug, uf);
	char *pair = xasprintf("%s:%s", user, pass ? pass : "");
	char *b64 = crypto_base64(pair, strlen(pair), 0);
	char *h = xasprintf("Authorization: Basic %s", b64);
	json_array_append_new(out->headers, json_string(h));
	crypto_cleanse(pair, strlen(pair));
	crypto_cleanse(b64, strlen(b64));
	crypto_cleanse(h, strlen(h));
	free(pair);
	free(b64);
	free(h);
	return 0;
}

const struct auth_handler auth_basic = {.type = "basic", .apply = basic_apply};
