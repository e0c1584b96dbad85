/* connect_page.h - a key-based connection (api_key, bearer, basic, custom)
 * typed by the user in a browser, never through the model: the HTML form for
 * an auth method, the checks (as `connections add` makes them) and saving
 * of what it posts, and the one-time
 * loopback page switchboard_connect hands out (127.0.0.1, a random port, an
 * unguessable path, one use, ten minutes). The connectors page (ui.c) uses
 * the same form and save. */
#ifndef SB_CONNECT_PAGE_H
#define SB_CONNECT_PAGE_H

#include <jansson.h>

#include "connector.h"
#include "listen.h"
#include "registry.h"
#include "store.h"

#define CONNECT_PAGE_TTL_S 600

/* The fields a form for connector c with auth method m asks for: name ->
 * {label, description, secret, required, type, schema}, in the method's
 * order. The connector's params that are required without a default come
 * too (Shopify's shop). New. */
json_t *connect_form_fields(const struct connector *c, const struct auth_method *m);

/* 1 for an auth method type the user connects by typing credentials
 * (api_key, bearer, basic, custom), 0 for oauth2, none or NULL. */
int connect_key_based(const char *type);

/* The method a connection of c is made with when none is asked for: OAuth
 * when its app is stored in st, else the default when key-based, else the
 * first key-based one. Borrowed; NULL when none is. */
const struct auth_method *connect_default_method(struct store *st, const struct connector *c);

/* 1 when a connection can be made for a connector of r that only
 * (NULL-ended, may be NULL) lets through: one with a key-based method, or
 * an oauth2 one whose OAuth app is stored. st NULL: 0 (nothing could be
 * saved). Decides whether switchboard_connect is listed. */
int connect_useful(struct store *st, const struct registry *r, char **only);

/* The <form> for c and m posting to action (escaped here), with csrf as a
 * hidden field. preset (borrowed, may be NULL): non-secret values already
 * known, shown read-only. name: the connection name, shown read-only; NULL
 * asks for it. A new string of HTML. */
char *connect_form_html(const struct connector *c, const struct auth_method *m, const char *action,
			const char *csrf, json_t *preset, const char *name);

/* Save what a form posted: form (borrowed) maps "f_<field>" to the text
 * typed and "name" to the connection name when name is NULL; preset values
 * (borrowed, may be NULL) win over the form. Each value is checked against
 * the method as `connections add` checks it; every required field must be
 * there. A new connection, or, when name exists, its credentials replaced
 * and its settings kept (a field given anew wins), status ok. *target gets
 * "slug/name" (new). 0, or -1 with err, which never quotes a secret. */
int connect_form_save(struct store *st, const struct connector *c, const struct auth_method *m,
		      const char *name, json_t *form, json_t *preset, char **target,
		      struct err *err);

/* An application/x-www-form-urlencoded body as a new object of strings
 * (the last of repeated names wins; at most 64 fields). NULL when it is not
 * that. The caller wipes it with store_secrets_free: it may hold secrets. */
json_t *connect_form_decode(const char *body, size_t len);

/* 1 when a state-changing request can only have come from a page this
 * listener served: Host is 127.0.0.1:port, localhost:port or [::1]:port and
 * Origin, which browsers send with every POST, is http:// and that host. */
int connect_same_origin(const struct listen_request *req, int port);

/* A new random token for URLs and forms (base64url of 32 bytes), or NULL
 * with err. */
char *connect_token(struct err *err);

/* A one-time page for one connection. */
struct connect_page_opts {
	const struct connector *c;        /* borrowed; must outlive the page */
	const struct auth_method *method; /* borrowed from c: a key-based method */
	const char *name;                 /* connection name; NULL = "default" */
	json_t *preset;                   /* borrowed, copied: non-secret values, or NULL */
};
struct connect_page;

/* Listen on 127.0.0.1 at a free port and make the page's URL. The form is
 * saved through a store handle of the listener thread's own, opened at
 * st's path. New page (connect_page_free) or NULL with err. */
struct connect_page *connect_page_start(struct store *st, const struct connect_page_opts *o,
					struct err *err);
/* The URL to open (borrowed): http://127.0.0.1:PORT/connect/TOKEN. */
const char *connect_page_url(const struct connect_page *p);
/* "slug/name" of the connection the page saves (borrowed). */
const char *connect_page_target(const struct connect_page *p);
/* Without waiting: 1 when the connection was saved, 0 while the page waits
 * for the user, -1 with err when it expired or was given up on. */
int connect_page_poll(struct connect_page *p, struct err *err);
/* Stop listening and free; accepts NULL. */
void connect_page_free(struct connect_page *p);

#endif
