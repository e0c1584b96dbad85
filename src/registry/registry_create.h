/* registry_create.h - a new connector document from the Create Connector
 * fields (connectors create, the ui page's form): its slug from the name,
 * its auth methods, checked against the schema before anything is written. */
#ifndef SB_REGISTRY_CREATE_H
#define SB_REGISTRY_CREATE_H

#include <jansson.h>

#include "util.h"

#define REGISTRY_SLUG_MAX 20 /* the schema's maxLength of slug */

/* What one auth method needs besides its type. NULL members take the
 * defaults given. */
struct registry_create_auth {
	const char *key_in;        /* api_key: "header" (default) or "query" */
	const char *key_name;      /* api_key: the header (X-API-Key) or parameter (api_key) */
	const char *key_format;    /* api_key: the value template ("{api_key}") */
	const char *authorize_url; /* oauth2: required, https */
	const char *token_url;     /* oauth2: required, https */
	const char *scopes;        /* oauth2: the scopes to ask for, comma- or space-separated */
	json_t *custom_headers;    /* custom: header name -> template naming fields as {field};
				      required for custom; borrowed */
};

/* The Create Connector fields. NULL members take the defaults given. */
struct registry_create {
	const char *name;        /* required */
	const char *slug;        /* default: registry_create_slug(name) */
	const char *description; /* default: "<name>." */
	const char *category;    /* default: "Other" */
	const char *domain;      /* a host name such as salesforce.com, or NULL */
	const char *visibility;  /* "private" (default) or "public" */
	const char *icon_url;    /* https only, or NULL */
	const char *base_url;    /* the API's base URL, or NULL (added later) */
	const char *created_by;  /* the user name, or NULL */
	json_t *methods;         /* auth methods (registry_create_method), at least one; borrowed */
	const char *default_auth; /* one of their types; default: the first */
};

/* A slug from a name: its letters and digits, lowercase, starting with a
 * letter, at most REGISTRY_SLUG_MAX ("Acme CRM 2" -> "acmecrm2"); "" when
 * the name has no letter. A new string. */
char *registry_create_slug(const char *name);

/* 1 when s is a host name: dot-separated labels of letters, digits and
 * inner hyphens, at most 63 each and 253 in all, the last not all digits. */
int registry_create_is_host(const char *s);

/* An auth method of type (none, basic, bearer, api_key, oauth2, custom) for
 * connector slug, with its fields (each with an environment variable
 * SLUG_FIELD). a may be NULL for types that need nothing. A new object, or
 * NULL with err naming what is missing or wrong. */
json_t *registry_create_method(const char *type, const char *slug,
			       const struct registry_create_auth *a, struct err *err);

/* The connector document: the fields checked, defaults filled, no entities
 * yet, validated as the registry validates a file. A new object, or NULL
 * with err saying which field is wrong. */
json_t *registry_create_doc(const struct registry_create *rc, struct err *err);

#endif
