/* connect_page.c - the key form (fields of an auth method as HTML, their
 * checks and the store write) and the one-time loopback page that serves it
 * to the user's browser, so a key never passes through the model. */
#include "connect_page.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "schema.h"

#define MAX_FORM_FIELDS 64
#define MAX_FAILED_POSTS 5 /* then the page is given up */
#define DEFAULT_NAME "default"

enum phase { PHASE_WAITING, PHASE_DONE, PHASE_FAILED };

struct connect_page {
	pthread_mutex_t lock;
	enum phase phase;  /* under lock */
	int failures;      /* under lock */
	struct err result; /* under lock; set when PHASE_FAILED */
	const struct connector *c;
	const struct auth_method *method;
	json_t *preset;
	struct listener *l;
	long long deadline_ms;
	char *store_path, *name, *target, *token, *path, *csrf, *url;
};

static const char page_style[] =
	"body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.5 system-ui,-apple-system,"
	"'Segoe UI',Roboto,sans-serif}"
	"main{background:#fff;max-width:30rem;margin:2rem auto;padding:2rem 2.25rem;"
	"border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12),0 8px 24px rgba(0,0,0,.06)}"
	"h1{font-size:1.3rem;margin:0 0 .5rem}p{color:#57606a;margin:.4rem 0}"
	"label{display:block;margin:.9rem 0 .2rem;font-weight:600}"
	"input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #d0d7de;"
	"border-radius:6px;font:inherit}small{color:#57606a}"
	"button{margin-top:1.2rem;padding:.55rem 1.2rem;border:0;border-radius:6px;"
	"background:#1f6feb;color:#fff;font:inherit;cursor:pointer}"
	".error{color:#cf222e}.ok{color:#1a7f37}";

char *connect_token(struct err *err)
{
	unsigned char raw[32];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return NULL;
	char *t = crypto_base64(raw, sizeof(raw), 1);
	crypto_cleanse(raw, sizeof(raw));
	return t;
}

/* ---- the form ---- */

/* One field of the form from its declaration f; required as given (a param
 * asked for is required). */
static json_t *field_entry(const struct auth_field *f, int required)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:s, s:O}", "label", f->label ? f->label : f->name,
			 "description", f->description ? f->description : "", "secret", f->secret,
			 "required", required, "type", f->type ? f->type : "string", "schema",
			 f->schema);
}

json_t *connect_form_fields(const struct connector *c, const struct auth_method *m)
{
	json_t *out = json_object();
	/* What `connections add` asks at a terminal: the method's fields and
	 * the connector's required params without a default (a shop); not
	 * what it keeps for --set (base_url, an API version). */
	for (size_t i = 0; i < m->n_fields; i++)
		json_object_set_new(out, m->fields[i].name,
				    field_entry(&m->fields[i], m->fields[i].required));
	for (size_t i = 0; i < c->info->n_params; i++) {
		const struct auth_field *p = &c->info->params[i];
		if (json_object_get(out, p->name) || !p->required || p->has_default)
			continue;
		json_object_set_new(out, p->name, field_entry(p, 1));
	}
	return out;
}

int connect_key_based(const char *type)
{
	return type && strcmp(type, "oauth2") != 0 && strcmp(type, "none") != 0;
}

const struct auth_method *connect_default_method(struct store *st, const struct connector *c)
{
	const struct auth_method *m, *oauth = connector_auth_method(c, "oauth2");
	struct oauth_app *app = oauth && st ? store_get_oauth_app(st, c->slug, NULL) : NULL;
	oauth_app_free(app);
	if (app)
		return oauth;
	m = connector_auth_method(c, NULL);
	if (m && connect_key_based(m->type))
		return m;
	for (size_t i = 0; c->auth && i < c->auth->n_methods; i++)
		if (connect_key_based(c->auth->methods[i].type))
			return &c->auth->methods[i];
	return NULL;
}

