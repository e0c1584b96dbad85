/* ui.c - the connectors page: cards of the registry's connectors with their
 * connections read from the store, forms that add a key connection or start
 * an OAuth flow (the same one as `switchboard connect`), and the Create
 * Connector form, which writes a connector file as `connectors create` does
 * (registry_create.c). Served on loopback
 * only, one request at a time on the listener's thread; the main thread
 * waits for a stop signal and tidies the OAuth flows. */
#include "ui.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connect_page.h"
#include "connector.h"
#include "crypto.h"
#include "listen.h"
#include "netaddr.h"
#include "oauth_connect.h"
#include "registry.h"
#include "registry_create.h"
#include "store.h"

#define DEFAULT_PORT 8790
#define MAX_TOKENS 64 /* page tokens kept; the oldest goes first */
#define TOKEN_TTL_MS (60 * 60 * 1000LL)
#define FLOW_TTL_MS (10 * 60 * 1000LL)

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* An OAuth flow the page started; its registry is its own, since the flow
 * borrows the connector. */
struct ui_flow {
	struct registry *r;
	struct oauth_connect *oc;
	long long deadline_ms;
	struct ui_flow *next;
};

struct ui {
	struct cli *cli;
	char *store_path;
	int port;
	pthread_mutex_t lock; /* guards tokens and flows */
	json_t *tokens;       /* token -> expiry (ms) */
	struct ui_flow *flows;
};

static const char style[] =
	"body{margin:0;background:#f4f5f7;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"
	"'Segoe UI',Roboto,sans-serif}header{background:#fff;border-bottom:1px solid #d0d7de;"
	"padding:1rem 2rem}h1{font-size:1.3rem;margin:0}main{padding:1rem 2rem}"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr));gap:1rem}"
	".card{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:1rem}"
	".top{display:flex;gap:.75rem;align-items:center}.mono{width:2.5rem;height:2.5rem;"
	"border-radius:8px;background:#e7ecf0;color:#57606a;display:flex;align-items:center;"
	"justify-content:center;font-weight:700;font-size:1.2rem}.card h2{font-size:1.05rem;"
	"margin:0}.muted{color:#57606a;font-size:.9rem}.badge{display:inline-block;font-size:."
	"75rem;"
	"padding:0 .45rem;border-radius:999px;border:1px solid #d0d7de;margin-left:.3rem}"
	".personal{background:#ddf4ff;border-color:#54aeff}.warn{background:#fff8c5;"
	"border-color:#d4a72c}.okb{background:#dafbe1;border-color:#4ac26b}"
	"ul{padding-left:1.1rem;margin:.5rem "
	"0}button,.button{display:inline-block;margin-top:.5rem;"
	"padding:.35rem .8rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;"
	"color:#fff;font:inherit;text-decoration:none;cursor:pointer}.secondary{background:#fff;"
	"color:#1f6feb}form.inline{display:inline}section.create{background:#fff;border:1px solid "
	"#d0d7de;border-radius:10px;padding:1rem;margin-top:2rem;max-width:40rem}label{display:"
	"block;margin:.6rem 0 .15rem;font-weight:600}input,select,textarea{width:100%;box-sizing:"
	"border-box;padding:.4rem;border:1px solid #d0d7de;border-radius:6px;font:inherit}"
	"label.check{font-weight:400;display:inline-block;margin-right:1rem}label.check input{"
	"width:auto}.notice{padding:.6rem 1rem;border-radius:8px;margin-bottom:1rem}"
	".notice.ok{background:#dafbe1}.notice.error{background:#ffebe9}";

/* ---- tokens ---- */

static char *token_new(struct ui *u)
{
	struct err e;
	err_init(&e);
	char *t = connect_token(&e);
	if (!t)
		return xstrdup("");
	pthread_mutex_lock(&u->lock);
	long long now = now_ms();
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(u->tokens, tmp, k, v)
		if (json_integer_value(v) < now)
			json_object_del(u->tokens, k);
	while (json_object_size(u->tokens) >= MAX_TOKENS) {
		const char *oldest = NULL;
		long long when = 0;
		json_object_foreach(u->tokens, k, v)
			if (!oldest || json_integer_value(v) < when)
				oldest = k, when = json_integer_value(v);
		json_object_del(u->tokens, oldest);
	}
	json_object_set_new(u->tokens, t, json_integer(now + TOKEN_TTL_MS));
	pthread_mutex_unlock(&u->lock);
	return t;
}

