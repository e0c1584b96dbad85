/* cli_oauth.c - `switchboard oauth-app` (the user's own OAuth client per
 * connector) and `switchboard connect` (authorization code + PKCE through a
 * loopback redirect, or the client-credentials grant). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fields.h"
#include "conns.h"
#include "crypto.h"
#include "listen.h"
#include "log.h"
#include "oauth.h"
#include "store.h"

#define CALLBACK_PATH "/callback"

static int oauth_app_set(struct cli *cli, int argc, char **argv)
{
	struct oauth_app app = {0};
	int secret_stdin = 0, ret = 1;
	long port = 0;
	if (argc < 1) {
		fprintf(stderr, "usage: switchboard oauth-app set SLUG --client-id ID "
				"[--client-secret-stdin] [--scopes S] [--redirect-port N] "
				"[--authorize-url URL] [--token-url URL]\n");
		return 2;
	}
	app.connector = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (strcmp(a, "--client-secret-stdin") == 0) {
			secret_stdin = 1;
			continue;
		}
		if (!(v = cli_opt_value(&i, argc, argv)))
			return 2;
		if (strcmp(a, "--client-id") == 0)
			app.client_id = (char *)v;
		else if (strcmp(a, "--scopes") == 0)
			app.scopes = (char *)v;
		else if (strcmp(a, "--authorize-url") == 0)
			app.authorize_url = (char *)v;
		else if (strcmp(a, "--token-url") == 0)
			app.token_url = (char *)v;
		else if (strcmp(a, "--redirect-port") == 0 &&
			 parse_long(v, &port) == 0 && port >= 0 && port < 65536)
			app.redirect_port = (int)port;
		else {
			fprintf(stderr, "switchboard: oauth-app set: bad option '%s'\n", a);
			return 2;
		}
	}
	if (!app.client_id) {
		fprintf(stderr, "switchboard: oauth-app set needs --client-id\n");
		return 2;
	}
	struct registry *r = cli_registry(cli);
	const struct connector *c = registry_find(r, app.connector);
	struct store *st = NULL;
	struct err e;
	err_init(&e);
	if (!c || !connector_auth_method(c, "oauth2")) {
		fprintf(stderr, "switchboard: '%s' is not a connector with OAuth 2.0\n", app.connector);
		goto out;
	}
	if (secret_stdin) {
		app.client_secret = cli_fields_read_stdin(&e);
		if (!app.client_secret) {
			fprintf(stderr, "switchboard: %s\n", e.msg);
			goto out;
		}
		log_add_secret(app.client_secret);
	}
	st = store_open(cli->mcp.store_path, &e);
	if (!st || store_set_oauth_app(st, &app, &e) < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	cli_print("saved the OAuth app for %s (client id %s, %s)\n", c->slug, app.client_id,
		  app.client_secret ? "secret sealed" : "public client");
	if (app.redirect_port)
		cli_print("redirect URI to register at the vendor: http://127.0.0.1:%d%s\n",
			  app.redirect_port, CALLBACK_PATH);
	else
		cli_print("no --redirect-port: connect picks a free port; most vendors need the "
			  "exact redirect URI registered, so set one\n");
	ret = 0;
out:
	free_secret(app.client_secret);
	store_free(st);
	registry_free(r);
	return ret;
}

int cli_oauth_app(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "set") == 0)
		return oauth_app_set(cli, argc - 1, argv + 1);
	if (argc == 2 && (strcmp(argv[0], "show") == 0 || strcmp(argv[0], "remove") == 0)) {
		struct err e;
		err_init(&e);
		struct store *st = store_open(cli->mcp.store_path, &e);
		int ret = 1;
		if (st && strcmp(argv[0], "remove") == 0) {
			ret = store_remove_oauth_app(st, argv[1], &e) < 0;
		} else if (st) {
			struct oauth_app *app = store_get_oauth_app(st, argv[1], &e);
			if (app) {
				json_t *o = json_pack(
					"{s:s, s:s, s:b, s:s?, s:i, s:s?, s:s?}", "connector",
					app->connector, "client_id", app->client_id, "client_secret_set",
					app->client_secret != NULL, "scopes", app->scopes,
					"redirect_port", app->redirect_port, "authorize_url",
					app->authorize_url, "token_url", app->token_url);
				char *text = json_dumps(o, JSON_COMPACT);
				cli_print("%s\n", text);
				free(text);
				json_decref(o);
				ret = 0;
			} else if (!err_is_set(&e)) {
				err_set(&e, "no OAuth app for '%s'", argv[1]);
			}
			oauth_app_free(app);
		}
		if (err_is_set(&e))
			fprintf(stderr, "switchboard: %s\n", e.msg);
		store_free(st);
		return ret;
	}
	fprintf(stderr, "usage: switchboard oauth-app set|show|remove SLUG ...\n");
	return 2;
}

/* What the redirect brought back, filled on the listener's thread. */
struct wait_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
	const char *expect_state;
	json_t *query; /* the redirect's query, owned */
};

