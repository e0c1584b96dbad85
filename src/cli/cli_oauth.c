/* cli_oauth.c - `switchboard oauth-app` (the user's own OAuth client per
 * connector) and `switchboard connect` (authorization code + PKCE through a
 * loopback redirect, or the client-credentials grant). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fields.h"
#include "compat.h"
#include "connector.h"
#include "conns.h"
#include "crypto.h"
#include "listen.h"
#include "log.h"
#include "oauth.h"
#include "oauth_connect.h"
#include "store.h"

#define CALLBACK_PATH OAUTH_CONNECT_CALLBACK

static int oauth_app_set(struct cli *cli, int argc, char **argv)
{
	struct oauth_app app = {0};
	int secret_stdin = 0, ret = 1;
	long port = 0;
	if (argc < 1) {
		fprintf(stderr, "usage: switchboard oauth-app set SLUG --client-id ID "
				"[--client-secret-stdin] [--scopes S] [--redirect-port N] "
				"[--authorize-url URL] [--token-url URL] [--revoke-url URL]\n");
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
		else if (strcmp(a, "--revoke-url") == 0)
			app.revoke_url = (char *)v;
		else if (strcmp(a, "--redirect-port") == 0 && parse_long(v, &port) == 0 &&
			 port >= 0 && port < 65536)
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
	const struct connector *c = cli_find_connector(r, app.connector);
	struct store *st = NULL;
	struct err e;
	err_init(&e);
	if (!c)
		goto out;
	if (!connector_auth_method(c, "oauth2")) {
		fprintf(stderr, "switchboard: '%s' is not a connector with OAuth 2.0\n",
			app.connector);
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
	st = store_open(cli->store_path, &e);
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

static void print_app(const struct oauth_app *app)
{
	cli_print("%s\n  client id:     %s\n  client secret: %s\n  scopes:        %s\n",
		  app->connector, app->client_id,
		  app->client_secret ? "set (sealed)"
				     : "none "
				       "(public client)",
		  app->scopes ? app->scopes : "(the connector's default)");
	if (app->redirect_port)
		cli_print("  redirect URI:  http://127.0.0.1:%d%s\n", app->redirect_port,
			  CALLBACK_PATH);
	else
		cli_print("  redirect URI:  http://127.0.0.1:<any free port>%s\n", CALLBACK_PATH);
	if (app->authorize_url)
		cli_print("  authorize URL: %s\n", app->authorize_url);
	if (app->token_url)
		cli_print("  token URL:     %s\n", app->token_url);
	if (app->revoke_url)
		cli_print("  revoke URL:    %s\n", app->revoke_url);
}

int cli_oauth_app(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "set") == 0)
		return oauth_app_set(cli, argc - 1, argv + 1);
	if (argc == 2 && (strcmp(argv[0], "show") == 0 || strcmp(argv[0], "remove") == 0)) {
		struct err e;
		err_init(&e);
		struct store *st = store_open(cli->store_path, &e);
		int ret = 1;
		if (st && strcmp(argv[0], "remove") == 0) {
			ret = store_remove_oauth_app(st, argv[1], &e) < 0;
		} else if (st) {
			struct oauth_app *app = store_get_oauth_app(st, argv[1], &e);
			if (app) {
				json_t *o = json_pack(
					"{s:s, s:s, s:b, s:s?, s:i, s:s?, s:s?, s:s?}", "connector",
					app->connector, "client_id", app->client_id,
					"client_secret_set", app->client_secret != NULL, "scopes",
					app->scopes, "redirect_port", app->redirect_port,
					"authorize_url", app->authorize_url, "token_url",
					app->token_url, "revoke_url", app->revoke_url);
				if (cli->json)
					cli_print_json(o);
				else
					print_app(app);
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

/* Hand url to the desktop's browser: 0 when it took it, -1 when no opener
 * could be run or it said it failed (see compat_open_url). */
static int open_browser(const char *url)
{
	return compat_open_url(url);
}

int cli_connect(struct cli *cli, int argc, char **argv)
{
	const char *slug = NULL;
	int no_browser = 0, client_credentials = 0, ret = 1;
	long timeout_s = 600;
	json_t *config = json_object();
	struct registry *r = NULL;
	struct store *st = NULL;
	struct oauth_connect *oc = NULL;
	struct oauth_connect_opts o = {0};
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
			o.name = v;
		} else if (strcmp(a, "--scopes") == 0) {
			o.scopes = v;
		} else if (strcmp(a, "--tenant") == 0) {
			o.tenant = v;
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
				"[--set key=value] [--tenant ID_OR_NAME] [--no-browser] "
				"[--client-credentials] [--timeout SECONDS]\n");
		ret = 2;
		goto out;
	}
	r = cli_registry(cli);
	o.c = cli_find_connector(r, slug);
	o.config = config;
	if (!o.c)
		goto out;
	if (!connector_auth_method(o.c, "oauth2")) {
		err_set(&e, "'%s' is not a connector with OAuth 2.0", slug);
		goto out;
	}
	st = store_open(cli->store_path, &e);
	if (!st)
		goto out;
	if (client_credentials) {
		if (oauth_connect_client_credentials(st, &o, &e) < 0)
			goto out;
	} else {
		oc = oauth_connect_begin(st, &o, &e);
		if (!oc)
			goto out;
		const char *vendor = o.c->info->name;
		fprintf(stderr, "Open this URL to authorize switchboard for %s (%s):\n",
			vendor ? vendor : slug, oauth_connect_target(oc));
		cli_print("%s\n", oauth_connect_url(oc));
		fflush(stdout);
		const char *why = connector_auth_method(o.c, "oauth2")->default_scopes_why;
		fprintf(stderr, "switchboard: asking for the scopes: %s (--scopes to change)\n",
			oauth_connect_scopes(oc));
		if (why && oauth_connect_default_scopes(oc))
			fprintf(stderr, "switchboard: why: %s\n", why);
		if (no_browser)
			fprintf(stderr,
				"switchboard: open it in a browser by hand (--no-browser)\n");
		else if (open_browser(oauth_connect_url(oc)) < 0)
			fprintf(stderr,
				"switchboard: no browser could be opened here; open the URL "
				"above by hand, on any machine whose browser can reach "
				"this one's 127.0.0.1 (an SSH tunnel for the redirect port)\n");
		else
			fprintf(stderr, "switchboard: opened it in your browser\n");
		char span[32];
		if (timeout_s % 60 == 0)
			snprintf(span, sizeof(span), "%ld min", timeout_s / 60);
		else
			snprintf(span, sizeof(span), "%ld s", timeout_s);
		fprintf(stderr,
			"switchboard: waiting for the browser (up to %s, Ctrl-C to cancel)\n",
			span);
		if (oauth_connect_wait(oc, timeout_s * 1000, &e) < 0)
			goto out;
	}
	cli_print("connected %s/%s\n", slug, o.name ? o.name : "default");
	if (!client_credentials)
		fprintf(stderr, "switchboard: check it with: switchboard connections test %s/%s\n",
			slug, o.name ? o.name : "default");
	ret = 0;
out:
	if (err_is_set(&e))
		fprintf(stderr, "switchboard: %s\n", e.msg);
	oauth_connect_free(oc);
	json_decref(config);
	store_free(st);
	registry_free(r);
	return ret;
}