int connect_useful(struct store *st, const struct registry *r, char **only)
{
	for (size_t i = 0; st && i < registry_count(r); i++) {
		const struct connector *c = registry_at(r, i);
		int listed = !only;
		for (char **p = only; p && *p && !listed; p++)
			listed = strcmp(*p, c->slug) == 0;
		if (!listed)
			continue;
		for (size_t k = 0; c->auth && k < c->auth->n_methods; k++) {
			const char *type = c->auth->methods[k].type;
			if (connect_key_based(type))
				return 1;
			if (type && strcmp(type, "oauth2") == 0) {
				struct oauth_app *app = store_get_oauth_app(st, c->slug, NULL);
				oauth_app_free(app);
				if (app)
					return 1;
			}
		}
	}
	return 0;
}

/* A form value for field name (entry from connect_form_fields, or NULL: a
 * plain setting such as base_url), typed by its declaration and checked
 * against it as `connections add` checks it. New, or NULL with err, which
 * never quotes a secret. */
static json_t *field_value(const struct connector *c, const char *name, json_t *entry,
			   const char *text, struct err *err)
{
	json_t *schema = json_object_get(entry, "schema");
	int secret = json_is_true(json_object_get(entry, "secret"));
	const char *type = json_string_value(json_object_get(schema, "type"));
	json_t *v = !secret && type &&
				    (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0 ||
				     strcmp(type, "boolean") == 0)
			    ? json_loads(text, JSON_DECODE_ANY, NULL)
			    : json_string(text);
	if (!v) {
		err_set(err, secret ? "the value given for '%s' is not text" : "%s takes %s %s",
			name, type ? "a" : "UTF-8", type ? type : "text");
		return NULL;
	}
	if (!schema)
		return v;
	struct err e;
	err_init(&e);
	if (schema_validate(schema, v, &e) == 0)
		return v;
	const char *label = json_string_value(json_object_get(entry, "label"));
	if (secret)
		err_set(err, "the value given for %s does not have the expected form: %s", label,
			json_string_value(json_object_get(entry, "description")));
	else
		err_set(err, "%s of %s: %s", label, c->slug, e.msg);
	if (secret)
		store_secrets_free(v);
	else
		json_decref(v);
	return NULL;
}

/* Check text for field name and put it into secrets or config. */
static int field_put(const struct connector *c, const char *name, json_t *entry, const char *text,
		     json_t *config, json_t *secrets, struct err *err)
{
	int secret = json_is_true(json_object_get(entry, "secret"));
	if (secret)
		log_add_secret(text);
	json_t *v = field_value(c, name, entry, text, err);
	if (!v)
		return -1;
	if (secret) {
		json_t *old = json_object_get(secrets, name);
		json_incref(old); /* dropped (and wiped) just below */
		json_object_set_new(secrets, name, v);
		store_secrets_free(old);
	} else {
		json_object_set_new(config, name, v);
	}
	return 0;
}

char *connect_form_html(const struct connector *c, const struct auth_method *m, const char *action,
			const char *csrf, json_t *preset, const char *name)
{
	json_t *fields = connect_form_fields(c, m), *d;
	const char *k;
	char *a = html_escape(action), *t = html_escape(csrf);
	const char *type = m->type;
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b,
		 "<form method=post action=\"%s\" class=connect-form data-connector=\"%s\" "
		 "autocomplete=off><input type=hidden name=csrf value=\"%s\">"
		 "<input type=hidden name=auth value=\"%s\">",
		 a, c->slug, t, type ? type : "");
	char *n = html_escape(name);
	if (name)
		buf_addf(&b, "<p>Connection <code>%s</code></p>", n);
	else
		buf_adds(&b, "<label for=f-name>Connection name</label>"
			     "<input id=f-name name=name value=\"" DEFAULT_NAME "\" "
			     "pattern=\"[A-Za-z0-9._-]{1,64}\" required>");
	free(n);
	json_object_foreach(fields, k, d) {
		const char *given = json_string_value(json_object_get(preset, k));
		int secret = json_is_true(json_object_get(d, "secret"));
		int required = json_is_true(json_object_get(d, "required"));
		char *label = html_escape(json_string_value(json_object_get(d, "label")));
		char *desc = html_escape(json_string_value(json_object_get(d, "description")));
		char *val = html_escape(given);
		buf_addf(&b,
			 "<label for=\"f-%s\">%s%s</label><input id=\"f-%s\" name=\"f_%s\" "
			 "type=%s%s%s%s%s><small>%s</small>",
			 k, label, required ? "" : " (optional)", k, k,
			 secret ? "password" : "text", required && !given ? " required" : "",
			 given ? " readonly value=\"" : "", given ? val : "", given ? "\"" : "",
			 desc);
		free(label);
		free(desc);
		free(val);
	}
	buf_adds(&b, "<button type=submit>Save connection</button></form>");
	free(a);
	free(t);
	json_decref(fields);
	return buf_detach(&b);
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9'   ? ch - '0'
	       : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
	       : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
					: -1;
}

