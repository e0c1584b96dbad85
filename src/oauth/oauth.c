/* oauth.c - the OAuth 2.0 grants and token refresh. Token calls are rare
 * (once per token lifetime), so they run synchronously on a client of their
 * own and never re-enter the main loop's transfers. */
#include "oauth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connection.h"
#include "connector.h"
#include "crypto.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "urlenc.h"

#define LOCK_TTL_S 60
#define LOCK_WAIT_MS 20000

char *oauth_token_url(const struct connector *c, const struct auth_method *method,
		      const struct oauth_app *app, const struct connection *conn, struct err *err)
{
	const char *url = app && app->token_url ? app->token_url : method->token_url;
	if (!url)
		return err_set(err, "%s declares no OAuth token URL", c->slug), NULL;
	return connector_expand(c, conn, url, err);
}

char *oauth_basic_credentials(const struct oauth_app *app)
{
	char *pair = xasprintf("%s:%s", app->client_id, app->client_secret);
	char *b64 = crypto_base64(pair, strlen(pair), 0);
	char *basic = xasprintf("Basic %s", b64);
	free_secret(pair);
	free_secret(b64);
	return basic;
}

/* The first bytes of a token endpoint's answer that is no token response,
 * quoted for an error message: printable ASCII only, known secrets and
 * anything after a credential marker redacted. New string. */
static char *token_answer_head(const struct http_response *resp)
{
	char head[81];
	size_t n = resp->body_len < sizeof(head) - 1 ? resp->body_len : sizeof(head) - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)resp->body[i];
		head[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : ' ';
	}
	head[n] = '\0';
	char *quoted = xasprintf("'%s'%s", head, resp->body_len > n ? "..." : n ? "" : " (empty)");
	char *red = log_redact(quoted);
	free(quoted);
	return red;
}

/* The keys of a token answer, for saying what it had instead of a token
 * (never its values). New string, "" for none. */
static char *token_answer_keys(json_t *doc)
{
	struct buf b;
	buf_init(&b, 512);
	const char *k;
	json_t *v;
	json_object_foreach(doc, k, v)
		buf_addf(&b, "%s%s", b.len ? ", " : "", k);
	return buf_detach(&b);
}