/* 1 when t is a token a page of ours carried, not expired. It stays valid
 * for the page's other forms (and the Back button) until it expires. */
static int token_valid(struct ui *u, const char *t)
{
	int ok = 0;
	if (!t)
		return 0;
	pthread_mutex_lock(&u->lock);
	json_t *v = json_object_get(u->tokens, t);
	ok = v && json_integer_value(v) >= now_ms();
	pthread_mutex_unlock(&u->lock);
	return ok;
}

/* ---- the cards ---- */

/* A button that connects c (connection name, or NULL for a new one) with
 * method m: a POST that starts OAuth, or a link to the key form. */
static void connect_button(struct buf *b, const struct connector *c, const struct auth_method *m,
			   const char *name, const char *csrf, const char *text, int secondary)
{
	const char *type = m->type;
	char *n = html_escape(name);
	if (strcmp(type, "oauth2") == 0)
		buf_addf(b,
			 "<form class=inline method=post action=\"/connect?connector=%s%s%s\">"
			 "<input type=hidden name=csrf value=\"%s\"><button class=\"%s\" "
			 "data-action=connect>%s</button></form>",
			 c->slug, name ? "&amp;name=" : "", name ? n : "", csrf,
			 secondary ? "secondary" : "", text);
	else
		buf_addf(b,
			 "<a class=\"button %s\" data-action=add "
			 "href=\"/add?connector=%s&amp;auth=%s%s%s\">"
			 "%s</a>",
			 secondary ? "secondary" : "", c->slug, type, name ? "&amp;name=" : "",
			 name ? n : "", text);
	free(n);
}

static void when_text(long long t, char *out, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, n, "never");
}

static void card(struct buf *b, struct store *st, const struct connector *c, const char *udir,
		 const char *csrf)
{
	const char *name = c->info->name, *cat = c->info->category;
	char *n = html_escape(name), *ct = html_escape(cat);
	char mono[8] = "?";
	if (name && name[0])
		snprintf(mono, sizeof(mono), "%c",
			 name[0] >= 'a' && name[0] <= 'z' ? name[0] - 32 : name[0]);
	char *mo = html_escape(mono);
	size_t ul = strlen(udir);
	int personal = c->path && strncmp(c->path, udir, ul) == 0 && c->path[ul] == '/';
	buf_addf(b,
		 "<article class=card id=\"card-%s\" data-slug=\"%s\"><div class=top>"
		 "<div class=mono aria-hidden=true>%s</div><div><h2>%s%s</h2>"
		 "<div class=muted>%s</div></div></div>",
		 c->slug, c->slug, mo, n,
		 personal ? "<span class=\"badge personal\" data-badge=personal>PERSONAL</span>"
			  : "",
		 ct);
	free(n);
	free(ct);
	free(mo);
	buf_adds(b, "<div class=muted>Auth: ");
	for (size_t i = 0; c->auth && i < c->auth->n_methods; i++) {
		const struct auth_method *m = &c->auth->methods[i];
		char *l = html_escape(m->label ? m->label : m->type);
		buf_addf(b, "%s<span data-auth=\"%s\">%s</span>", i ? ", " : "", m->type, l);
		free(l);
	}
	buf_adds(b, "</div>");
	struct connection **list = NULL;
	const struct auth_method *primary = connect_default_method(st, c);
	if (st && store_list_connections(st, c->slug, &list, NULL) == 0 && list && list[0]) {
		buf_adds(b, "<ul class=connections>");
		for (size_t k = 0; list[k]; k++) {
			struct connection *x = list[k];
			int bad = x->status && strcmp(x->status, "ok") != 0;
			int reconnect = x->status && strcmp(x->status, "needs_reconnect") == 0;
			char when[48];
			when_text(x->last_used_at, when, sizeof(when));
			char *xn = html_escape(x->name), *st_ = html_escape(x->status);
			char *xa = html_escape(x->auth ? x->auth : "none");
			buf_addf(
				b,
				"<li class=connection data-name=\"%s\" data-status=\"%s\"><b>%s</b>"
				"%s <span class=\"badge %s\">%s</span> <span class=muted>%s, last "
				"used %s</span>",
				xn, bad ? st_ : "ok", xn, x->is_default ? " (default)" : "",
				reconnect ? "warn"
				: bad     ? "warn"
					  : "okb",
				reconnect ? "Needs reconnecting"
				: bad     ? st_
					  : "Connected",
				xa, when);
			const struct auth_method *xm = connector_auth_method(c, x->auth);
			if (bad && xm && (strcmp(x->auth, "oauth2") != 0 || primary == xm))
				connect_button(b, c, xm, x->name, csrf, "Reconnect", 0);
			buf_adds(b, "</li>");
			free(xn);
			free(st_);
			free(xa);
		}
		buf_adds(b, "</ul>");
		if (primary)
			connect_button(b, c, primary, NULL, csrf, "+ Add Connection", 1);
	} else if (primary) {
		buf_adds(b, "<p class=muted data-state=unconnected>Not connected</p>");
		connect_button(b, c, primary, NULL, csrf, "Connect", 0);
	} else {
		buf_addf(b,
			 "<p class=muted>OAuth only: store an OAuth app first (switchboard "
			 "oauth-app set %s)</p>",
			 c->slug);
	}
	connections_free(list);
	buf_adds(b, "</article>");
}

