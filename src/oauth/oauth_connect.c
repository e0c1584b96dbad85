/* oauth_connect.c - the authorization-code flow as an object: begin builds
 * the URL and starts the loopback listener; the redirect is handled to the
 * end (vendor checks, code exchange, vendor steps, store write) on the
 * listener's thread, so neither the CLI nor the MCP main loop blocks on it. */
#include "oauth_connect.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connector.h"
#include "connection.h"
#include "crypto.h"
#include "http.h"
#include "listen.h"
#include "oauth.h"

enum phase { PHASE_WAITING, PHASE_BUSY, PHASE_DONE, PHASE_FAILED };

struct oauth_connect {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum phase phase;  /* under lock */
	struct err result; /* under lock; set when PHASE_FAILED */
	const struct connector *c;
	const struct auth_method *method; /* borrowed from c */
	struct oauth_app *app;
	struct connection *conn;
	struct listener *l;
	char *store_path, *state, *verifier, *challenge, *url, *redirect, *target, *tenant;
};

/* The page the browser shows at the end: self-contained (inline CSS, no
 * request to any other host), naming the vendor and the connection. */
static const char page_style[] =
	"body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;"
	"background:#f4f5f7;color:#1f2328;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
	"Roboto,sans-serif}"
	"main{background:#fff;max-width:28rem;margin:1rem;padding:2rem 2.25rem;"
	"border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12),0 8px 24px rgba(0,0,0,.06);"
	"text-align:center}"
	".mark{width:3.5rem;height:3.5rem;margin:0 auto 1rem;border-radius:50%;display:flex;"
	"align-items:center;justify-content:center;font-size:2rem;color:#fff}"
	".ok .mark{background:#1a7f37}.fail .mark{background:#cf222e}"
	"h1{font-size:1.4rem;margin:0 0 .5rem}p{margin:.5rem 0;color:#57606a}"
	"code{background:#f0f1f3;padding:.1rem .35rem;border-radius:4px;color:#1f2328}";

/* The final page (new): ok, or not with why ("denied", ...). */
static char *page(const struct oauth_connect *oc, int ok, const char *why)
{
	const char *vendor = oc->c->info->name;
	char *v = html_escape(vendor ? vendor : oc->c->slug), *t = html_escape(oc->target);
	char *w = html_escape(why);
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b,
		 "<!doctype html><html lang=en><meta charset=utf-8>"
		 "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
		 "<title>%s - switchboard</title><style>%s</style>",
		 ok ? "Connected" : "Not connected", page_style);
	if (ok)
		buf_addf(&b,
			 "<body class=ok><main><div class=mark>&#10003;</div>"
			 "<h1>%s is connected</h1>"
			 "<p>switchboard saved the connection <code>%s</code>.</p>"
			 "<p>You can close this tab and return to your terminal or assistant.</p>"
			 "</main></body></html>",
			 v, t);
	else
		buf_addf(&b,
			 "<body class=fail><main><div class=mark>&#10007;</div>"
			 "<h1>%s is not connected</h1>"
			 "<p>The authorization of <code>%s</code> was %s.</p>"
			 "<p>Nothing was saved. Return to your terminal or assistant for the "
			 "details, and start again when you are ready.</p></main></body></html>",
			 v, t, w);
	free(v);
	free(t);
	free(w);
	return buf_detach(&b);
}

/* Secrets a token response makes; a reconnect replaces them, and keeps the
 * connection's other secrets (a webhook signing secret, say). */
static int is_token_secret(const struct auth_method *method, const char *k)
{
	return !strcmp(k, "access_token") || !strcmp(k, "refresh_token") ||
	       !strcmp(k, "previous_refresh_token") ||
	       json_object_get(method->token_secrets, k) != NULL;
}

/* Save conn: add it, or, when a connection of that name exists, update it.
 * Its settings came from the stored one already (flow_new); here its
 * secrets that are not tokens are kept too, when it was an oauth2
 * connection (another method's secrets are that method's credentials). */
static int save_connection(struct store *st, const struct auth_method *method,
			   struct connection *conn, struct err *err)
{
	struct err e;
	err_init(&e);
	struct connection *old = store_get_connection(st, conn->connector, conn->name, 1, &e);
	if (!old && !err_is_set(&e))
		return store_add_connection(st, conn, err);
	if (!old) {
		/* Stored but its secrets cannot be opened: a new grant is the
		 * fix for exactly that, so the row is overwritten. */
		err_init(&e);
		old = store_get_connection(st, conn->connector, conn->name, 0, &e);
		if (!old)
			return store_add_connection(st, conn, err);
	}
	conn->id = old->id;
	const char *k;
	json_t *v;
	if (old->secrets && !strcmp(old->auth, "oauth2"))
		json_object_foreach(old->secrets, k, v)
			if (!json_object_get(conn->secrets, k) && !is_token_secret(method, k))
				json_object_set_new(conn->secrets, k, json_deep_copy(v));
	connection_free(old);
	return store_update_connection(st, conn, err);
}