/* Percent- and plus-decode s[0..n) into a new string; NULL when malformed
 * or when it holds a NUL byte. */
static char *form_unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				crypto_cleanse(out, n + 1); /* not terminated yet */
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

json_t *connect_form_decode(const char *body, size_t len)
{
	json_t *out = json_object();
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		const char *eq = memchr(body + i, '=', end - i);
		char *k = form_unescape(body + i, (size_t)((eq ? eq : body + end) - (body + i)));
		char *v = eq ? form_unescape(eq + 1, (size_t)(body + end - eq - 1)) : xstrdup("");
		json_t *js = v ? json_string(v) : NULL; /* NULL when not UTF-8 */
		free_secret(v);
		if (!k || !js || json_object_size(out) >= MAX_FORM_FIELDS) {
			free(k);
			json_decref(js);
			store_secrets_free(out);
			return NULL;
		}
		if (*k)
			json_object_set_new(out, k, js);
		else
			json_decref(js);
		free(k);
		i = end + 1;
	}
	return out;
}

int connect_same_origin(const struct listen_request *req, int port)
{
	const char *host = json_string_value(json_object_get(req->headers, "host"));
	const char *origin = json_string_value(json_object_get(req->headers, "origin"));
	static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
	for (size_t i = 0; host && origin && i < sizeof(names) / sizeof(names[0]); i++) {
		char *want = xasprintf("%s:%d", names[i], port);
		int ok = strcmp(host, want) == 0 && strncmp(origin, "http://", 7) == 0 &&
			 strcmp(origin + 7, want) == 0;
		free(want);
		if (ok)
			return 1;
	}
	return 0;
}

/* Is the form's value for field k there and not empty? Borrowed or NULL. */
static const char *form_value(json_t *form, json_t *preset, const char *k)
{
	const char *v = json_string_value(json_object_get(preset, k));
	if (!v) {
		char *key = xasprintf("f_%s", k);
		v = json_string_value(json_object_get(form, key));
		free(key);
	}
	return v && *v ? v : NULL;
}

static int valid_name(const char *name)
{
	size_t n = name ? strlen(name) : 0, digits = 0;
	if (n == 0 || n > 64)
		return 0;
	for (const char *p = name; *p; p++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    *p))
			return 0;
		digits += *p >= '0' && *p <= '9';
	}
	return digits < n && strcmp(name, "env") != 0;
}

