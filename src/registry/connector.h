/* connector.h - the typed connector model: a connector file's blocks read
 * into C structs in one place, so the code below the registry reads fields,
 * not JSON keys, and a key's default is spelled once. Each block moves here
 * from the JSON in its own step (issue 14): the polling block, what a tool
 * call reads (the action's request shape, pagination, the connector's
 * request, errors and rate_limit blocks), the auth block, then the entities
 * and their actions (struct connector_model). The registry fills them when
 * it loads a file and never changes them: any thread reads them.
 * Strings and JSON values in these structs are borrowed from the connector's
 * document and live as long as the registry. */
#ifndef SB_CONNECTOR_H
#define SB_CONNECTOR_H

#include <jansson.h>
#include <stddef.h>

struct connector;

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

/* The connector's "request" block and base URL: what every request of the
 * connector carries. */
enum body_encoding { BODY_JSON, BODY_FORM, BODY_NONE, BODY_MULTIPART, BODY_RAW };

struct request_conf {
	enum body_encoding body; /* request.body: json (the default), form or none */
	json_t *headers;         /* request.headers: name -> template (object), or NULL */
	json_t *query;           /* request.query: name -> value sent on every request, or NULL */
	const char *accept;      /* request.accept; default "application/json" */
	long timeout_ms;         /* request.timeout_ms; 0: the caller's default */
	int idempotency;         /* request.idempotency is declared: writes carry a key */
	const char *idem_header; /* the header that takes the key, or NULL */
	const char *idem_query;  /* the query parameter that takes it, or NULL */
};

/* Fill out from c's document. */
void connector_request(const struct connector *c, struct request_conf *out);
/* The connector's base URL template ("base_url"), or NULL; borrowed. */
const char *connector_base_url(const struct connector *c);

/* An action's "pagination" block, else the connector's: how a list pages. */
enum page_style {
	PAGE_NONE,
	PAGE_CURSOR,
	PAGE_LINK,
	PAGE_PAGE,
	PAGE_OFFSET,
	PAGE_GRAPHQL,
	PAGE_QUERY
};

struct pagination_spec {
	enum page_style style;
	const char *items;        /* a pointer to the items in the answer, or NULL */
	const char *limit_param;  /* the request parameter taking the page size, or NULL */
	long max_limit;           /* the largest page size; 0: not declared */
	long default_limit;       /* the page size sent when the call gives none; 0: none */
	const char *cursor_param; /* takes the cursor, page number or start index, or NULL */
	const char *next_cursor;  /* a pointer to the next cursor in the answer, or
				     "$last.<field>" (the last item's field), or NULL */
	const char *has_more;     /* a pointer to a boolean saying more pages follow, or NULL */
	const char *before_param; /* the argument that pages backward (Stripe's ending_before) */
	long first;               /* the first page number or index: "first", else 0
				     for offset, 1 for the others */
};

/* Fill out with the pagination that applies to action (an action object of
 * c's document): its own, else the connector's. 1 when it pages (a style
 * other than none), else 0. */
int connector_pagination(const struct connector *c, json_t *action, struct pagination_spec *out);

/* The connector's "errors" block: where a vendor's answer says it failed. */
struct errors_spec {
	json_t *message;      /* a pointer, or an array of them (the first that resolves
				 to a string wins), to the vendor's message; or NULL */
	json_t *code;         /* the same for the vendor's error code */
	const char *ok_field; /* a pointer to a boolean that is false on failure, or NULL */
	int graphql;          /* HTTP 200 answers may carry errors[] */
	int records;          /* write answers are per-record arrays with success flags */
	const char *hint;     /* advice shown with every error, or NULL */
};

/* The connector's "rate_limit" block, as far as calls use it. */
struct rate_limit_spec {
	json_t *statuses;    /* statuses that mean rate limited besides 429 (array), or NULL */
	long max_concurrent; /* requests in flight at once per connection; 0: no cap */
	json_t *throttled;   /* the GraphQL codes meaning throttled, not run (array), or NULL */
	const char *need;    /* pointers into a throttled answer: the points the */
	const char *have;    /* request needs, those available now, and those */
	const char *restore; /* restored per second; each NULL when not declared */
};

/* Fill out from c's document. */
void connector_errors(const struct connector *c, struct errors_spec *out);
void connector_rate_limit(const struct connector *c, struct rate_limit_spec *out);
/* The connector's display name ("Stripe"); borrowed. */
const char *connector_name(const struct connector *c);