json_t *oauth_token_request(const struct connector *c, const struct auth_method *method,
			    const struct oauth_app *app, const struct connection *conn,
			    json_t *form, struct err *err)
{
	json_t *out = NULL;
	struct buf body;
	buf_init(&body, 0);
	json_t *headers = json_array();
	struct http_client *http = NULL;
	struct http_response resp = {0};
	char *url = oauth_token_url(c, method, app, conn, err);
	if (!url)
		goto done;
	if (!urlenc_allows_credentials(url)) {
		err_set(err,
			"refusing to send OAuth credentials for %s over plain http to a host "
			"that is not this machine",
			c->slug);
		goto done;
	}
	const char *client_auth = method->client_auth;
	if (app && app->client_id) {
		if (client_auth && strcmp(client_auth, "basic") == 0 && app->client_secret) {
			char *basic = oauth_basic_credentials(app);
			char *h = xasprintf("Authorization: %s", basic);
			json_array_append_new(headers, json_string(h));
			free_secret(basic);
			free_secret(h);
		} else {
			json_object_set_new(form, "client_id", json_string(app->client_id));
			if (app->client_secret)
				json_object_set_new(form, "client_secret",
						    json_string(app->client_secret));
		}
	}
	urlenc_form(&body, NULL, form);
	urlenc_header(headers, "Content-Type", "application/x-www-form-urlencoded");
	/* JSON, please (GitHub answers form-encoded without it); a method's
	 * token_headers replace ours of the same name rather than doubling. */
	json_t *extra = method->token_headers;
	const char *k;
	json_t *v;
	int own_accept = 0;
	json_object_foreach(extra, k, v)
		own_accept |= strcasecmp(k, "Accept") == 0;
	if (!own_accept)
		urlenc_header(headers, "Accept", "application/json");
	json_object_foreach(extra, k, v)
		urlenc_header(headers, k, json_string_value(v));
	size_t n = json_array_size(headers);
	const char **hv = xcalloc(n + 1, sizeof(*hv));
	for (size_t i = 0; i < n; i++)
		hv[i] = json_string_value(json_array_get(headers, i));
	struct http_request req = {.method = "POST",
				   .url = url,
				   .headers = hv,
				   .body = body.data,
				   .body_len = body.len,
				   .timeout_ms = 30000};
	http = http_new(err);
	int rc = http ? http_perform(http, &req, &resp, err) : -1;
	free(hv);
	if (rc < 0)
		goto done;
	json_error_t je;
	json_t *doc = json_loadb(resp.body, resp.body_len, 0, &je);
	const char *ctype = json_string_value(json_object_get(resp.headers, "content-type"));
	if (!doc && resp.body_len && ctype &&
	    strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0) {
		/* GitHub answers form-encoded without Accept; we send Accept, but
		 * parse the simple form anyway. */
		doc = json_object();
		char *copy = xstrndup(resp.body, resp.body_len), *save = NULL;
		for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');
			if (eq) {
				*eq = '\0';
				json_object_set_new(doc, kv, json_string(eq + 1));
			}
		}
		crypto_cleanse(copy, resp.body_len);
		free(copy);
	}
	/* Errors may come as HTTP 200: GitHub {error: bad_verification_code},
	 * Slack {ok: false, error: invalid_code}. */
	const char *error = json_string_value(json_object_get(doc, "error"));
	if (!error && json_is_false(json_object_get(doc, "ok")))
		error = "ok:false";
	if (!error && resp.status < 400 && !json_is_object(doc)) {
		/* A proxy's login page, a maintenance page: say what came, so the
		 * user is not sent to reconnect a grant that is fine. */
		char *head = token_answer_head(&resp);
		err_set(err,
			"%s token endpoint answered HTTP %ld with %s, not a token response: %s",
			c->slug, resp.status, ctype ? ctype : "no Content-Type", head);
		free(head);
		json_decref(doc);
		goto done;
	}
	json_t *token = jsonx_pointer(doc, method->token_pointer);
	if (!error && resp.status < 400 && !json_is_string(token)) {
		char *keys = token_answer_keys(doc);
		err_set(err, "%s token endpoint answered HTTP %ld without an access token (%s%s)",
			c->slug, resp.status, *keys ? "keys: " : "an empty object", keys);
		free(keys);
		json_decref(doc);
		goto done;
	}
	if (resp.status >= 400 || error || !json_is_object(doc)) {
		const char *desc = json_string_value(json_object_get(doc, "error_description"));
		err_set(err, "%s token endpoint answered HTTP %ld: %s%s%s", c->slug, resp.status,
			error ? error : "no usable token response", desc ? " - " : "",
			desc ? desc : "");
		json_decref(doc);
		goto done;
	}
	out = doc;
done:
	json_decref(form);
	json_decref(headers);
	if (body.data)
		crypto_cleanse(body.data, body.len);
	buf_release(&body);
	if (resp.body)
		crypto_cleanse(resp.body, resp.body_len);
	http_response_release(&resp);
	http_free(http);
	free(url);
	return out;
}

/* A lifetime in seconds, as a JSON integer or a string of digits; 0 when
 * absent or not a number. */
static long long seconds_value(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (!json_is_string(v))
		return 0;
	char *end = NULL;
	long long n = strtoll(json_string_value(v), &end, 10);
	return end && *end == '\0' ? n : 0;
}

/* When the refresh token dies if unused: the token response's own figure
 * (the method's refresh_token_expires_pointer, default
 * /refresh_token_expires_in: Shopify's; QuickBooks' x_refresh_token_expires_in,
 * which rolls with every refresh), else for a newly issued refresh token the
 * method's refresh_token_lifetime_s (Xero: 60 days unused). A response
 * that says nothing and issues no new refresh token keeps what we knew. */
