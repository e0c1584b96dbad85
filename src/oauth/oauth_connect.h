/* oauth_connect.h - one authorization-code flow (state, PKCE, the loopback
 * listener, the authorize URL, the code exchange and saving the connection)
 * in a non-blocking shape: begin returns the URL at once; the browser's
 * redirect completes the flow on the listener's thread, which opens a store
 * handle of its own; the caller waits (CLI) or polls (MCP server). */
#ifndef SB_OAUTH_CONNECT_H
#define SB_OAUTH_CONNECT_H

#include <jansson.h>

#include "connector.h"
#include "registry.h"
#include "store.h"

#define OAUTH_CONNECT_CALLBACK "/callback"

struct oauth_connect_opts {
	const struct connector *c; /* borrowed; must outlive the flow */
	const char *name;          /* connection name; NULL = "default" */
	json_t *config;            /* borrowed, copied: --set values, or NULL */
	const char *scopes;        /* NULL: the OAuth app's, else the method's default */
	const char *tenant;        /* tenant id or name when several are authorised */
};

struct oauth_connect;

/* Start a flow: read the connector's OAuth app from st (only here, on the
 * caller's thread), listen on 127.0.0.1 at the app's redirect port and build
 * the authorization URL. New flow (oauth_connect_free) or NULL with err
 * (no OAuth app: the error names the `oauth-app set` command). */
struct oauth_connect *oauth_connect_begin(struct store *st, const struct oauth_connect_opts *o,
					  struct err *err);

/* The URL the user opens (borrowed, lives as long as the flow). */
const char *oauth_connect_url(const struct oauth_connect *oc);
/* "slug/name" of the connection the flow saves (borrowed). */
const char *oauth_connect_target(const struct oauth_connect *oc);
/* The scopes the flow asks for, space-separated as stored (borrowed). */
const char *oauth_connect_scopes(const struct oauth_connect *oc);
/* 1 when they are the method's default_scopes. */
int oauth_connect_default_scopes(const struct oauth_connect *oc);

/* Wait up to timeout_ms for the redirect to be handled. 0 when the
 * connection was saved; -1 with err when the flow failed or timed out. */
int oauth_connect_wait(struct oauth_connect *oc, long timeout_ms, struct err *err);

/* Without waiting: 1 when the connection was saved, 0 while the flow is
 * still waiting for the browser, -1 with err when it failed. */
int oauth_connect_poll(struct oauth_connect *oc, struct err *err);

/* Stop the listener and free the flow, wiping its secrets; accepts NULL. */
void oauth_connect_free(struct oauth_connect *oc);

/* The client-credentials grant, synchronous: mint a token and save the
 * connection in st. 0 or -1 with err. */
int oauth_connect_client_credentials(struct store *st, const struct oauth_connect_opts *o,
				     struct err *err);

/* Vendor steps of the flow (oauth_hooks.c), named by the method's
 * "connect_hooks". check_redirect runs on the redirect's query before the
 * code exchange; after_token runs on the token response before the
 * connection is saved. Either may be NULL. 0 or -1 with err. */
struct oauth_hook_ctx {
	const struct connector *c;
	const struct auth_method *method; /* borrowed */
	const struct oauth_app *app;      /* borrowed */
	struct connection *conn;          /* the connection being made */
	const char *tenant;               /* the user's choice among tenants, or NULL */
};
struct oauth_hook {
	const char *name;
	int (*check_redirect)(const struct oauth_hook_ctx *x, json_t *query, struct err *err);
	int (*after_token)(const struct oauth_hook_ctx *x, json_t *token, struct err *err);
};
/* NULL when no hook has that name. */
const struct oauth_hook *oauth_hook_find(const char *name);

/* Shopify's redirect signature: hex HMAC-SHA256 keyed with secret over the
 * decoded query pairs except hmac and signature, sorted by name and joined
 * "k=v&k=v". 1 when query's hmac matches, else 0. Exposed for unit tests. */
int oauth_shopify_hmac_ok(json_t *query, const char *secret);

#endif
