/* api_key.c - a key in a header or query parameter, with a value template:
 * "X-API-Key: {api_key}", "Authorization: Bearer {api_key}", "?key={api_key}". */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "connector.h"
#include "crypto.h"

static int api_key_apply(const struct connector *c, const struct auth_method *method,
			 const struct connection *conn, struct auth_out *out, struct err *err)
{
	const char *name = method->name, *format = method->format;
	/* The header name may be a connection setting too ({api_key_header}). */
	char *hname = connector_expand(c, conn, name, err);
	if (!hname)
		return -1;
	name = hname;
	char *value = connector_expand(c, conn, format, err);
	if (!value) {
		free(hname);
		return -1;
	}
	if (strcmp(method->in, "query") == 0) {
		json_object_set_new(out->query, name, json_string(value));
	} else {
		char *h = xasprintf("%s: %s", name, value);
		json_array_append_new(out->headers, json_string(h));
		crypto_cleanse(h, strlen(h));
		free(h);
	}
	crypto_cleanse(value, strlen(value));
	free(value);
	free(hname);
	return 0;
}

const struct auth_handler auth_api_key = {.type = "api_key", .apply = api_key_apply};
