/* oauth_hooks.c - the vendor steps of connecting that connector data cannot
 * express, bound by name from a method's "connect_hooks": Shopify's signed
 * redirect, the tenant list of Xero-style APIs, and token introspection
 * (HubSpot's hub_id). What each needs (URLs, pointers) is data in the
 * connector file; these run on the listener's thread and never log. */
#include "oauth_connect.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connection.h"
#include "crypto.h"
#include "http.h"
#include "jsonx.h"
#include "urlenc.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int oauth_shopify_hmac_ok(json_t *query, const char *secret)
{
	const char *given = json_string_value(json_object_get(query, "hmac"));
	if (!given || !secret || strlen(given) != 64)
		return 0;
	size_t n = 0, cap = json_object_size(query);
	const char **keys = xcalloc(cap + 1, sizeof(*keys));
	const char *k;
	json_t *v;
	json_object_foreach(query, k, v)
		if (strcmp(k, "hmac") != 0 && strcmp(k, "signature") != 0)
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	struct buf msg;
	buf_init(&msg, 0);
	for (size_t i = 0; i < n; i++)
		buf_addf(&msg, "%s%s=%s", i ? "&" : "", keys[i],
			 json_string_value(json_object_get(query, keys[i])));
	unsigned char mac[32];
	crypto_hmac_sha256(secret, strlen(secret), msg.data ? msg.data : "", msg.len, mac);
	char *hex = crypto_hex(mac, sizeof(mac));
	char lower[65];
	for (int i = 0; i < 64; i++)
		lower[i] = (char)tolower((unsigned char)given[i]);
	lower[64] = '\0';
	int ok = crypto_memeq(hex, lower, 64);
	free(hex);
	buf_release(&msg);
	free(keys);
	return ok;
}

/* <name>.myshopify.com: a letter or digit, then letters, digits, hyphens. */
static int shopify_domain_ok(const char *shop)
{
	static const char suffix[] = ".myshopify.com";
	size_t n = shop ? strlen(shop) : 0, sl = sizeof(suffix) - 1;
	if (n <= sl || strcmp(shop + n - sl, suffix) != 0 || !isalnum((unsigned char)shop[0]))
		return 0;
	for (size_t i = 0; i < n - sl; i++)
		if (!isalnum((unsigned char)shop[i]) && shop[i] != '-')
			return 0;
	return 1;
}

/* How far the signed redirect's timestamp may be from our clock. Shopify's
 * docs name no window; its own library (@shopify/shopify-api, hmac-validator)
 * allows 90 s of clock skew. The redirect reaches us seconds after it is
 * signed, so the margin is for this machine's clock: a few minutes, as for
 * other signed timestamps (Slack, HubSpot: 5 min). */
#define SHOPIFY_REDIRECT_SKEW_S 300

/* The signed timestamp (unix seconds, digits only) within the window. */
static int shopify_timestamp_check(json_t *query, struct err *err)
{
	const char *ts = json_string_value(json_object_get(query, "timestamp"));
	long t = 0;
	if (!ts || !*ts || strspn(ts, "0123456789") != strlen(ts) || parse_long(ts, &t) < 0)
		return err_set(err, "refused the shopify redirect: it has no valid timestamp");
	long long off = now_s() - (long long)t;
	if (off > SHOPIFY_REDIRECT_SKEW_S || off < -SHOPIFY_REDIRECT_SKEW_S)
		return err_set(err,
			       "refused the shopify redirect: its timestamp is %lld s %s this "
			       "machine's clock (at most %d s allowed); if the clock is wrong, "
			       "set it right and connect again",
			       off < 0 ? -off : off, off < 0 ? "ahead of" : "behind",
			       SHOPIFY_REDIRECT_SKEW_S);
	return 0;
}

static int shopify_check_redirect(const struct oauth_hook_ctx *x, json_t *query, struct err *err)
{
	if (!x->app->client_secret)
		return err_set(err,
			       "shopify redirects are signed with the app's client secret: set "
			       "it with 'switchboard oauth-app set shopify --client-id ID "
			       "--client-secret-stdin'");
	if (!oauth_shopify_hmac_ok(query, x->app->client_secret))
		return err_set(err, "refused the shopify redirect: its hmac does not match (not "
				    "signed by Shopify with this app's client secret)");
	/* Signed, so the timestamp is Shopify's: an old one is a replay. */
	if (shopify_timestamp_check(query, err) < 0)
		return -1;
	const char *shop = json_string_value(json_object_get(query, "shop"));
	if (!shopify_domain_ok(shop))
		return err_set(err,
			       "refused the shopify redirect: shop '%s' is not a "
			       "<name>.myshopify.com domain",
			       shop ? shop : "");
	const char *want = connection_value(x->conn, "shop");
	if (want) {
		size_t wl = strlen(want);
		int same = strncasecmp(shop, want, wl) == 0 &&
			   (shop[wl] == '\0' || strcasecmp(shop + wl, ".myshopify.com") == 0);
		if (!same)
			return err_set(err,
				       "refused the shopify redirect: shop '%s' is not the "
				       "connection's shop '%s'",
				       shop, want);
	}
	return 0;
}

