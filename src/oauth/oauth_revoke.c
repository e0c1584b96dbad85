/* oauth_revoke.c - ending an OAuth grant at the vendor before a connection
 * is removed, in the shape the method's "revoke" declares (RFC 7009 and the
 * vendors' own: JSON bodies, DELETE, the token as its own credential). */
#include "oauth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connection.h"
#include "connector.h"
#include "crypto.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "urlenc.h"

/* A secret of conn (borrowed), never a same-named config value. */
static const char *secret(const struct connection *conn, const char *name)
{
	return json_string_value(json_object_get(conn->secrets, name));
}

/* tmpl with every {client_id} replaced by the app's, percent-encoded (it
 * lands in a path). New string, or NULL with err when there is no app. */
static char *with_client_id(const char *tmpl, const struct oauth_app *app, const char *slug,
			    struct err *err)
{
	static const char marker[] = "{client_id}";
	struct buf b;
	buf_init(&b, 0);
	const char *p = tmpl, *hit;
	while ((hit = strstr(p, marker)) != NULL) {
		if (!app || !app->client_id) {
			buf_release(&b);
			return err_set(err,
				       "revoking a %s grant needs the OAuth app's client id; "
				       "set it with: switchboard oauth-app set %s --client-id ID",
				       slug, slug),
			       NULL;
		}
		buf_add(&b, p, (size_t)(hit - p));
		for (const unsigned char *q = (const unsigned char *)app->client_id; *q; q++) {
			if ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
			    (*q >= '0' && *q <= '9') || strchr("-._~", *q))
				buf_add(&b, q, 1);
			else
				buf_addf(&b, "%%%02X", *q);
		}
		p = hit + sizeof(marker) - 1;
	}
	buf_adds(&b, p);
	return buf_detach(&b);
}

/* The revocation endpoint: the OAuth app's override, else revoke.url; a
 * path (starting with /) is joined to the connection's base URL, so GitHub
 * Enterprise revokes on its own host. New string or NULL with err. */
static char *revoke_url(const struct connector *c, const struct auth_revoke *rv,
			const struct oauth_app *app, const struct connection *conn, struct err *err)
{
	const char *tmpl = app && app->revoke_url ? app->revoke_url : rv->url;
	char *ided = with_client_id(tmpl, app, c->slug, err);
	if (!ided)
		return NULL;
	char *url = NULL;
	if (ided[0] == '/') {
		char *base = connector_base_url_of(c, conn, err);
		char *path = base ? connector_expand(c, conn, ided, err) : NULL;
		if (path)
			url = xasprintf("%s%s", base, path);
		free(base);
		free(path);
	} else {
		url = connector_expand(c, conn, ided, err);
	}
	free(ided);
	return url;
}

/* Add a secret header line "Name: value" to headers, the copy wiped. */
static void add_secret_header(json_t *headers, const char *name, const char *value)
{
	char *h = xasprintf("%s: %s", name, value);
	json_array_append_new(headers, json_string(h));
	crypto_cleanse(h, strlen(h));
	free(h);
}

/* Did the vendor refuse? A status outside 2xx, or a 2xx carrying an error
 * (Slack's {ok: false, error}). *code (borrowed from doc) names the error
 * when the answer says (error, else HubSpot's category); NULL otherwise. */
static int refused(long status, json_t *doc, const char **code)
{
	const char *error = json_string_value(json_object_get(doc, "error"));
	*code = error ? error : json_string_value(json_object_get(doc, "category"));
	if (status < 200 || status >= 300)
		return 1;
	return json_is_false(json_object_get(doc, "ok")) || (error && !json_object_get(doc, "ok"));
}

/* Is this vendor error code one the method lists as "already revoked"? */
static int already_gone(const struct auth_revoke *rv, const char *code)
{
	return jsonx_has_string(rv->already_revoked, code);
}

/* One revocation request for token. 0, or -1 with err (no secret in it). */
static int revoke_one(const struct connector *c, const struct auth_revoke *rv,
		      const struct oauth_app *app, const char *url, const char *token,
		      struct err *err)
{
	int ret = -1;
	json_t *headers = json_array(), *params = json_object(), *doc = NULL;
	struct buf body;
	buf_init(&body, 0);
	struct http_client *http = NULL;
	struct http_response resp = {0};
	const char **hv = NULL;
	const char *client_auth = rv->client_auth, *token_as = rv->token_as, *shape = rv->body;
	const char *k;
	json_t *v;