static const char create_form[] =
	"<section class=create><h2>Create Connector</h2>"
	"<form method=post action=/connectors id=create-connector>"
	"<input type=hidden name=csrf value=\"%s\">"
	"<label for=c-name>Name</label><input id=c-name name=name required>"
	"<label for=c-slug>Slug</label><input id=c-slug name=slug pattern=\"[a-z][a-z0-9]{0,19}\" "
	"placeholder=\"from the name\">"
	"<label for=c-description>Description</label><input id=c-description name=description "
	"required>"
	"<label for=c-category>Category</label><input id=c-category name=category value=Other>"
	"<label for=c-domain>Domain</label><input id=c-domain name=domain placeholder=example.com>"
	"<label for=c-base>API base URL</label><input id=c-base name=base_url type=url required "
	"placeholder=\"https://api.example.com/v1\">"
	"<label for=c-visibility>Visibility</label><select id=c-visibility name=visibility>"
	"<option value=private>private</option><option value=public>public</option></select>"
	"<label for=c-icon>Icon URL</label><input id=c-icon name=icon_url type=url>"
	"<label>Auth methods</label>"
	"<label class=check><input type=checkbox name=auth_api_key value=1 checked> API key</label>"
	"<label class=check><input type=checkbox name=auth_bearer value=1> Bearer token</label>"
	"<label class=check><input type=checkbox name=auth_basic value=1> Username and "
	"password</label>"
	"<label for=c-entity>First entity</label><input id=c-entity name=entity value=items "
	"pattern=\"[a-z][a-z0-9_]*\">"
	"<label for=c-path>Its list path</label><input id=c-path name=entity_path value=/items>"
	"<button type=submit>Create connector</button></form>"
	"<script>(function(){var n=document.getElementById('c-name'),"
	"s=document.getElementById('c-slug'),t=false;s.addEventListener('input',function(){"
	"t=true});n.addEventListener('input',function(){if(!t)s.value=n.value.toLowerCase()"
	".replace(/[^a-z0-9]/g,'').replace(/^[0-9]+/,'').slice(0,20)})})()</script></section>";

static char *shell(const char *title, const char *body)
{
	return xasprintf("<!doctype html><html lang=en><meta charset=utf-8>"
			 "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
			 "<title>%s - switchboard</title><style>%s</style><body><header><h1>"
			 "<a href=/ style=\"color:inherit;text-decoration:none\">switchboard "
			 "connectors</a></h1></header><main>%s</main></body></html>",
			 title, style, body);
}

/* The main page, with a notice (ok or error, escaped here) or none. */
static char *main_page(struct ui *u, const char *notice, int ok)
{
	struct registry *r = cli_registry(u->cli);
	struct err e;
	err_init(&e);
	struct store *st = store_open(u->store_path, &e);
	char *csrf = token_new(u), *udir = registry_user_dir(), *nt = html_escape(notice);
	struct buf b;
	buf_init(&b, 0);
	if (notice)
		buf_addf(&b, "<div class=\"notice %s\" role=status id=notice>%s</div>",
			 ok ? "ok" : "error", nt);
	if (!st) {
		char *m = html_escape(e.msg);
		buf_addf(&b, "<div class=\"notice error\">%s</div>", m);
		free(m);
	}
	buf_adds(&b, "<div class=cards>");
	for (size_t i = 0; i < registry_count(r); i++)
		card(&b, st, registry_at(r, i), udir, csrf);
	buf_adds(&b, "</div>");
	buf_addf(&b, create_form, csrf);
	char *body = buf_detach(&b);
	char *out = shell("Connectors", body);
	free(body);
	free(csrf);
	free(udir);
	free(nt);
	store_free(st);
	registry_free(r);
	return out;
}