/* Where an argument goes in the vendor request. */
enum param_place { PLACE_QUERY, PLACE_BODY, PLACE_PATH, PLACE_HEADER };

struct entity_spec;

/* An action as the registry fills it at load (connector_model_load): what
 * the tool list, search and a tool call read. Strings borrowed as above. */
struct action_spec {
	const char *name;                 /* the action's name ("create") */
	char *id;                         /* "<slug>_<entity>_<name>": its name across
					     the registry (the tool's); owned by the model */
	const struct entity_spec *entity; /* the entity it acts on */
	const char *kind;                 /* "read", "write" or "delete" (action_kind) */
	const char *title;                /* or NULL */
	const char *description;          /* or NULL */
	const char *notes;                /* or NULL */
	json_t *aliases;                  /* further names for search (an array), or NULL */
	int featured;                     /* one of the connector's few most used tools */
	int destructive;                  /* declared: 1 or 0; -1 when not (the registry's
					     verb rules decide: registry_action_destructive) */
	json_t *required;                 /* the action's "required" (an array), or NULL */
	int body_fields;                  /* "body": "fields": the entity's fields are arguments */
	const char *method;               /* default "POST" */
	const char *path;                 /* the path template with {name}; "" when none */
	const char *graphql;              /* a GraphQL document, or NULL */
	const char *hook;                 /* the named C hook performing it, or NULL */
	json_t *params;                   /* argument declarations by name (object), or NULL */
	int consts;                       /* some declaration has a "const" value */
	enum param_place place;           /* an undeclared argument's: body for GraphQL and
					     writes, query for GET, DELETE and HEAD */
	enum body_encoding encoding;      /* body_encoding, else the connector's request.body */
	int own_encoding;                 /* the action declares its body_encoding */
	int body_none;                    /* "body": "none": no body unless arguments say so */
	const char *wrap;                 /* wrap the body in an object under this key, or NULL */
	int wrap_array;                   /* wrap the body in a one-element array */
	const char *raw_content;          /* raw: the argument that is the body, or NULL */
	const char *raw_type;      /* raw: its content type; default application/octet-stream */
	int file;                  /* multipart: a file part is declared */
	const char *file_part;     /* its part name; default "file" */
	const char *file_content;  /* the argument holding the content, or NULL */
	const char *file_name;     /* the argument holding the file name, or NULL */
	const char *file_type;     /* its content type; default application/octet-stream */
	json_t *headers;           /* the action's headers: name -> value (object), or NULL */
	int idempotent;            /* declared: 1 or 0; -1 when not declared */
	json_t *at_least_one;      /* the at_least_one rules (array), or NULL */
	const char *result;        /* a pointer to the useful answer, or NULL (all of it) */
	json_t *redact;            /* keys whose values in the answer are secrets, or NULL */
	const char *user_errors;   /* GraphQL: a pointer to a userErrors array, or NULL */
	const char *query_entity;  /* the quickbooks_query hook's entity, or NULL */
	int list;                  /* a list: its tool pages (action_is_list) */
	struct pagination_spec pg; /* how, when list */
	const struct errors_spec *errors;         /* the connector's errors block */
	const struct rate_limit_spec *rate_limit; /* and its rate_limit block */
	const struct request_conf *req;           /* the connector's request defaults */
};

/* An argument as the request places it: its declaration in the action's
 * params, or the action's defaults when it has none. */
struct param_spec {
	enum param_place in; /* its "in", else the action's place */
	const char *as;      /* the vendor's name for it: "as", else the argument's */
	int raw;             /* a path parameter that keeps its slashes */
	json_t *cst;         /* its "const" value, or NULL */
	int required;        /* declared "required": a call must give it */
	int declared;        /* the action declares it (else the rest are defaults) */
	const char *type;    /* its JSON Schema type when one name, or NULL */
	const char *format;  /* its JSON Schema format, or NULL */
	const char *dflt;    /* its default when a string, or NULL */
};

/* Fill out for the argument called name of a (name must outlive out). */
void connector_param(const struct action_spec *a, const char *name, struct param_spec *out);

/* ---- Entities and actions ---------------------------------------------
 * "entities": {name: {..., "actions": {name: {...}}}} and the connector
 * blocks every action shares, filled once when the registry loads the file
 * (connector_model_load), in the file's order, and never changed
 * afterwards: any thread reads them. */