/* url with its scheme://host[:port] replaced by that of the connection's
 * base_url, when the connection sets one (a test server, a proxy, a
 * regional host). New string. */
static char *at_origin(const struct connection *conn, const char *url)
{
	const char *base = json_string_value(json_object_get(conn->config, "base_url"));
	const char *us = strstr(url, "://"), *bs = base ? strstr(base, "://") : NULL;
	if (!us || !bs)
		return xstrdup(url);
	size_t blen = (size_t)(bs + 3 - base) + strcspn(bs + 3, "/?#");
	const char *rest = us + 3 + strcspn(us + 3, "/?#");
	return xasprintf("%.*s%s", (int)blen, base, rest);
}

/* One request with the new access token (or a form body), the JSON answer
 * in *out (new). 0 or -1 with err. */
static int fetch_json(const struct oauth_hook_ctx *x, const char *method, const char *url,
		      json_t *form, json_t **out, struct err *err)
{
	int ret = -1;
	struct http_response resp = {0};
	struct buf body;
	buf_init(&body, 0);
	char *auth = NULL;
	if (!urlenc_allows_credentials(url))
		return err_set(err, "refusing to send %s credentials over plain http to '%s'",
			       x->c->slug, url);
	struct http_client *http = http_new(err);
	if (!http)
		return -1;
	const char *headers[4] = {"Accept: application/json", NULL, NULL, NULL};
	if (form) {
		urlenc_form(&body, NULL, form);
		headers[1] = "Content-Type: application/x-www-form-urlencoded";
	} else {
		auth = xasprintf("Authorization: Bearer %s",
				 connection_value(x->conn, "access_token"));
		headers[1] = auth;
	}
	struct http_request req = {.method = method,
				   .url = url,
				   .headers = headers,
				   .body = body.data,
				   .body_len = body.len,
				   .timeout_ms = 30000};
	if (http_perform(http, &req, &resp, err) < 0)
		goto out;
	json_error_t je;
	json_t *doc = json_loadb(resp.body, resp.body_len, 0, &je);
	if (resp.status >= 400 || !doc) {
		const char *code = json_string_value(json_object_get(doc, "error"));
		if (!code)
			code = json_string_value(json_object_get(doc, "message"));
		err_set(err, "%s %s answered HTTP %ld%s%s", x->c->slug, url, resp.status,
			code ? ": " : "", code ? code : "");
		json_decref(doc);
		goto out;
	}
	*out = doc;
	ret = 0;
out:
	if (auth)
		free_secret(auth);
	if (body.data)
		crypto_cleanse(body.data, body.len);
	buf_release(&body);
	http_response_release(&resp);
	http_free(http);
	return ret;
}

/* A string claim of a JWT's payload, or NULL when token is not a JWT or
 * lacks it. New string. The signature is NOT verified: the claim only
 * narrows which tenants we offer (the vendor still decides what the token
 * may reach), so a forged claim could at most hide tenants from the list. */
static char *jwt_claim(const char *token, const char *claim)
{
	const char *dot1 = token ? strchr(token, '.') : NULL;
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2 || dot2 - dot1 - 1 > 16384)
		return NULL;
	char *seg = xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	size_t n = 0;
	unsigned char *raw = crypto_unbase64(seg, &n);
	free(seg);
	if (!raw)
		return NULL;
	json_t *payload = json_loadb((const char *)raw, n, 0, NULL);
	crypto_cleanse(raw, n);
	free(raw);
	const char *v = json_string_value(json_object_get(payload, claim));
	char *out = v && *v ? xstrdup(v) : NULL;
	json_decref(payload);
	return out;
}

static const char *ptr_str(json_t *doc, const char *pointer)
{
	return json_string_value(jsonx_pointer(doc, pointer));
}

/* The method's "tenants": {url, items, id_pointer, name_pointer, param,
 * auth_event_claim, auth_event_param}. With the last two, the list is
 * filtered to this consent: Xero's access token is a JWT whose
 * authentication_event_id names the consent, and GET /connections?authEventId=
 * lists only the tenants authorised in it, not every one the user ever
 * connected to this app.
 * One tenant: keep it. Several: the user's --tenant (id or name) picks one;
 * without it we refuse and list them, because copies of one connection
 * would share one rotating refresh token, and the first refresh by any
 * copy would break the others. */