/* ---- actions ---- */

static const struct auth_method *key_method(const struct connector *c, const char *type)
{
	const struct auth_method *m = c ? connector_auth_method(c, type) : NULL;
	return m && connect_key_based(type) ? m : NULL;
}

static char *add_page(struct ui *u, const struct connector *c, const struct auth_method *m,
		      const char *name, const char *error)
{
	char *csrf = token_new(u);
	char *action = xasprintf("/add?connector=%s&auth=%s%s%s", c->slug, m->type,
				 name ? "&name=" : "", name ? name : "");
	char *form = connect_form_html(c, m, action, csrf, NULL, name);
	char *v = html_escape(c->info->name);
	char *er = html_escape(error);
	char *body = xasprintf("<section class=create><h2>%s %s</h2>%s%s%s%s<p><a href=/>Back"
			       "</a></p></section>",
			       name ? "Reconnect" : "Add a connection to", v,
			       error ? "<div class=\"notice error\" role=alert>" : "",
			       error ? er : "", error ? "</div>" : "", form);
	char *out = shell(v, body);
	free(csrf);
	free(action);
	free(form);
	free(v);
	free(er);
	free(body);
	return out;
}

static char *do_add(struct ui *u, json_t *query, json_t *form, int *status)
{
	struct registry *r = cli_registry(u->cli);
	const struct connector *c =
		registry_find(r, json_string_value(json_object_get(query, "connector")));
	const struct auth_method *m =
		key_method(c, json_string_value(json_object_get(query, "auth")));
	const char *name = json_string_value(json_object_get(query, "name"));
	char *out = NULL, *target = NULL;
	struct err e;
	err_init(&e);
	if (!m) {
		*status = 404;
		registry_free(r);
		return main_page(u, "no such connector or key-based auth method", 0);
	}
	struct store *st = store_open(u->store_path, &e);
	if (st && connect_form_save(st, c, m, name, form, NULL, &target, &e) == 0) {
		char *msg = xasprintf("Connected %s", target);
		out = main_page(u, msg, 1);
		free(msg);
	} else {
		*status = 400;
		out = add_page(u, c, m, name, e.msg);
	}
	store_free(st);
	free(target);
	registry_free(r);
	return out;
}

/* Start the OAuth flow of `switchboard connect` and send the browser on. */
static char *do_connect(struct ui *u, json_t *query, int *status)
{
	struct registry *r = cli_registry(u->cli);
	const struct connector *c =
		registry_find(r, json_string_value(json_object_get(query, "connector")));
	struct err e;
	err_init(&e);
	struct store *st = c ? store_open(u->store_path, &e) : NULL;
	struct oauth_connect_opts o = {c, json_string_value(json_object_get(query, "name")), NULL,
				       NULL, NULL};
	struct oauth_connect *oc = st ? oauth_connect_begin(st, &o, &e) : NULL;
	store_free(st);
	if (!oc) {
		registry_free(r);
		*status = 400;
		return main_page(u, c ? e.msg : "no such connector", 0);
	}
	struct ui_flow *f = xcalloc(1, sizeof(*f));
	f->r = r;
	f->oc = oc;
	f->deadline_ms = now_ms() + FLOW_TTL_MS;
	char *url = html_escape(oauth_connect_url(oc));
	char *body = xasprintf("<section class=create><h2>Opening the sign-in page</h2><p><a "
			       "id=authorize href=\"%s\">Continue to sign in</a></p></section>",
			       url);
	char *head = xasprintf("<meta http-equiv=refresh content=\"0;url=%s\">%s", url, body);
	char *out = shell("Connect", head);
	pthread_mutex_lock(&u->lock);
	f->next = u->flows;
	u->flows = f;
	pthread_mutex_unlock(&u->lock);
	free(url);
	free(body);
	free(head);
	return out;
}

static const char *form_str(json_t *form, const char *k)
{
	const char *v = json_string_value(json_object_get(form, k));
	return v && *v ? v : NULL;
}

/* The connector document the Create Connector form describes, with the
 * first entity it names. New, or NULL with err. */