static void apply_refresh_expiry(const struct auth_method *method, struct connection *conn,
				 json_t *resp, int new_refresh)
{
	const char *ptr = method->refresh_token_expires_pointer;
	long long life =
		seconds_value(jsonx_pointer(resp, ptr ? ptr : "/refresh_token_expires_in"));
	if (life <= 0 && new_refresh)
		life = method->refresh_token_lifetime_s;
	if (life <= 0)
		return;
	json_object_set_new(conn->config, "refresh_token_expires_at", json_integer(now_s() + life));
	json_object_set_new(conn->config, "refresh_token_lifetime_s", json_integer(life));
}

void oauth_apply_token(const struct auth_method *method, struct connection *conn, json_t *resp)
{
	if (!conn->secrets)
		conn->secrets = json_object();
	if (!conn->config)
		conn->config = json_object();
	json_t *token = jsonx_pointer(resp, method->token_pointer);
	if (json_is_string(token))
		json_object_set_new(conn->secrets, "access_token", json_copy(token));
	json_t *refresh = json_object_get(resp, "refresh_token");
	if (json_is_string(refresh)) {
		json_t *old = json_object_get(conn->secrets, "refresh_token");
		/* Keep the one we just used until the new one is proven: a vendor
		 * with a retry window (Xero: 30 min) still takes it if our write
		 * of the new one were lost. */
		if (json_is_string(old) &&
		    strcmp(json_string_value(old), json_string_value(refresh)))
			json_object_set_new(conn->secrets, "previous_refresh_token",
					    json_copy(old));
		json_object_set_new(conn->secrets, "refresh_token", json_copy(refresh));
	}
	long long lifetime = seconds_value(json_object_get(resp, "expires_in"));
	if (lifetime <= 0)
		lifetime = method->access_token_lifetime_s;
	conn->expires_at = lifetime > 0 ? now_s() + lifetime : 0;
	if (lifetime > 0)
		json_object_set_new(conn->config, "token_lifetime_s", json_integer(lifetime));
	apply_refresh_expiry(method, conn, resp, json_is_string(refresh));
	const char *k;
	json_t *v;
	json_object_foreach(method->token_extras, k, v) {
		json_t *x = jsonx_pointer(resp, json_string_value(v));
		if (!x || json_is_null(x) || !strcmp(k, "access_token") ||
		    !strcmp(k, "refresh_token"))
			continue;
		if (json_is_string(x)) {
			json_object_set_new(conn->config, k, json_copy(x));
		} else {
			char *text = json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
			json_object_set_new(conn->config, k, json_string(text));
			free(text);
		}
	}
	/* Secret extras (Slack's user token under authed_user) are sealed
	 * with the other secrets, never kept in the unsealed config. */
	json_object_foreach(method->token_secrets, k, v) {
		json_t *x = jsonx_pointer(resp, json_string_value(v));
		if (json_is_string(x))
			json_object_set_new(conn->secrets, k, json_copy(x));
		json_object_del(conn->config, k);
	}
	free(conn->status);
	conn->status = xstrdup("ok");
	free(conn->last_error);
	conn->last_error = NULL;
}

int oauth_refresh_due(const struct connection *conn)
{
	if (!conn->expires_at)
		return 0;
	long long lifetime = json_integer_value(json_object_get(conn->config, "token_lifetime_s"));
	long long margin = 300;
	if (lifetime > 0 && lifetime / 2 < margin)
		margin = lifetime / 2;
	return conn->expires_at - now_s() <= margin;
}

int oauth_keepalive_due(const struct connection *conn)
{
	if (oauth_refresh_due(conn))
		return 1;
	json_t *at = json_object_get(conn->config, "refresh_token_expires_at");
	long long life =
		json_integer_value(json_object_get(conn->config, "refresh_token_lifetime_s"));
	if (!json_is_integer(at) || life <= 0)
		return 0;
	return json_integer_value(at) - now_s() <= life / 2;
}