static const char page_ok[] =
	"<!doctype html><meta charset=utf-8><title>switchboard</title><h1>Connected</h1>"
	"<p>switchboard has the authorization. You can close this tab.</p>";
static const char page_fail[] =
	"<!doctype html><meta charset=utf-8><title>switchboard</title><h1>Not connected</h1>"
	"<p>The authorization was %s. Return to the terminal for details.</p>";

static void on_callback(const struct listen_request *req, struct listen_response *resp, void *ctx)
{
	struct wait_state *w = ctx;
	if (strcmp(req->path, CALLBACK_PATH) != 0) {
		resp->status = 404;
		resp->body = xstrdup("not found\n");
		return;
	}
	const char *state = json_string_value(json_object_get(req->query, "state"));
	const char *error = json_string_value(json_object_get(req->query, "error"));
	resp->content_type = "text/html; charset=utf-8";
	if (!state || strcmp(state, w->expect_state) != 0) {
		/* Not our request (or forged): refuse, and keep waiting. */
		resp->status = 400;
		resp->body = xasprintf(page_fail, "refused: the state did not match");
		return;
	}
	resp->status = error ? 400 : 200;
	resp->body = error ? xasprintf(page_fail, strcmp(error, "access_denied") == 0
							  ? "denied"
							  : "refused by the provider")
			   : xstrdup(page_ok);
	pthread_mutex_lock(&w->lock);
	if (!w->done) {
		w->query = json_deep_copy(req->query);
		w->done = 1;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
}

static void open_browser(const char *url)
{
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", 0);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execlp("xdg-open", "xdg-open", url, (char *)NULL);
		_exit(127);
	}
}

static int random_hex(char **out, struct err *err)
{
	unsigned char raw[16];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return -1;
	*out = crypto_hex(raw, sizeof(raw));
	return 0;
}

/* Save conn: update the connection of that name, or add it. */
static int save_connection(struct store *st, struct connection *conn, struct err *err)
{
	struct err e;
	err_init(&e);
	struct connection *old = store_get_connection(st, conn->connector, conn->name, 0, &e);
	if (old) {
		conn->id = old->id;
		connection_free(old);
		return store_update_connection(st, conn, err);
	}
	return store_add_connection(st, conn, err);
}

