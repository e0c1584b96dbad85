/* oauth.h - OAuth 2.0: authorization URLs with PKCE, the code and
 * client-credentials grants, and refresh that is single-flight across every
 * process sharing the store and never loses a rotating refresh token. */
#ifndef SB_OAUTH_H
#define SB_OAUTH_H

#include <jansson.h>

#include "connector.h"
#include "registry.h"
#include "store.h"

/* Make conn's access token fresh: refresh when it expires within the margin
 * (min(5 min, lifetime / 2)), or always when force (after a 401); re-mint a
 * client-credentials token. Holds the store's lock on the connection so one
 * process refreshes while the others wait and reuse its result. The new
 * tokens are written to the store before they are used; a response without
 * refresh_token keeps the old one. invalid_grant marks the connection
 * needs_reconnect. Returns 1 when conn changed (updated in place), 0 when
 * nothing was needed, -1 with err. */
int oauth_refresh(struct store *s, const struct connector *c, const struct auth_method *method,
		  struct connection *conn, int force, struct err *err);

/* Is a refresh due: does the access token expire within min(5 min,
 * lifetime / 2)? Cheap; no store or network. */
int oauth_refresh_due(const struct connection *conn);

/* Should a keep-alive refresh run: is the access token due
 * (oauth_refresh_due), or has the refresh token used more than half of its
 * lifetime (config refresh_token_expires_at and refresh_token_lifetime_s,
 * recorded by oauth_apply_token)? Cheap; no store or network. */
int oauth_keepalive_due(const struct connection *conn);

/* Refresh the store's OAuth connections so that idle ones stay alive: every
 * connection whose connector in r uses oauth2, or only those named in only
 * (NULL-terminated: NAME, CONNECTOR/NAME or id; NULL = all). With if_due,
 * only those oauth_keepalive_due picks, and once those whose method
 * declares a refresh-token expiry not yet recorded (connected before it was);
 * a connection that needs reconnecting is then reported, not tried. Each refresh goes through
 * oauth_refresh, so it is single-flight with every other process. Returns
 * a new array of {connection, result: "refreshed" | "not_due" | "failed",
 * error?, refresh_token_expires_at?} and sets *failures (OUT) to the number
 * failed; NULL with err when the store cannot be listed. */
json_t *oauth_keepalive_run(struct store *s, const struct registry *r, const char *const *only,
			    int if_due, int *failures, struct err *err);

/* Take the store's lock on connection id, waiting up to 20 s while another
 * process holds it (refreshing its tokens). 1, or -1 with err; release
 * with store_lock_release. */
int oauth_lock(struct store *s, const struct connector *c, long long id, struct err *err);

/* The token endpoint for a connector (the OAuth app's override, else the
 * method's token_url expanded with conn's values). New string or NULL. */
char *oauth_token_url(const struct connector *c, const struct auth_method *method,
		      const struct oauth_app *app, const struct connection *conn, struct err *err);

/* "Basic base64(client_id:client_secret)" for an app with a secret: the
 * HTTP Basic client authentication of RFC 6749 2.3.1. New string; the
 * caller wipes and frees it (free_secret). */
char *oauth_basic_credentials(const struct oauth_app *app);

/* POST form (stolen) to the token endpoint with the method's client
 * authentication; returns the parsed token response (new) or NULL with err
 * carrying the vendor's error code (e.g. "invalid_grant"). */
json_t *oauth_token_request(const struct connector *c, const struct auth_method *method,
			    const struct oauth_app *app, const struct connection *conn,
			    json_t *form, struct err *err);

/* Store a token response in conn: access_token, refresh_token (kept when
 * absent; the previous one is remembered until the new one is proven),
 * expires_at, the method's token_extras into config and its token_secrets
 * (name -> JSON pointer) into the sealed secrets. */
void oauth_apply_token(const struct auth_method *method, struct connection *conn, json_t *resp);

/* End conn's grant at the vendor as the method's "revoke" says: which token
 * (refresh or access; an access token due is refreshed first), where (the
 * OAuth app's revoke_url, else revoke.url; a path is joined to the
 * connection's base URL), how (form, JSON or no body; the token as a
 * parameter or as the Bearer credential; client auth basic, body or none),
 * then the extra secrets listed in revoke.also the same way. A vendor error
 * listed in revoke.already_revoked counts as done. conn must hold its
 * secrets. Returns 1 when revoked; 0 when there is nothing to revoke (no
 * declaration, no token), err saying why; -1 with err when the vendor could
 * not be reached or refused. No token is ever put in err. */
int oauth_revoke(struct store *s, const struct connector *c, const struct auth_method *method,
		 struct connection *conn, struct err *err);

/* PKCE: a new random verifier and its S256 challenge (both new strings). */
int oauth_pkce(char **verifier, char **challenge, struct err *err);

/* The authorization URL the user opens. New string or NULL with err. */
char *oauth_authorize_url(const struct connector *c, const struct auth_method *method,
			  const struct oauth_app *app, const struct connection *conn,
			  const char *redirect_uri, const char *state, const char *challenge,
			  const char *scopes, struct err *err);

#endif