static void replace_conn(struct connection *dst, struct connection *src)
{
	struct connection tmp = *dst;
	*dst = *src;
	*src = tmp;
	connection_free(src);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* The grant to renew with: refresh_token, else client_credentials. */
static json_t *renew_form(const struct auth_method *method, const struct connection *conn,
			  const char *refresh)
{
	if (refresh)
		return json_pack("{s:s, s:s}", "grant_type", "refresh_token", "refresh_token",
				 refresh);
	size_t i;
	json_t *g;
	json_array_foreach(method->grants, i, g) {
		if (strcmp(json_string_value(g), "client_credentials") == 0) {
			json_t *form = json_pack("{s:s}", "grant_type", "client_credentials");
			const char *scopes = connection_value(conn, "scopes");
			if (scopes)
				json_object_set_new(form, "scope", json_string(scopes));
			return form;
		}
	}
	return NULL;
}

int oauth_lock(struct store *s, const struct connector *c, long long id, struct err *err)
{
	long long deadline = now_ms() + LOCK_WAIT_MS;
	for (;;) {
		int got = store_lock_acquire(s, id, LOCK_TTL_S, err);
		if (got != 0)
			return got;
		if (now_ms() > deadline)
			return err_set(err,
				       "timed out waiting for another process to refresh the "
				       "%s token",
				       c->slug);
		sleep_ms(100);
	}
}

/* After invalid_grant, before declaring the connection dead: has someone
 * stored another refresh token since we read ours (a reconnect, which does
 * not take the lock)? Then conn becomes the stored row: 1; else 0. */
static int rotated_meanwhile(struct store *s, const struct connector *c, struct connection *conn,
			     const char *sent)
{
	struct err e;
	err_init(&e);
	struct connection *again = store_get_connection(s, c->slug, conn->name, 1, &e);
	const char *now = again ? connection_value(again, "refresh_token") : NULL;
	if (!sent || !now || strcmp(now, sent) == 0) {
		connection_free(again);
		return 0;
	}
	replace_conn(conn, again);
	return 1;
}

int oauth_refresh(struct store *s, const struct connector *c, const struct auth_method *method,
		  struct connection *conn, int force, struct err *err)
{
	if (!force && !oauth_refresh_due(conn))
		return 0;
	if (!s || !conn->id)
		return force ? err_set(err,
				       "the %s token was rejected and this connection cannot be "
				       "refreshed (it is not in the store)",
				       c->slug)
			     : 0;
	const char *before = connection_value(conn, "access_token");
	char *old_token = before ? xstrdup(before) : NULL;
	int ret = -1, locked = 0;
	struct oauth_app *app = NULL;
	struct err e;
	err_init(&e);
	/* One refresher per connection across processes: wait for the lock, and
	 * if the holder refreshed meanwhile, use its token. */
	if (oauth_lock(s, c, conn->id, err) < 0)
		goto out;
	locked = 1;
	struct connection *fresh = store_get_connection(s, c->slug, conn->name, 1, err);
	if (!fresh)
		goto out;
	const char *now_token = connection_value(fresh, "access_token");
	int changed = !old_token || !now_token || strcmp(old_token, now_token) != 0;
	replace_conn(conn, fresh);
	if (changed && !oauth_refresh_due(conn)) {
		ret = 1; /* another process refreshed it while we waited */
		goto out;
	}
	app = store_get_oauth_app(s, c->slug, err);
	if (err_is_set(err))
		goto out;
	const char *refresh = connection_value(conn, "refresh_token");
	json_t *form = renew_form(method, conn, refresh);
	if (!form) {
		store_set_status(s, conn->id, "needs_reconnect", "token expired, no refresh token",
				 NULL);
		err_set(err,
			"the %s token of connection '%s' expired and cannot be refreshed; ask "
			"the user to run: switchboard connect %s --name %s",
			c->slug, conn->name, c->slug, conn->name);
		goto out;
	}
	fault_point("oauth_after_lock"); /* locked, due, the vendor not yet asked */
	json_t *resp = oauth_token_request(c, method, app, conn, form, &e);
	if (!resp && refresh && strstr(e.msg, "invalid_grant")) {
		/* The new refresh token may never have reached us last time: try
		 * the previous one inside the vendor's retry window. */
		const char *prev = connection_value(conn, "previous_refresh_token");
		if (prev) {
			err_init(&e);
			resp = oauth_token_request(c, method, app, conn,
						   renew_form(method, conn, prev), &e);
		}
	}
	if (!resp) {
		if (strstr(e.msg, "invalid_grant") && rotated_meanwhile(s, c, conn, refresh)) {
			ret = 1; /* a reconnect wrote a new grant while we asked */
			goto out;
		}
		if (strstr(e.msg, "invalid_grant")) {
			store_set_status(s, conn->id, "needs_reconnect", e.msg, NULL);
			err_set(err,
				"%s; the grant was revoked or expired: ask the user to run: "
				"switchboard connect %s --name %s",
				e.msg, c->slug, conn->name);
		} else {
			err_set(err, "%s", e.msg);
		}
		goto out;
	}
	fault_point("oauth_before_store");
	oauth_apply_token(method, conn, resp);
	json_decref(resp);
	/* Written before the token is used: a crash now loses nothing. */
	if (store_update_connection(s, conn, err) < 0)
		goto out;
	fault_point("oauth_after_store");
	log_add_secret(connection_value(conn, "access_token"));
	log_info("refreshed the %s token of connection '%s'", c->slug, conn->name);
	ret = 1;
out:
	if (locked)
		store_lock_release(s, conn->id, NULL);
	oauth_app_free(app);
	free_secret(old_token);
	return ret;
}

int oauth_pkce(char **verifier, char **challenge, struct err *err)
{
	unsigned char raw[32], digest[32];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return -1;
	*verifier = crypto_base64(raw, sizeof(raw), 1);
	crypto_sha256(*verifier, strlen(*verifier), digest);
	*challenge = crypto_base64(digest, sizeof(digest), 1);
	return 0;
}

char *oauth_authorize_url(const struct connector *c, const struct auth_method *method,
			  const struct oauth_app *app, const struct connection *conn,
			  const char *redirect_uri, const char *state, const char *challenge,
			  const char *scopes, struct err *err)
{
	const char *tmpl = app && app->authorize_url ? app->authorize_url : method->authorize_url;
	if (!tmpl)
		return err_set(err, "%s declares no OAuth authorize URL", c->slug), NULL;
	char *base = connector_expand(c, conn, tmpl, err);
	if (!base)
		return NULL;
	struct buf url;
	buf_init(&url, 0);
	buf_adds(&url, base);
	free(base);
	json_t *v;
#define Q(name, value)                                                                             \
	do {                                                                                       \
		v = json_string(value);                                                            \
		urlenc_query(&url, name, v);                                                       \
		json_decref(v);                                                                    \
	} while (0)
	Q("response_type", "code");
	Q("client_id", app->client_id);
	Q("redirect_uri", redirect_uri);
	if (scopes && *scopes) {
		const char *sep = method->scope_separator;
		char *joined = xstrdup(scopes);
		if (sep && strcmp(sep, " ") != 0 && strlen(sep) == 1)
			for (char *p = joined; *p; p++)
				if (*p == ' ')
					*p = *sep;
		Q(method->scope_param, joined);
		free(joined);
	}
	Q("state", state);
	if (challenge && method->pkce) {
		Q("code_challenge", challenge);
		Q("code_challenge_method", "S256");
	}
	const char *k;
	json_t *x;
	json_object_foreach(method->authorize_params, k, x)
		Q(k, json_string_value(x));
#undef Q
	return buf_detach(&url);
}