int connect_form_save(struct store *st, const struct connector *c, const struct auth_method *m,
		      const char *name, json_t *form, json_t *preset, char **target,
		      struct err *err)
{
	struct connection *conn = NULL;
	json_t *fields = connect_form_fields(c, m), *d;
	json_t *secrets = json_object();
	const char *k, *type = m->type;
	struct err e;
	int ret = -1;
	err_init(&e);
	if (!name)
		name = json_string_value(json_object_get(form, "name"));
	if (!valid_name(name)) {
		err_set(err, "the connection name takes 1 to 64 letters, digits, '.', '_' or '-' "
			     "(not only digits, not 'env')");
		goto out;
	}
	conn = store_get_connection(st, c->slug, name, 1, &e);
	if (!conn && err_is_set(&e)) {
		/* Its secrets cannot be opened: new ones are the fix. */
		err_init(&e);
		conn = store_get_connection(st, c->slug, name, 0, &e);
	}
	if (!conn) {
		conn = xcalloc(1, sizeof(*conn));
		conn->connector = xstrdup(c->slug);
		conn->name = xstrdup(name);
		conn->config = json_object();
	}
	if (!conn->config)
		conn->config = json_object();
	/* Settings stay; secrets that are not asked for here (a webhook
	 * signing secret given with --secret) stay too. */
	if (conn->secrets && conn->auth && type && strcmp(conn->auth, type) == 0) {
		json_t *v;
		json_object_foreach(conn->secrets, k, v)
			if (!json_object_get(fields, k))
				json_object_set_new(secrets, k, json_deep_copy(v));
	}
	json_object_foreach(fields, k, d) {
		const char *v = form_value(form, preset, k);
		if (!v) {
			if (json_is_true(json_object_get(d, "required")) &&
			    !(!json_is_true(json_object_get(d, "secret")) &&
			      json_object_get(conn->config, k)))
				err_set(err, "%s is required",
					json_string_value(json_object_get(d, "label")));
			continue;
		}
		if (field_put(c, k, d, v, conn->config, secrets, err) < 0)
			goto out;
	}
	/* Other settings given with the call: only base_url, as text. */
	json_object_foreach(preset, k, d) {
		if (!err_is_set(err) && !json_object_get(fields, k) && strcmp(k, "base_url") == 0 &&
		    json_is_string(d) &&
		    field_put(c, k, NULL, json_string_value(d), conn->config, secrets, err) < 0)
			goto out;
	}
	if (err_is_set(err))
		goto out;
	free(conn->auth);
	conn->auth = xstrdup(type ? type : "none");
	free(conn->status);
	conn->status = xstrdup("ok");
	free(conn->last_error);
	conn->last_error = NULL;
	store_secrets_free(conn->secrets);
	conn->secrets = secrets;
	secrets = NULL;
	if ((conn->id ? store_update_connection(st, conn, err)
		      : store_add_connection(st, conn, err)) < 0)
		goto out;
	*target = xasprintf("%s/%s", c->slug, conn->name);
	ret = 0;
out:
	store_secrets_free(secrets);
	connection_free(conn);
	json_decref(fields);
	return ret;
}

/* ---- the one-time page ---- */

static char *page(const struct connect_page *p, const char *body_html)
{
	const char *vendor = p->c->info->name;
	char *v = html_escape(vendor ? vendor : p->c->slug);
	char *out = xasprintf("<!doctype html><html lang=en><meta charset=utf-8>"
			      "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
			      "<title>Connect %s - switchboard</title><style>%s</style><body><main>"
			      "<h1>Connect %s</h1>%s</main></body></html>",
			      v, page_style, v, body_html);
	free(v);
	return out;
}

static char *form_page(const struct connect_page *p, const char *error)
{
	char *e = html_escape(error);
	char *form = connect_form_html(p->c, p->method, p->path, p->csrf, p->preset, p->name);
	char *inner = xasprintf("<p>Type the credentials here; switchboard seals them in its "
				"store on this computer. They never pass through your assistant."
				"</p>%s%s%s%s",
				error ? "<p class=error role=alert>" : "", error ? e : "",
				error ? "</p>" : "", form);
	char *out = page(p, inner);
	free(e);
	free(form);
	free(inner);
	return out;
}

static void answer(const struct connect_page *p, struct listen_response *resp, int status,
		   const char *html)
{
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	resp->body = page(p, html);
}

