/* auth.c - the table from method name to handler, and template expansion. */
#include "auth/auth.h"

#include <string.h>

#include "conns.h"
#include "crypto.h"
#include "schema.h"

static const struct auth_handler *handlers[] = {&auth_none,   &auth_basic,  &auth_bearer,
						&auth_api_key, &auth_oauth2, &auth_custom};

const struct auth_handler *auth_find(const char *type)
{
	for (size_t i = 0; type && i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i]->type, type) == 0)
			return handlers[i];
	return NULL;
}

void auth_stop(int on)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i]->stop)
			handlers[i]->stop(on);
}

static int param_ok(json_t *decl, const char *value)
{
	json_t *v = json_string(value);
	int ok = schema_validate(decl, v, NULL) == 0;
	json_decref(v);
	return ok;
}

char *auth_expand(const struct connector *c, const struct connection *conn, const char *tmpl,
		  struct err *err)
{
	struct buf b;
	buf_init(&b, 0);
	const char *p = tmpl;
	while (*p) {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(open - p));
		char *name = xstrndup(open + 1, (size_t)(close - open - 1));
		const char *v = conns_value(conn, name);
		json_t *decl = json_object_get(json_object_get(c->doc, "params"), name);
		if (v && decl && !param_ok(decl, v)) {
			/* A parameter lands in URLs and headers: one that breaks its
			 * declared pattern (a shop "evil.com/x#") goes nowhere. */
			err_set(err, "connection '%s' of %s: '%s' does not match its declared format",
				conn ? conn->name : "?", c->slug, name);
			free(name);
			if (b.data)
				crypto_cleanse(b.data, b.len);
			buf_release(&b);
			return NULL;
		}
		if (!v) /* the connector's default for a parameter, e.g. an API version */
			v = json_string_value(json_object_get(
				json_object_get(json_object_get(c->doc, "params"), name), "default"));
		if (!v) {
			err_set(err, "connection '%s' of %s has no value for '%s'",
				conn ? conn->name : "?", c->slug, name);
			free(name);
			/* The partial buffer may hold a secret already. */
			if (b.data)
				crypto_cleanse(b.data, b.len);
			buf_release(&b);
			return NULL;
		}
		buf_adds(&b, v);
		free(name);
		p = close + 1;
	}
	return buf_detach(&b);
}