static int run_hooks(const struct oauth_connect *oc, json_t *query, json_t *token, struct err *err)
{
	struct oauth_hook_ctx x = {oc->c, oc->method, oc->app, oc->conn, oc->tenant};
	size_t i;
	json_t *v;
	json_array_foreach(oc->method->connect_hooks, i, v) {
		const struct oauth_hook *h = oauth_hook_find(json_string_value(v));
		if (!h)
			return err_set(err, "%s names an unknown connect hook '%s'", oc->c->slug,
				       json_string_value(v));
		if (query && h->check_redirect && h->check_redirect(&x, query, err) < 0)
			return -1;
		if (token && h->after_token && h->after_token(&x, token, err) < 0)
			return -1;
	}
	return 0;
}

/* Apply a token response to the flow's connection, run the vendor steps and
 * write it to the store through a handle of this thread's own. */
static int save_token(struct oauth_connect *oc, json_t *resp, struct err *err)
{
	oauth_apply_token(oc->method, oc->conn, resp);
	if (!connection_value(oc->conn, "access_token"))
		return err_set(err, "the token response of %s has no access token", oc->c->slug);
	if (run_hooks(oc, NULL, resp, err) < 0)
		return -1;
	struct store *st = store_open(oc->store_path, err);
	if (!st)
		return -1;
	int rc = save_connection(st, oc->method, oc->conn, err);
	store_free(st);
	return rc;
}

/* The redirect, from error/code to the saved connection. 0 or -1 with err. */
static int finish(struct oauth_connect *oc, json_t *query, struct err *err)
{
	const char *error = json_string_value(json_object_get(query, "error"));
	const char *code = json_string_value(json_object_get(query, "code"));
	if (error || !code) {
		const char *desc = json_string_value(json_object_get(query, "error_description"));
		return err_set(err, "authorization %s: %s%s%s",
			       error && strcmp(error, "access_denied") == 0 ? "denied" : "failed",
			       error ? error : "no code in the redirect", desc ? " - " : "",
			       desc ? desc : "");
	}
	if (run_hooks(oc, query, NULL, err) < 0)
		return -1;
	size_t i;
	json_t *x;
	json_array_foreach(oc->method->redirect_extras, i, x) {
		json_t *val = json_object_get(query, json_string_value(x));
		if (val)
			json_object_set(oc->conn->config, json_string_value(x), val);
	}
	json_t *form = json_pack("{s:s, s:s, s:s}", "grant_type", "authorization_code", "code",
				 code, "redirect_uri", oc->redirect);
	if (oc->method->pkce)
		json_object_set_new(form, "code_verifier", json_string(oc->verifier));
	const char *k;
	json_object_foreach(oc->method->token_params, k, x)
		json_object_set(form, k, x);
	json_t *resp = oauth_token_request(oc->c, oc->method, oc->app, oc->conn, form, err);
	if (!resp)
		return -1;
	int rc = save_token(oc, resp, err);
	json_decref(resp);
	return rc;
}

/* Runs on the listener's thread. Nothing here logs: a log line may be
 * forwarded to the MCP client, and only the main thread writes stdout. */
static void on_callback(const struct listen_request *req, struct listen_response *resp, void *ctx)
{
	struct oauth_connect *oc = ctx;
	if (strcmp(req->path, OAUTH_CONNECT_CALLBACK) != 0) {
		resp->status = 404;
		resp->body = xstrdup("not found\n");
		return;
	}
	resp->content_type = "text/html; charset=utf-8";
	const char *state = json_string_value(json_object_get(req->query, "state"));
	if (!state || strlen(state) != strlen(oc->state) ||
	    !crypto_memeq(state, oc->state, strlen(state))) {
		/* Not our request (or forged): refuse, and keep waiting. */
		resp->status = 400;
		resp->body = page(oc, 0, "refused: the state did not match");
		return;
	}
	pthread_mutex_lock(&oc->lock);
	enum phase was = oc->phase;
	if (was == PHASE_WAITING)
		oc->phase = PHASE_BUSY;
	pthread_mutex_unlock(&oc->lock);
	if (was != PHASE_WAITING) {
		resp->status = 409;
		resp->body = page(oc, 0, "already handled");
		return;
	}
	struct err e;
	err_init(&e);
	int ok = finish(oc, req->query, &e) == 0;
	const char *error = json_string_value(json_object_get(req->query, "error"));
	resp->status = ok ? 200 : 400;
	resp->body = page(oc, ok,
			  error && strcmp(error, "access_denied") == 0 ? "denied"
			  : error                                      ? "refused by the provider"
								       : "not completed");
	pthread_mutex_lock(&oc->lock);
	oc->phase = ok ? PHASE_DONE : PHASE_FAILED;
	oc->result = e;
	pthread_cond_broadcast(&oc->cond);
	pthread_mutex_unlock(&oc->lock);
}