	json_object_foreach(rv->params, k, v)
		json_object_set(params, k, v);
	if (strcmp(token_as, "bearer") == 0) {
		/* The token is its own credential (Slack's auth.revoke). */
		char *bearer = xasprintf("Bearer %s", token);
		add_secret_header(headers, "Authorization", bearer);
		crypto_cleanse(bearer, strlen(bearer));
		free(bearer);
	} else {
		json_object_set_new(params, rv->param, json_string(token));
	}
	if (strcmp(client_auth, "none") != 0) {
		if (!app || !app->client_id) {
			err_set(err,
				"revoking a %s grant needs the OAuth app's credentials; set "
				"them with: switchboard oauth-app set %s --client-id ID "
				"--client-secret-stdin",
				c->slug, c->slug);
			goto out;
		}
		if (strcmp(client_auth, "basic") == 0 && app->client_secret &&
		    strcmp(token_as, "bearer") != 0) {
			char *basic = oauth_basic_credentials(app);
			add_secret_header(headers, "Authorization", basic);
			free_secret(basic);
		} else {
			/* body, or a public client (PKCE, no secret): identify in the body */
			json_object_set_new(params, "client_id", json_string(app->client_id));
			if (app->client_secret && strcmp(client_auth, "body") == 0)
				json_object_set_new(params, "client_secret",
						    json_string(app->client_secret));
		}
	}
	if (strcmp(shape, "json") == 0) {
		char *text = json_dumps(params, JSON_COMPACT);
		buf_adds(&body, text);
		crypto_cleanse(text, strlen(text));
		free(text);
		urlenc_header(headers, "Content-Type", "application/json");
	} else if (strcmp(shape, "form") == 0) {
		urlenc_form(&body, NULL, params);
		urlenc_header(headers, "Content-Type", "application/x-www-form-urlencoded");
	}
	int own_accept = 0;
	json_object_foreach(rv->headers, k, v)
		own_accept |= strcasecmp(k, "Accept") == 0;
	if (!own_accept)
		urlenc_header(headers, "Accept", "application/json");
	json_object_foreach(rv->headers, k, v)
		urlenc_header(headers, k, json_string_value(v));
	size_t n = json_array_size(headers);
	hv = xcalloc(n + 1, sizeof(*hv));
	for (size_t i = 0; i < n; i++)
		hv[i] = json_string_value(json_array_get(headers, i));
	struct http_request req = {.method = rv->method,
				   .url = url,
				   .headers = hv,
				   .body = body.data,
				   .body_len = body.len,
				   .timeout_ms = 30000};
	struct err e;
	err_init(&e);
	http = http_new(err);
	if (!http)
		goto out;
	if (http_perform(http, &req, &resp, &e) < 0) {
		err_set(err, "cannot reach the %s revocation endpoint: %s", c->slug, e.msg);
		goto out;
	}
	doc = json_loadb(resp.body, resp.body_len, 0, NULL);
	const char *code = NULL;
	if (refused(resp.status, doc, &code) && !already_gone(rv, code)) {
		const char *desc = json_string_value(json_object_get(doc, "error_description"));
		if (!desc)
			desc = json_string_value(json_object_get(doc, "message"));
		char *clean = desc ? log_redact(desc) : NULL;
		err_set(err, "the %s revocation endpoint answered HTTP %ld%s%s%s%s", c->slug,
			resp.status, code ? ": " : "", code ? code : "", clean ? " - " : "",
			clean ? clean : "");
		free(clean);
		goto out;
	}
	ret = 0;
out:
	json_decref(doc);
	json_decref(params);
	json_decref(headers);
	free(hv);
	if (body.data)
		crypto_cleanse(body.data, body.len);
	buf_release(&body);
	if (resp.body)
		crypto_cleanse(resp.body, resp.body_len);
	http_response_release(&resp);
	http_free(http);
	return ret;
}

int oauth_revoke(struct store *s, const struct connector *c, const struct auth_method *method,
		 struct connection *conn, struct err *err)
{
	int ret = -1, locked = 0;
	char *url = NULL;
	struct oauth_app *app = NULL;
	struct connection *now = NULL;
	const struct auth_revoke *rv = &method->revoke;
	if (!rv->url)
		return err_set(err, "%s declares no token revocation", c->slug), 0;
	const char *which = rv->token;
	const char *field = strcmp(which, "access") == 0 ? "access_token" : "refresh_token";
	app = store_get_oauth_app(s, c->slug, err);
	if (err_is_set(err))
		goto out;
	/* An expired access token cannot revoke anything: renew it first when
	 * it is due and can be renewed. */
	if (strcmp(field, "access_token") == 0 && secret(conn, "refresh_token") &&
	    oauth_refresh_due(conn) && oauth_refresh(s, c, method, conn, 0, err) < 0)
		goto out;
	if (conn->id) {
		if (oauth_lock(s, c, conn->id, err) < 0)
			goto out;
		locked = 1;
		/* What the store holds now: another process may have rotated it. */
		if (!(now = store_get_connection(s, c->slug, conn->name, 1, err)))
			goto out;
		conn = now;
	}
	if (!secret(conn, field)) {
		err_set(err, "%s/%s holds no %s to revoke", c->slug, conn->name,
			strcmp(field, "access_token") == 0 ? "access token" : "refresh token");
		ret = 0;
		goto out;
	}
	if (!(url = revoke_url(c, rv, app, conn, err)))
		goto out;
	if (!urlenc_allows_credentials(url)) {
		err_set(err,
			"refusing to send %s tokens over plain http to a host that is not "
			"this machine",
			c->slug);
		goto out;
	}
	/* The primary token, then the extra secrets the grant holds (Slack's
	 * user token); a partial failure leaves the connection for a retry, and
	 * the retry finds the first one already gone. */
	if (revoke_one(c, rv, app, url, secret(conn, field), err) < 0)
		goto out;
	size_t i;
	json_t *x;
	json_array_foreach(rv->also, i, x) {
		const char *extra = secret(conn, json_string_value(x));
		if (extra && revoke_one(c, rv, app, url, extra, err) < 0)
			goto out;
	}
	log_info("revoked the %s grant of connection '%s'", c->slug, conn->name);
	ret = 1;
out:
	if (locked)
		store_lock_release(s, conn->id, NULL);
	connection_free(now);
	free(url);
	oauth_app_free(app);
	return ret;
}
