/* connector.h - the typed connector model: a connector file's blocks read
 * into C structs in one place, so the code below the registry reads fields,
 * not JSON keys, and a key's default is spelled once. Each block moves here
 * from the JSON in its own step (issue 14); the polling block is the first.
 * Strings and JSON values in these structs are borrowed from the connector's
 * document and live as long as the registry. */
#ifndef SB_CONNECTOR_H
#define SB_CONNECTOR_H

#include <jansson.h>
#include <stddef.h>

/* An entity's "polling" block: how `events poll` finds changes of an
 * entity without webhooks by calling its list action (the schema's
 * descriptions say what each key means). */
struct polling_spec {
	const char *action;   /* the list action; default "list" */
	const char *field;    /* the item field the cursor follows; NULL: cannot poll */
	const char *param;    /* the action's filter parameter, or NULL */
	const char *filter;   /* param's template with {value}, or NULL */
	const char *id_field; /* an item's id: polling's id_field, else the entity's, else "id" */
	json_t *id_fields;    /* or several fields that together tell items apart; NULL */
	const char *id_param; /* takes the newest item's id (Stripe's ending_before), or NULL */
	const char *scope_param;   /* names a separate collection (a mailbox), or NULL */
	const char *epoch_field;   /* an item field that scopes the cursor, or NULL */
	const char *epoch_param;   /* the action's parameter taking the epoch, or NULL */
	const char *restart_param; /* after an epoch change: narrows to items since a time */
	const char *restart_field; /* after an epoch change: the item's time field */
	json_t *args;              /* arguments every poll passes (an object), or NULL */
	json_t *first_args;        /* the first poll's instead of args, or NULL */
	int oldest_first;          /* declared: with args, the list is oldest change first */
	long long max_items;       /* the most items one poll reads; 0: the caller's default */
};

/* Fill out from entity (an entity object of a loaded connector): 1 when it
 * has a polling block, 0 when it has none (out is zeroed). */
int connector_polling(json_t *entity, struct polling_spec *out);

/* ---- The auth block ---------------------------------------------------
 * "auth": {"default", "methods": [...]}, filled once when the registry
 * loads the file (connector_auth_load) and never changed afterwards, so
 * worker threads (OAuth refresh, credential commands) read it freely. */

/* One entry of a method's "fields": a value the connection holds. */
struct auth_field {
	const char *name;
	json_t *decl;     /* the declaration: a JSON Schema for the value, to check it */
	const char *type; /* the value's JSON Schema type, or NULL */
	const char *label, *description; /* or NULL */
	const char *env;                 /* the variable that gives it, or NULL */
	json_t *env_aliases;             /* further variables (an array), or NULL */
	int secret;                      /* sealed with the connection's secrets */
	int required;                    /* a connection must have it */
	int multiple;                    /* a secret of several values (an array of strings) */
};

/* An OAuth method's "revoke": how connections remove ends the grant. */
struct auth_revoke {
	const char *url;         /* NULL: the method declares no revocation */
	const char *method;      /* "POST" (default) or "DELETE" */
	const char *token;       /* which token ends the grant: "refresh" (default), "access" */
	const char *token_as;    /* "param" (default) or "bearer" */
	const char *param;       /* the token's body name; default "token" */
	const char *body;        /* "form" (default), "json" or "none" */
	const char *client_auth; /* "basic", "body" or "none"; default: the method's, else "body" */
	json_t *params;          /* fixed body values (an object), or NULL */
	json_t *headers;         /* extra headers (an object), or NULL */
	json_t *also;            /* further secrets to revoke (an array), or NULL */
	json_t *already_revoked; /* vendor error codes counted as revoked (an array), or NULL */
};

/* One of "auth.methods". Strings NULL and JSON values NULL when absent,
 * unless a default is named. */
struct auth_method {
	const char *type; /* none, basic, bearer, api_key, oauth2, custom */
	const char *label, *description;
	const char *transport;     /* "http" or "mail", or NULL */
	struct auth_field *fields; /* in the file's order */
	size_t n_fields;
	/* api_key */
	const char *in;     /* "header" (default) or "query" */
	const char *name;   /* the header or parameter; default "X-API-Key" */
	const char *format; /* the value's template; default "{api_key}" */
	/* custom; headers also oauth2, where the access token goes in a header
	 * template (Shopify) */
	json_t *headers; /* name -> template (an object), or NULL */
	json_t *query;   /* name -> template (an object), or NULL */
	int command;     /* allows an external credential command */
	/* oauth2 */
	const char *authorize_url, *token_url;
	json_t *scopes, *default_scopes; /* arrays of strings, or NULL */
	const char *default_scopes_why;
	const char *scope_param;     /* default "scope" */
	const char *scope_separator; /* default " " */
	int pkce;
	const char *client_auth; /* "basic" or "body", or NULL (body) */
	json_t *grants;          /* an array, or NULL */
	json_t *authorize_params, *token_headers, *token_params; /* objects, or NULL */
	const char *token_pointer;                               /* default "/access_token" */
	json_t *token_extras, *token_secrets; /* name -> pointer (objects), or NULL */
	json_t *connect_hooks;                /* names (an array), or NULL */
	json_t *tenants;                      /* the tenants object, or NULL (read by key) */
	json_t *token_info;                   /* the token_info object, or NULL (read by key) */
	json_t *redirect_extras;              /* names (an array), or NULL */
	int refresh_rotates;
	long long access_token_lifetime_s;         /* 0: not declared */
	long long refresh_token_lifetime_s;        /* 0: not declared */
	const char *refresh_token_expires_pointer; /* NULL: not declared (oauth.c reads
						    * /refresh_token_expires_in) */
	struct auth_revoke revoke;
};

/* A connector's auth block. */
struct connector_auth {
	const char *default_type;
	struct auth_method *methods;
	size_t n_methods;
};

/* Read doc's auth block (a loaded, valid connector document, which must
 * outlive the result). NULL when it has none. Free with connector_auth_free. */
struct connector_auth *connector_auth_load(json_t *doc);
void connector_auth_free(struct connector_auth *a);

/* The method of type, or with NULL type the default one; NULL when a (may
 * be NULL) declares no such method. Borrowed from a. The registry's
 * connector_auth_method (registry.h) finds one of a loaded connector. */
const struct auth_method *connector_auth_find(const struct connector_auth *a, const char *type);
/* The field of m named name, or NULL. */
const struct auth_field *auth_method_field(const struct auth_method *m, const char *name);

#endif