/* One entity. JSON values are data passed on (JSON Schema fragments, names),
 * not keys read by the code below the registry. */
/* A webhook event of an entity: switchboard's name for it and the vendor's
 * (one or more: "invoice.created", or Xero's "CREATE" for several). */
struct event_spec {
	const char *name;
	const char **vendor; /* NULL-terminated */
};

struct entity_spec {
	const char *name;
	const char *description;     /* or NULL */
	const char *id_field;        /* an item's id field, or NULL */
	const char *canonical;       /* the entity of _canonical.json it is, or NULL */
	json_t *canonical_fields;    /* canonical field -> this entity's (a name map), or NULL */
	json_t *aliases;             /* further names (an array), or NULL */
	json_t *fields;              /* name -> JSON Schema of a body field (an object),
					or NULL */
	json_t *create_required;     /* the fields a create needs (an array), or NULL */
	int polls;                   /* it has a polling block: */
	struct polling_spec polling; /* zeroed when not */
	struct action_spec *actions; /* in the file's order */
	size_t n_actions;
	struct event_spec *events; /* its webhook events, in the file's order */
	size_t n_events;
	const struct action_spec *lead; /* the action that describes the entity to a
					   model: list, else the first; NULL when none */
};

/* A connector's entities and shared blocks (struct connector's model). */
struct connector_model {
	struct request_conf req;
	struct errors_spec errors;
	struct rate_limit_spec rate_limit;
	struct entity_spec *entities; /* in the file's order */
	size_t n_entities;
};

/* Fill the model of c (whose doc, loaded and valid, must outlive it). New;
 * free with connector_model_free (accepts NULL). */
struct connector_model *connector_model_load(const struct connector *c);
void connector_model_free(struct connector_model *m);

/* c's entity called name, or NULL; borrowed from c. */
const struct entity_spec *connector_entity(const struct connector *c, const char *name);
/* e's action called name, or NULL; borrowed. */
const struct action_spec *entity_action(const struct entity_spec *e, const char *name);
/* e's event called name, or NULL. */
const struct event_spec *entity_event(const struct entity_spec *e, const char *name);
/* Every argument a call of a must give: its params declared "required", its
 * "required", and for a create taking the entity's fields, the entity's
 * create_required; not those with a "const" value (request.c sends those).
 * A new array of strings, in that order, without repeats. */
json_t *action_required_args(const struct action_spec *a);

/* ---- The auth block ---------------------------------------------------
 * "auth": {"default", "methods": [...]}, filled once when the registry
 * loads the file (connector_auth_load) and never changed afterwards, so
 * worker threads (OAuth refresh, credential commands) read it freely. */