static int tenants_after_token(const struct oauth_hook_ctx *x, json_t *token, struct err *err)
{
	(void)token;
	const struct auth_tenants *spec = &x->method->tenants;
	const char *url = spec->url, *param = spec->param;
	if (!url || !param)
		return err_set(err, "%s uses the tenants hook without tenants.url and .param",
			       x->c->slug);
	char *where = at_origin(x->conn, url);
	const char *claim = spec->auth_event_claim, *qname = spec->auth_event_param;
	char *event =
		claim && qname ? jwt_claim(connection_value(x->conn, "access_token"), claim) : NULL;
	if (event) {
		struct buf b;
		buf_init(&b, 0);
		buf_adds(&b, where);
		json_t *v = json_string(event);
		urlenc_query(&b, qname, v);
		json_decref(v);
		free(where);
		where = buf_detach(&b);
		free(event);
	}
	json_t *doc = NULL;
	int ret = -1;
	if (fetch_json(x, "GET", where, NULL, &doc, err) < 0)
		goto out;
	json_t *items = jsonx_pointer(doc, spec->items);
	if (!items)
		items = doc;
	size_t i, n = 0;
	json_t *it, *chosen = NULL;
	struct buf names;
	buf_init(&names, 0);
	json_array_foreach(items, i, it) {
		const char *id = ptr_str(it, spec->id_pointer);
		const char *name = ptr_str(it, spec->name_pointer);
		if (!id)
			continue;
		n++;
		buf_addf(&names, "%s'%s' (%s)", n > 1 ? ", " : "", name ? name : "", id);
		if (x->tenant ? strcmp(x->tenant, id) == 0 ||
					(name && strcasecmp(x->tenant, name) == 0)
			      : n == 1)
			chosen = chosen ? chosen : it;
	}
	const char *list = names.data ? names.data : "";
	if (n == 0)
		err_set(err,
			"the %s authorization covers no organisation: connect again and "
			"pick one on the consent page",
			x->c->slug);
	else if (x->tenant && !chosen)
		err_set(err, "no %s organisation '%s' in this authorization; it covers: %s",
			x->c->slug, x->tenant, list);
	else if (!x->tenant && n > 1)
		err_set(err,
			"this %s authorization covers %zu organisations: %s; connect once per "
			"organisation, choosing it with --tenant ID_OR_NAME (and its own "
			"--name): switchboard connect %s --tenant ID_OR_NAME --name NAME",
			x->c->slug, n, list, x->c->slug);
	else {
		json_object_set_new(x->conn->config, param,
				    json_string(ptr_str(chosen, spec->id_pointer)));
		const char *tname = ptr_str(chosen, spec->name_pointer);
		if (tname)
			json_object_set_new(x->conn->config, "tenant_name", json_string(tname));
		ret = 0;
	}
	buf_release(&names);
out:
	json_decref(doc);
	free(where);
	return ret;
}

/* The method's "token_info": {url, extras: {name: pointer}}. When the token
 * response lacked any of the extras, POST the access token to the
 * introspection endpoint (RFC 7662 style: client_id, client_secret, token in
 * the form body, never the URL) and keep them in config. */
static int token_info_after_token(const struct oauth_hook_ctx *x, json_t *token, struct err *err)
{
	(void)token;
	json_t *extras = x->method->token_info.extras;
	const char *url = x->method->token_info.url;
	const char *k;
	json_t *v;
	int missing = 0;
	json_object_foreach(extras, k, v)
		missing |= !json_object_get(x->conn->config, k);
	if (!missing)
		return 0;
	if (!url)
		return err_set(err, "%s uses the token_info hook without token_info.url",
			       x->c->slug);
	json_t *form = json_pack("{s:s, s:s}", "token", connection_value(x->conn, "access_token"),
				 "token_type_hint", "access_token");
	json_object_set_new(form, "client_id", json_string(x->app->client_id));
	if (x->app->client_secret)
		json_object_set_new(form, "client_secret", json_string(x->app->client_secret));
	char *where = at_origin(x->conn, url);
	json_t *doc = NULL;
	int ret = fetch_json(x, "POST", where, form, &doc, err);
	json_decref(form);
	free(where);
	if (ret < 0)
		return -1;
	json_object_foreach(extras, k, v) {
		json_t *val = jsonx_pointer(doc, json_string_value(v));
		if (json_is_string(val))
			json_object_set_new(x->conn->config, k, json_copy(val));
		else if (json_is_integer(val))
			json_object_set_new(
				x->conn->config, k,
				json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(val)));
	}
	json_decref(doc);
	return 0;
}

static const struct oauth_hook hooks[] = {
	{"shopify_hmac", shopify_check_redirect, NULL},
	{"tenants", NULL, tenants_after_token},
	{"token_info", NULL, token_info_after_token},
};

const struct oauth_hook *oauth_hook_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (strcmp(hooks[i].name, name) == 0)
			return &hooks[i];
	return NULL;
}