int cli_connect(struct cli *cli, int argc, char **argv)
{
	const char *slug = NULL, *name = "default", *scopes = NULL;
	int no_browser = 0, client_credentials = 0, ret = 1;
	long timeout_s = 300;
	json_t *config = json_object();
	struct registry *r = NULL;
	struct store *st = NULL;
	struct oauth_app *app = NULL;
	struct listener *l = NULL;
	struct connection *conn = NULL;
	char *state = NULL, *verifier = NULL, *challenge = NULL, *url = NULL, *redirect = NULL;
	struct wait_state w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, NULL};
	struct err e;
	err_init(&e);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		if (strcmp(a, "--no-browser") == 0) {
			no_browser = 1;
		} else if (strcmp(a, "--client-credentials") == 0) {
			client_credentials = 1;
		} else if (a[0] != '-' && !slug) {
			slug = a;
		} else if (!(v = cli_opt_value(&i, argc, argv))) {
			ret = 2;
			goto out;
		} else if (strcmp(a, "--name") == 0) {
			name = v;
		} else if (strcmp(a, "--scopes") == 0) {
			scopes = v;
		} else if (strcmp(a, "--timeout") == 0 && parse_long(v, &timeout_s) == 0 &&
			   timeout_s > 0) {
		} else if (strcmp(a, "--set") == 0 && strchr(v, '=') && v[0] != '=') {
			char *k = xstrndup(v, (size_t)(strchr(v, '=') - v));
			json_object_set_new(config, k, json_string(strchr(v, '=') + 1));
			free(k);
		} else {
			fprintf(stderr, "switchboard: connect: bad option '%s'\n", a);
			ret = 2;
			goto out;
		}
	}
	if (!slug) {
		fprintf(stderr, "usage: switchboard connect SLUG [--name NAME] [--scopes S] "
				"[--set key=value] [--no-browser] [--client-credentials] "
				"[--timeout SECONDS]\n");
		ret = 2;
		goto out;
	}
	r = cli_registry(cli);
	const struct connector *c = registry_find(r, slug);
	json_t *method = c ? connector_auth_method(c, "oauth2") : NULL;
	if (!method) {
		err_set(&e, "'%s' is not a connector with OAuth 2.0", slug);
		goto out;
	}
	st = store_open(cli->mcp.store_path, &e);
	if (!st)
		goto out;
	app = store_get_oauth_app(st, slug, &e);
	if (!app) {
		if (!err_is_set(&e))
			err_set(&e, "no OAuth app for %s yet: create one at the vendor, then run "
				    "'switchboard oauth-app set %s --client-id ID "
				    "--client-secret-stdin'",
				slug, slug);
		goto out;
	}
	conn = xcalloc(1, sizeof(*conn));
	conn->connector = xstrdup(slug);
	conn->name = xstrdup(name);
	conn->auth = xstrdup("oauth2");
	conn->config = json_incref(config); /* dropped by connection_free */
	conn->secrets = json_object();
	if (!scopes)
		scopes = app->scopes;
	char *default_scopes = NULL;
	if (!scopes) {
		struct buf b;
		buf_init(&b, 0);
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(method, "default_scopes"), i, s)
			buf_addf(&b, "%s%s", i ? " " : "", json_string_value(s));
		default_scopes = buf_detach(&b);
		scopes = default_scopes;
	}
	json_object_set_new(conn->config, "scopes", json_string(scopes));
	free(default_scopes);
	scopes = json_string_value(json_object_get(conn->config, "scopes"));

	json_t *resp = NULL;
	if (client_credentials) {
		json_t *form = json_pack("{s:s}", "grant_type", "client_credentials");
		if (*scopes)
			json_object_set_new(form, "scope", json_string(scopes));
		resp = oauth_token_request(c, method, app, conn, form, &e);
	} else {
		if (random_hex(&state, &e) < 0 || oauth_pkce(&verifier, &challenge, &e) < 0)
			goto out;
		w.expect_state = state;
		l = listen_start("127.0.0.1", app->redirect_port, 64 << 10, on_callback, &w, &e);
		if (!l)
			goto out;
		redirect = xasprintf("http://127.0.0.1:%d%s", listen_port(l), CALLBACK_PATH);
		url = oauth_authorize_url(c, method, app, conn, redirect, state, challenge, scopes,
					  &e);
		if (!url)
			goto out;
		fprintf(stderr, "Open this URL to authorize switchboard for %s:\n", slug);
		cli_print("%s\n", url);
		fflush(stdout);
		if (!no_browser)
			open_browser(url);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += timeout_s;
		pthread_mutex_lock(&w.lock);
		while (!w.done)
			if (pthread_cond_timedwait(&w.cond, &w.lock, &until) == ETIMEDOUT)
				break;
		pthread_mutex_unlock(&w.lock);
		listen_stop(l);
		l = NULL;
		if (!w.done) {
			err_set(&e, "no answer from the browser within %ld s", timeout_s);
			goto out;
		}
		const char *error = json_string_value(json_object_get(w.query, "error"));
		const char *code = json_string_value(json_object_get(w.query, "code"));
		if (error || !code) {
			const char *desc = json_string_value(json_object_get(w.query, "error_description"));
			err_set(&e, "authorization %s: %s%s%s",
				error && strcmp(error, "access_denied") == 0 ? "denied" : "failed",
				error ? error : "no code in the redirect", desc ? " - " : "",
				desc ? desc : "");
			goto out;
		}
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(method, "redirect_extras"), i, x)
		{
			json_t *val = json_object_get(w.query, json_string_value(x));
			if (val)
				json_object_set(conn->config, json_string_value(x), val);
		}
		json_t *form = json_pack("{s:s, s:s, s:s}", "grant_type", "authorization_code",
					 "code", code, "redirect_uri", redirect);
		if (json_is_true(json_object_get(method, "pkce")))
			json_object_set_new(form, "code_verifier", json_string(verifier));
		const char *k;
		json_object_foreach(json_object_get(method, "token_params"), k, x)
			json_object_set(form, k, x);
		resp = oauth_token_request(c, method, app, conn, form, &e);
	}
	if (!resp)
		goto out;
	oauth_apply_token(method, conn, resp);
	json_decref(resp);
	if (!conns_value(conn, "access_token")) {
		err_set(&e, "the token response of %s has no access token", slug);
		goto out;
	}
	if (save_connection(st, conn, &e) < 0)
		goto out;
	cli_print("connected %s/%s\n", slug, name);
	ret = 0;
out:
	if (err_is_set(&e))
		fprintf(stderr, "switchboard: %s\n", e.msg);
	listen_stop(l);
	json_decref(w.query);
	json_decref(config);
	connection_free(conn);
	oauth_app_free(app);
	store_free(st);
	registry_free(r);
	free(state);
	free_secret(verifier);
	free(challenge);
	free(url);
	free(redirect);
	return ret;
}