static int random_hex(char **out, struct err *err)
{
	unsigned char raw[16];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return -1;
	*out = crypto_hex(raw, sizeof(raw));
	return 0;
}

/* The settings a flow starts from (new): a reconnect keeps those of the
 * stored connection of that name (a GitHub Enterprise base_url, a shop),
 * less what the old grant's token response said about itself; a new
 * connection starts empty. */
static json_t *reconnect_config(struct store *st, const struct auth_method *method,
				const char *slug, const char *name)
{
	struct err e;
	err_init(&e);
	struct connection *old = store_get_connection(st, slug, name, 0, &e);
	json_t *config = old && old->config ? json_deep_copy(old->config) : json_object();
	connection_free(old);
	static const char *const grant_keys[] = {"token_lifetime_s", "refresh_token_expires_at",
						 "refresh_token_lifetime_s"};
	for (size_t i = 0; i < sizeof(grant_keys) / sizeof(grant_keys[0]); i++)
		json_object_del(config, grant_keys[i]);
	const char *k;
	json_t *v;
	json_object_foreach(method->token_extras, k, v)
		json_object_del(config, k);
	return config;
}

/* The method's default_scopes joined by spaces (new; "" when none). */
static char *default_scopes(const struct auth_method *method)
{
	struct buf b;
	buf_init(&b, 0);
	size_t i;
	json_t *s;
	json_array_foreach(method->default_scopes, i, s)
		buf_addf(&b, "%s%s", i ? " " : "", json_string_value(s));
	char *joined = buf_detach(&b);
	return joined ? joined : xstrdup("");
}

/* The flow's connection and OAuth app, shared by both grants. */
static struct oauth_connect *flow_new(struct store *st, const struct oauth_connect_opts *o,
				      struct err *err)
{
	const struct connector *c = o->c;
	const struct auth_method *method = connector_auth_method(c, "oauth2");
	if (!method)
		return err_set(err, "'%s' is not a connector with OAuth 2.0", c->slug), NULL;
	struct oauth_connect *oc = xcalloc(1, sizeof(*oc));
	pthread_mutex_init(&oc->lock, NULL);
	pthread_cond_init(&oc->cond, NULL);
	err_init(&oc->result);
	oc->c = c;
	oc->method = method;
	oc->store_path = xstrdup(store_path(st));
	oc->tenant = o->tenant ? xstrdup(o->tenant) : NULL;
	oc->app = store_get_oauth_app(st, c->slug, err);
	if (!oc->app) {
		if (!err_is_set(err))
			err_set(err,
				"no OAuth app for %s yet: create one at the vendor, then run "
				"'switchboard oauth-app set %s --client-id ID "
				"--client-secret-stdin'",
				c->slug, c->slug);
		oauth_connect_free(oc);
		return NULL;
	}
	const char *name = o->name ? o->name : "default";
	struct connection *conn = xcalloc(1, sizeof(*conn));
	conn->connector = xstrdup(c->slug);
	conn->name = xstrdup(name);
	conn->auth = xstrdup("oauth2");
	conn->config = reconnect_config(st, method, c->slug, name);
	if (o->config)
		json_object_update(conn->config, o->config);
	conn->secrets = json_object();
	oc->conn = conn;
	oc->target = xasprintf("%s/%s", c->slug, name);
	/* --scopes, else what the connection was granted before, else the
	 * app's, else the method's default. */
	const char *had = json_string_value(json_object_get(conn->config, "scopes"));
	const char *scopes = o->scopes ? o->scopes : had ? had : oc->app->scopes;
	if (scopes) {
		json_object_set_new(conn->config, "scopes", json_string(scopes));
	} else {
		char *joined = default_scopes(method);
		json_object_set_new(conn->config, "scopes", json_string(joined));
		free(joined);
	}
	return oc;
}

