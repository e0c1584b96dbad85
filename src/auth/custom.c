/* custom.c - several header and query templates from the connection's
 * fields (Cin7 Core's account id + application key, Shopify's token header). */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"

static int custom_apply(const struct connector *c, json_t *method, const struct connection *conn,
			struct auth_out *out, struct err *err)
{
	const char *name;
	json_t *tmpl;
	json_object_foreach(json_object_get(method, "headers"), name, tmpl)
	{
		char *v = auth_expand(c, conn, json_string_value(tmpl), err);
		if (!v)
			return -1;
		char *h = xasprintf("%s: %s", name, v);
		json_array_append_new(out->headers, json_string(h));
		crypto_cleanse(v, strlen(v));
		crypto_cleanse(h, strlen(h));
		free(v);
		free(h);
	}
	json_object_foreach(json_object_get(method, "query"), name, tmpl)
	{
		char *v = auth_expand(c, conn, json_string_value(tmpl), err);
		if (!v)
			return -1;
		json_object_set_new(out->query, name, json_string(v));
		crypto_cleanse(v, strlen(v));
		free(v);
	}
	return 0;
}

const struct auth_handler auth_custom = {"custom", custom_apply, NULL};