/* Runs on the listener's thread; logs nothing (see oauth_connect.c). */
static void on_request(const struct listen_request *req, struct listen_response *resp, void *ctx)
{
	struct connect_page *p = ctx;
	size_t n = strlen(p->path);
	if (strlen(req->path) != n || !crypto_memeq(req->path, p->path, n)) {
		resp->status = 404;
		resp->body = xstrdup("not found\n");
		return;
	}
	pthread_mutex_lock(&p->lock);
	enum phase phase = p->phase;
	if (phase == PHASE_WAITING && now_ms() >= p->deadline_ms)
		phase = PHASE_FAILED;
	pthread_mutex_unlock(&p->lock);
	if (phase != PHASE_WAITING) {
		answer(p, resp, 410,
		       phase == PHASE_DONE ? "<p>This page was used already: the connection is "
					     "saved. You can close this tab.</p>"
					   : "<p class=error>This page has expired. Ask your "
					     "assistant to start connecting again.</p>");
		return;
	}
	if (strcmp(req->method, "GET") == 0) {
		resp->status = 200;
		resp->content_type = "text/html; charset=utf-8";
		resp->body = form_page(p, NULL);
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		resp->status = 405;
		resp->body = xstrdup("method not allowed\n");
		return;
	}
	json_t *form = connect_form_decode(req->body, req->body_len);
	const char *csrf = json_string_value(json_object_get(form, "csrf"));
	if (!connect_same_origin(req, listen_port(p->l)) || !csrf ||
	    strlen(csrf) != strlen(p->csrf) || !crypto_memeq(csrf, p->csrf, strlen(csrf))) {
		store_secrets_free(form);
		resp->status = 403;
		resp->body = xstrdup("refused: not sent from this page\n");
		return;
	}
	struct err e;
	char *target = NULL;
	err_init(&e);
	struct store *st = store_open(p->store_path, &e);
	int ok = st &&
		 connect_form_save(st, p->c, p->method, p->name, form, p->preset, &target, &e) == 0;
	store_free(st);
	store_secrets_free(form);
	free(target);
	pthread_mutex_lock(&p->lock);
	if (ok)
		p->phase = PHASE_DONE;
	else if (++p->failures >= MAX_FAILED_POSTS) {
		p->phase = PHASE_FAILED;
		err_set(&p->result, "the connect page was given up after %d failed attempts",
			MAX_FAILED_POSTS);
	}
	pthread_mutex_unlock(&p->lock);
	if (ok) {
		char *t = html_escape(p->target);
		char *html = xasprintf("<p class=ok role=status>Connected: switchboard saved the "
				       "connection <code>%s</code>.</p><p>You can close this tab "
				       "and return to your assistant.</p>",
				       t);
		answer(p, resp, 200, html);
		free(html);
		free(t);
		return;
	}
	resp->status = 400;
	resp->content_type = "text/html; charset=utf-8";
	resp->body = form_page(p, e.msg);
}

struct connect_page *connect_page_start(struct store *st, const struct connect_page_opts *o,
					struct err *err)
{
	struct connect_page *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	err_init(&p->result);
	p->c = o->c;
	p->method = o->method;
	p->preset = o->preset ? json_deep_copy(o->preset) : NULL;
	p->name = xstrdup(o->name ? o->name : DEFAULT_NAME);
	p->target = xasprintf("%s/%s", o->c->slug, p->name);
	p->store_path = xstrdup(store_path(st));
	p->deadline_ms = now_ms() + CONNECT_PAGE_TTL_S * 1000LL;
	if (!valid_name(p->name)) {
		err_set(err,
			"invalid connection name '%s': 1 to 64 letters, digits, '.', '_' or "
			"'-'",
			p->name);
		goto fail;
	}
	if (!(p->token = connect_token(err)) || !(p->csrf = connect_token(err)))
		goto fail;
	p->path = xasprintf("/connect/%s", p->token);
	p->l = listen_start("127.0.0.1", 0, 64 << 10, 0, on_request, p, err);
	if (!p->l)
		goto fail;
	p->url = xasprintf("http://127.0.0.1:%d%s", listen_port(p->l), p->path);
	return p;
fail:
	connect_page_free(p);
	return NULL;
}

const char *connect_page_url(const struct connect_page *p)
{
	return p->url;
}

const char *connect_page_target(const struct connect_page *p)
{
	return p->target;
}

int connect_page_poll(struct connect_page *p, struct err *err)
{
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	if (p->phase == PHASE_DONE)
		rc = 1;
	else if (p->phase == PHASE_FAILED)
		rc = err_set(err, "%s", p->result.msg);
	else if (now_ms() >= p->deadline_ms)
		rc = err_set(err, "the connect page for %s expired unused", p->target);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void connect_page_free(struct connect_page *p)
{
	if (!p)
		return;
	listen_stop(p->l); /* first: no handler runs after this */
	pthread_mutex_destroy(&p->lock);
	json_decref(p->preset);
	free(p->store_path);
	free(p->name);
	free(p->target);
	free_secret(p->token);
	free_secret(p->csrf);
	free_secret(p->path);
	free_secret(p->url);
	free(p);
}