static json_t *connector_doc(json_t *form, const char *created_by, struct err *err)
{
	struct registry_create rc = {
		.name = form_str(form, "name"),
		.slug = form_str(form, "slug"),
		.description = form_str(form, "description"),
		.category = form_str(form, "category"),
		.domain = form_str(form, "domain"),
		.visibility = form_str(form, "visibility"),
		.icon_url = form_str(form, "icon_url"),
		.base_url = form_str(form, "base_url"),
		.created_by = created_by,
		.methods = json_array(),
	};
	/* The page's key is sent as "Authorization: Bearer <key>". */
	struct registry_create_auth key = {.key_name = "Authorization",
					   .key_format = "Bearer {api_key}"};
	static const char *const types[] = {"api_key", "bearer", "basic"};
	char *slug = rc.slug ? xstrdup(rc.slug) : registry_create_slug(rc.name);
	json_t *doc = NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char *k = xasprintf("auth_%s", types[i]);
		if (form_str(form, k))
			json_array_append_new(rc.methods,
					      registry_create_method(types[i], slug, &key, err));
		free(k);
	}
	doc = registry_create_doc(&rc, err);
	const char *entity = form_str(form, "entity") ? form_str(form, "entity") : "items";
	const char *path = form_str(form, "entity_path") ? form_str(form, "entity_path") : "/items";
	if (doc)
		json_object_set_new(json_object_get(doc, "entities"), entity,
				    json_pack("{s:s, s:{s:{s:s, s:s}}}", "description",
					      "Items listed by this connector.", "actions", "list",
					      "method", "GET", "path", path));
	if (doc && registry_check_doc("the new connector", doc, err) < 0) {
		json_decref(doc);
		doc = NULL;
	}
	free(slug);
	json_decref(rc.methods);
	return doc;
}

/* Write the new connector where its visibility says: the user's folder, or
 * the shared one. 0 or -1 with err. */
static int write_connector(struct ui *u, json_t *doc, struct err *err)
{
	const char *slug = json_string_value(json_object_get(doc, "slug"));
	int shared = strcmp(json_string_value(json_object_get(doc, "visibility")), "public") == 0;
	char *dir = shared ? registry_shared_dir() : registry_user_dir(), *path = NULL,
	     *text = NULL;
	struct registry *r = cli_registry(u->cli);
	int ret = -1;
	if (registry_find(r, slug)) {
		err_set(err, "a connector with the slug '%s' exists already", slug);
		goto out;
	}
	if (mkdir_p(dir, shared ? 0755 : 0700, err) < 0)
		goto out;
	path = xasprintf("%s/%s.json", dir, slug);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	ret = write_file_atomic(path, text, strlen(text), shared ? 0644 : 0600, 0, err);
out:
	free(dir);
	free(path);
	free(text);
	registry_free(r);
	return ret;
}

static char *do_create(struct ui *u, json_t *form, int *status)
{
	struct err e;
	err_init(&e);
	json_t *doc = connector_doc(form, cli_user_name(), &e);
	char *out;
	if (doc && write_connector(u, doc, &e) == 0) {
		char *msg = xasprintf("Created connector %s",
				      json_string_value(json_object_get(doc, "slug")));
		out = main_page(u, msg, 1);
		free(msg);
	} else {
		*status = 400;
		out = main_page(u, e.msg, 0);
	}
	json_decref(doc);
	return out;
}

static void on_request(const struct listen_request *req, struct listen_response *resp, void *ctx)
{
	struct ui *u = ctx;
	resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
	int get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
	if (get && strcmp(req->path, "/") == 0) {
		resp->body = main_page(u, NULL, 0);
		return;
	}
	if (get && strcmp(req->path, "/add") == 0) {
		struct registry *r = cli_registry(u->cli);
		const struct connector *c = registry_find(
			r, json_string_value(json_object_get(req->query, "connector")));
		const struct auth_method *m =
			key_method(c, json_string_value(json_object_get(req->query, "auth")));
		if (m) {
			resp->body = add_page(
				u, c, m, json_string_value(json_object_get(req->query, "name")),
				NULL);
		} else {
			resp->status = 404;
			resp->body = main_page(u, "no such connector or key-based auth method", 0);
		}
		registry_free(r);
		return;
	}
	if (!post) {
		resp->status = get ? 404 : 405;
		resp->content_type = NULL;
		resp->body = xstrdup(get ? "not found\n" : "method not allowed\n");
		return;
	}
	/* Cross-site requests: another site's page may post here, but cannot
	 * set Origin to ours nor read a page's token. */
	json_t *form = connect_form_decode(req->body, req->body_len);
	if (!connect_same_origin(req, u->port) ||
	    !token_valid(u, json_string_value(json_object_get(form, "csrf")))) {
		store_secrets_free(form);
		resp->status = 403;
		resp->content_type = NULL;
		resp->body = xstrdup("refused: not sent from this page (origin or token)\n");
		return;
	}
	if (strcmp(req->path, "/add") == 0)
		resp->body = do_add(u, req->query, form, &resp->status);
	else if (strcmp(req->path, "/connect") == 0)
		resp->body = do_connect(u, req->query, &resp->status);
	else if (strcmp(req->path, "/connectors") == 0)
		resp->body = do_create(u, form, &resp->status);
	else {
		resp->status = 404;
		resp->body = main_page(u, "not found", 0);
	}
	store_secrets_free(form);
}