/* One entry of a method's "fields": a value the connection holds. */
struct auth_field {
	const char *name;
	json_t *decl;     /* the declaration, as the file has it */
	json_t *schema;   /* the declaration without switchboard's own keys (secret, env,
			     label...): the JSON Schema a value must pass; owned */
	const char *type; /* the value's JSON Schema type, or NULL */
	const char *label, *description; /* or NULL */
	const char *env;                 /* the variable that gives it, or NULL */
	json_t *env_aliases;             /* further variables (an array), or NULL */
	int secret;                      /* sealed with the connection's secrets */
	int required;                    /* a connection must have it */
	int multiple;                    /* a secret of several values (an array of strings) */
	const char *dflt;                /* its "default" when a string, or NULL */
	int has_default;                 /* it declares a "default" (of any type) */
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

/* An OAuth method's "tenants" (the tenants connect hook, oauth_hooks.c):
 * after the token exchange, GET url to list the tenants the user
 * authorised and keep the chosen one's id as the config param. */
struct auth_tenants {
	const char *url;              /* NULL: not declared */
	const char *items;            /* a pointer to the array in the answer; "" or NULL: all */
	const char *id_pointer;       /* a tenant's id, name and type in one item */
	const char *name_pointer;     /* or NULL */
	const char *type_pointer;     /* or NULL */
	const char *param;            /* the config name the chosen id is kept under */
	const char *auth_event_claim; /* the access token's claim naming the consent, */
	const char *auth_event_param; /* and url's parameter filtering by it; or NULL */
};

/* An OAuth method's "token_info" (the token_info connect hook): where to
 * introspect the token when its answer lacked some of extras. */
struct auth_token_info {
	const char *url; /* NULL: not declared */
	json_t *extras;  /* config name -> pointer into the answer (an object), or NULL */
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
	struct auth_tenants tenants;
	struct auth_token_info token_info;
	json_t *redirect_extras; /* names (an array), or NULL */
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

/* ---- The connector's facts, its connection params and webhooks ---------
 * The top-level keys, "params" and "webhooks", filled once when the
 * registry loads the file (connector_info_load) into connector->info and
 * never changed afterwards, so any thread reads them. */

struct connection;
struct err;

/* One call of a webhooks "api" block: an action of its entity. */
struct webhook_call {
	const char *name;   /* "create", "list" or "delete" */
	const char *action; /* the action's name; NULL: the call is not declared */
	json_t *args;       /* argument templates (an object), or NULL */
	const char *id;     /* create: a pointer to the new subscription's id, or NULL */
	const char *secret; /* create: a pointer to its signing secret, or NULL */
	const char *items;  /* list: a pointer to the array in the data, or NULL */
};

/* The webhooks "api" block: how `webhooks register/list/remove` manage
 * subscriptions through the vendor's API (the schema says each key). */
struct webhook_api {
	const char *entity;    /* the entity whose actions manage them; NULL: no api */
	json_t *entity_by_arg; /* argument name -> another entity (an object), or NULL */
	struct webhook_call create, list, remove;
	int per_event;          /* one subscription per event */
	json_t *default_events; /* the events when none are given (an array); NULL:
				   every mapped event */
	const char *event_case; /* "upper_snake", or NULL */
	const char *secret;     /* where the secret comes from: response, generate, keep */
	const char *item_id;    /* pointers into a listed subscription; defaults */
	const char *item_url;   /* "/id", "/url" and "/events" */
	const char *item_events;
};

/* The "webhooks" block: how deliveries are signed and read. Strings NULL
 * when absent. */
struct webhook_spec {
	const char *scheme;       /* the signature scheme (webhook_verify.c); NULL: no
				     block; "none": the vendor sends none */
	const char *secret_field; /* the connection field holding the signing secret */
	const char *signature_header, *signature_encoding, *signature_prefix;
	const char *timestamp_header, *id_header; /* the scheme's defaults when NULL */
	long tolerance_s;                         /* 0: the scheme's default */
	const char *event_header;                 /* the vendor's event name: a header, */
	const char *event_pointer;                /* and/or a pointer into an event */
	const char *id_pointer;                   /* an event's id, or NULL */
	const char *payload;      /* the vendor's delivery format hooks (webhook.c), or NULL */
	const char *register_how; /* "register": how subscriptions are made, or NULL */
	struct webhook_api api;   /* "api": managing subscriptions (cli_manage.c) */
};

/* Fill out from a "webhooks" block (may be NULL: out is zeroed). */
void connector_webhooks_fill(json_t *block, struct webhook_spec *out);

/* The connector's own facts. */
struct connector_info {
	const char *name; /* "Stripe" (required, as are the next two) */
	const char *description, *category;
	const char *domain;                /* or NULL */
	const char *visibility;            /* "public" (default) or "private" */
	const char *created_by, *icon_url; /* or NULL */
	json_t *icon_sizes;                /* an array of "WxH", or NULL */
	json_t *aliases;                   /* other names people search by (an array), or NULL */
	struct auth_field *params;         /* "params": a connection's settings used in templates
					      ({shop}), in the file's order; declared like a field */
	size_t n_params;
	struct webhook_spec webhooks;
};

/* Read doc (a loaded, valid connector document, which must outlive the
 * result). Never NULL. Free with connector_info_free (accepts NULL). */
struct connector_info *connector_info_load(json_t *doc);
void connector_info_free(struct connector_info *info);

/* The param of c named name, or NULL. */
const struct auth_field *connector_param_decl(const struct connector *c, const char *name);

/* Expand "{name}" placeholders of tmpl from conn (connection_value: its
 * config, then its secrets), else the param's declared default. A value
 * that breaks its param's declaration (a shop "evil.com/x#") and a
 * placeholder with no value are errors naming the field. conn may be NULL
 * (defaults only). Returns a new string (the caller frees it; it may hold
 * a secret) or NULL with err. */
char *connector_expand(const struct connector *c, const struct connection *conn, const char *tmpl,
		       struct err *err);
/* The base URL of c's connection conn: its base_url, else c's template
 * (connector_base_url), expanded as above, without a trailing slash. New
 * string, or NULL with err. */
char *connector_base_url_of(const struct connector *c, const struct connection *conn,
			    struct err *err);

#endif