struct oauth_connect *oauth_connect_begin(struct store *st, const struct oauth_connect_opts *o,
					  struct err *err)
{
	struct oauth_connect *oc = flow_new(st, o, err);
	if (!oc)
		return NULL;
	/* libcurl's global setup belongs on this thread, before the listener's
	 * thread makes the first client. */
	struct http_client *probe = http_new(err);
	if (!probe)
		goto fail;
	http_free(probe);
	if (random_hex(&oc->state, err) < 0 || oauth_pkce(&oc->verifier, &oc->challenge, err) < 0)
		goto fail;
	oc->l = listen_start("127.0.0.1", oc->app->redirect_port, 64 << 10, 0, on_callback, oc,
			     err);
	if (!oc->l)
		goto fail;
	oc->redirect =
		xasprintf("http://127.0.0.1:%d%s", listen_port(oc->l), OAUTH_CONNECT_CALLBACK);
	oc->url = oauth_authorize_url(
		oc->c, oc->method, oc->app, oc->conn, oc->redirect, oc->state, oc->challenge,
		json_string_value(json_object_get(oc->conn->config, "scopes")), err);
	if (!oc->url)
		goto fail;
	return oc;
fail:
	oauth_connect_free(oc);
	return NULL;
}

const char *oauth_connect_url(const struct oauth_connect *oc)
{
	return oc->url;
}

const char *oauth_connect_target(const struct oauth_connect *oc)
{
	return oc->target;
}

const char *oauth_connect_scopes(const struct oauth_connect *oc)
{
	const char *s = json_string_value(json_object_get(oc->conn->config, "scopes"));
	return s ? s : "";
}

int oauth_connect_default_scopes(const struct oauth_connect *oc)
{
	char *def = default_scopes(oc->method);
	int same = strcmp(def, oauth_connect_scopes(oc)) == 0;
	free(def);
	return same;
}

static int outcome(struct oauth_connect *oc, struct err *err)
{
	if (oc->phase == PHASE_DONE)
		return 1;
	if (oc->phase == PHASE_FAILED)
		return err_set(err, "%s", oc->result.msg);
	return 0;
}

int oauth_connect_wait(struct oauth_connect *oc, long timeout_ms, struct err *err)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&oc->lock);
	int timed_out = 0;
	while (!timed_out && oc->phase == PHASE_WAITING)
		timed_out = pthread_cond_timedwait(&oc->cond, &oc->lock, &until) == ETIMEDOUT;
	/* A redirect being handled is let finish: the exchange has its own
	 * timeout, and the code is spent either way. */
	while (oc->phase == PHASE_BUSY)
		pthread_cond_wait(&oc->cond, &oc->lock);
	if (oc->phase == PHASE_WAITING) {
		/* A late redirect is refused, not half-saved. */
		oc->phase = PHASE_FAILED;
		err_set(&oc->result, "no answer from the browser within %ld s", timeout_ms / 1000);
	}
	int rc = outcome(oc, err);
	pthread_mutex_unlock(&oc->lock);
	return rc > 0 ? 0 : -1;
}

int oauth_connect_poll(struct oauth_connect *oc, struct err *err)
{
	pthread_mutex_lock(&oc->lock);
	int rc = outcome(oc, err);
	pthread_mutex_unlock(&oc->lock);
	return rc;
}

void oauth_connect_free(struct oauth_connect *oc)
{
	if (!oc)
		return;
	listen_stop(oc->l); /* joins the listener's thread: nothing runs on oc after this */
	connection_free(oc->conn);
	oauth_app_free(oc->app);
	free(oc->store_path);
	free(oc->state);
	free_secret(oc->verifier);
	free(oc->challenge);
	free(oc->url);
	free(oc->redirect);
	free(oc->target);
	free(oc->tenant);
	pthread_mutex_destroy(&oc->lock);
	pthread_cond_destroy(&oc->cond);
	free(oc);
}

int oauth_connect_client_credentials(struct store *st, const struct oauth_connect_opts *o,
				     struct err *err)
{
	struct oauth_connect *oc = flow_new(st, o, err);
	if (!oc)
		return -1;
	int ret = -1;
	json_t *form = json_pack("{s:s}", "grant_type", "client_credentials");
	const char *scopes = json_string_value(json_object_get(oc->conn->config, "scopes"));
	if (scopes && *scopes)
		json_object_set_new(form, "scope", json_string(scopes));
	json_t *resp = oauth_token_request(oc->c, oc->method, oc->app, oc->conn, form, err);
	if (resp)
		ret = save_token(oc, resp, err);
	json_decref(resp);
	oauth_connect_free(oc);
	return ret;
}