/* Flows whose browser came back, or that expired: free them. */
static void tidy_flows(struct ui *u, int all)
{
	pthread_mutex_lock(&u->lock);
	for (struct ui_flow **pp = &u->flows; *pp;) {
		struct ui_flow *f = *pp;
		struct err e;
		err_init(&e);
		int rc = oauth_connect_poll(f->oc, &e);
		if (!all && rc == 0 && now_ms() < f->deadline_ms) {
			pp = &f->next;
			continue;
		}
		if (rc > 0)
			fprintf(stderr, "switchboard: connected %s\n", oauth_connect_target(f->oc));
		else if (rc < 0)
			fprintf(stderr, "switchboard: connect %s: %s\n",
				oauth_connect_target(f->oc), e.msg);
		*pp = f->next;
		oauth_connect_free(f->oc);
		registry_free(f->r);
		free(f);
	}
	pthread_mutex_unlock(&u->lock);
}

static const char ui_usage[] = "usage: switchboard ui [--listen 127.0.0.1:PORT]\n";

int cli_ui(struct cli *cli, int argc, char **argv)
{
	char addr[64] = "127.0.0.1";
	int port = DEFAULT_PORT;
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--listen") == 0 && (v = cli_opt_value(&i, argc, argv))) {
			const char *colon = strrchr(v, ':');
			long p;
			size_t hl = colon ? (size_t)(colon - v) : 0;
			if (!colon || parse_long(colon + 1, &p) < 0 || p < 0 || p > 65535 ||
			    hl == 0 || hl >= sizeof(addr)) {
				fprintf(stderr,
					"switchboard: --listen takes ADDR:PORT, got '%s'\n%s", v,
					ui_usage);
				return 2;
			}
			snprintf(addr, sizeof(addr), "%.*s", (int)hl, v);
			if (addr[0] == '[' && addr[hl - 1] == ']')
				snprintf(addr, sizeof(addr), "%.*s", (int)hl - 2, v + 1);
			port = (int)p;
		} else {
			if (!v && strcmp(argv[i], "--listen") != 0)
				fprintf(stderr, "switchboard: unknown argument '%s'\n", argv[i]);
			fputs(ui_usage, stderr);
			return 2;
		}
	}
	struct netaddr na;
	const char *kind = netaddr_parse(addr, &na) ? netaddr_private(&na) : NULL;
	if (!kind || strncmp(kind, "loopback", 8) != 0) {
		fprintf(stderr,
			"switchboard: refusing to serve the connectors page on '%s': it "
			"has no sign-in, so only a loopback address (127.0.0.1, ::1) will do\n",
			addr);
		return 2;
	}
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	if (!st) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		return 1;
	}
	struct ui u = {cli, xstrdup(store_path(st)), 0, PTHREAD_MUTEX_INITIALIZER, json_object(),
		       NULL};
	store_free(st);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int ret = 1;
	struct listener *l = listen_start(addr, port, 64 << 10, 0, on_request, &u, &e);
	if (!l) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	u.port = listen_port(l);
	int v6 = strchr(addr, ':') != NULL;
	cli_print("http://%s%s%s:%d/\n", v6 ? "[" : "", addr, v6 ? "]" : "", u.port);
	fflush(NULL); /* the URL now, for whoever reads it from a pipe */
	fprintf(stderr, "switchboard: the connectors page is at the URL above; Ctrl-C stops it\n");
	while (!stopping) {
		struct timespec ts = {0, 200 * 1000 * 1000};
		nanosleep(&ts, NULL);
		tidy_flows(&u, 0);
	}
	ret = 0;
out:
	listen_stop(l);
	tidy_flows(&u, 1);
	json_decref(u.tokens);
	free(u.store_path);
	pthread_mutex_destroy(&u.lock);
	return ret;
}
