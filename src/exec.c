/* exec.c - one tool call: resolve the connection, build the vendor request
 * from the action (URL template, path/query/body parameters, headers, auth),
 * send it through http.c, and normalise the answer for a model. */
#include "exec.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "conns.h"
#include "crypto.h"
#include "hooks.h"
#include "log.h"
#include "store.h"

#define DEFAULT_TIMEOUT_MS 30000

struct exec_call {
	struct exec_env *env;
	const struct tool *tool;
	json_t *args;       /* owned copy, for the next page */
	struct connection *conn;
	json_t *pagination; /* borrowed; NULL unless a list */
	char *cursor;       /* the cursor this page was asked with */
	long limit;
	long long http_id;
	long max_items;     /* fetch pages until this many items (0: one page) */
	json_t *items;      /* items gathered over pages */
	int pages;
	int auth_retried;   /* one refresh and retry after a 401 */
	int idempotent;     /* the last request sent may be repeated safely */
	exec_done_fn done;
	exec_progress_fn progress;
	void *ctx;

	/* Hooks that run on a worker thread (mail). */
	const struct hook *hook;
	pthread_t thread;
	int cancelled;      /* guarded by jobs_lock */
	json_t *job_data;
	struct err job_err;
	struct exec_call *next_job;
};

json_t *exec_error_result(const char *message, json_t *details)
{
	json_t *r = json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text", message,
			      "isError", 1);
	if (details) {
		/* Structured details ride in the text too: some clients show only text. */
		char *d = json_dumps(details, JSON_COMPACT);
		char *full = xasprintf("%s\n%s", message, d);
		json_object_set_new(json_array_get(json_object_get(r, "content"), 0), "text",
				    json_string(full));
		free(d);
		free(full);
		json_decref(details);
	}
	return r;
}

static void req_release(struct exec_req *r)
{
	free(r->method);
	buf_release(&r->url);
	json_decref(r->headers);
	json_decref(r->auth_headers);
	json_decref(r->auth_query);
	if (r->body.data)
		crypto_cleanse(r->body.data, r->body.len);
	buf_release(&r->body);
}

static int unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void add_encoded(struct buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p) || (keep_slash && *p == '/')) {
			buf_add(b, p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_add(b, e, 3);
		}
	}
}

/* The fewest significant digits (15 to 17) that print d so it reads back
 * the same: 4.35 stays "4.35" where %.17g says 4.3499999999999996, which a
 * vendor parsing decimals may keep or refuse. */
static int real_digits(double d)
{
	for (int p = 15; p < 17; p++) {
		char s[40];
		snprintf(s, sizeof(s), "%.*g", p, d);
		if (strtod(s, NULL) == d)
			return p;
	}
	return 17;
}

/* The same for every real in a document, for json_dumps(JSON_REAL_PRECISION). */
static int doc_real_digits(json_t *v)
{
	int p = 15;
	if (json_is_real(v))
		return real_digits(json_real_value(v));
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			int q = doc_real_digits(x);
			p = q > p ? q : p;
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
		{
			int q = doc_real_digits(x);
			p = q > p ? q : p;
		}
	}
	return p;
}

char *exec_dump_json(json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
				     JSON_REAL_PRECISION(doc_real_digits(v)));
}

/* A scalar argument as the text a vendor expects in a URL or form. */
char *exec_scalar_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.*g", real_digits(json_real_value(v)), json_real_value(v));
	if (json_is_null(v))
		return xstrdup("");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

void exec_add_query(struct buf *url, const char *name, json_t *value)
{
	if (json_is_array(value)) {
		size_t i;
		json_t *v;
		json_array_foreach(value, i, v) exec_add_query(url, name, v);
		return;
	}
	char *text = exec_scalar_text(value);
	buf_adds(url, strchr(url->data, '?') ? "&" : "?");
	add_encoded(url, name, 0);
	buf_adds(url, "=");
	add_encoded(url, text, 0);
	free(text);
}

/* Stripe-style form encoding: metadata[k]=v, items[0][price]=p. */
void exec_add_form(struct buf *b, const char *prefix, json_t *v)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
		{
			char *key = prefix ? xasprintf("%s[%s]", prefix, k) : xstrdup(k);
			exec_add_form(b, key, x);
			free(key);
		}
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			char *key = xasprintf("%s[%zu]", prefix, i);
			exec_add_form(b, key, x);
			free(key);
		}
		return;
	}
	char *text = exec_scalar_text(v);
	if (b->len)
		buf_adds(b, "&");
	add_encoded(b, prefix, 0);
	buf_adds(b, "=");
	add_encoded(b, text, 0);
	free(text);
}

static int is_control_arg(const char *name)
{
	return strcmp(name, "connection") == 0 || strcmp(name, "limit") == 0 ||
	       strcmp(name, "cursor") == 0 || strcmp(name, "max_items") == 0 ||
	       strcmp(name, "fields") == 0;
}

/* Where an argument goes: its declaration's "in", else body for fields and
 * for writes, query for reads. */
static const char *arg_place(const struct tool *t, const char *name, json_t *decl)
{
	const char *in = json_string_value(json_object_get(decl, "in"));
	if (in)
		return in;
	const char *method = json_string_value(json_object_get(t->action_doc, "method"));
	if (json_object_get(t->action_doc, "graphql"))
		return "body";
	if (method && (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0 ||
		       strcmp(method, "HEAD") == 0))
		return "query";
	(void)name;
	return "body";
}

static const char *vendor_name(const char *name, json_t *decl)
{
	const char *as = json_string_value(json_object_get(decl, "as"));
	return as ? as : name;
}

static char *base_url(const struct connector *c, const struct connection *conn, struct err *err)
{
	const char *tmpl = conns_value(conn, "base_url");
	if (!tmpl)
		tmpl = json_string_value(json_object_get(c->doc, "base_url"));
	if (!tmpl)
		return err_set(err, "%s has no base URL; set base_url on the connection", c->slug),
		       NULL;
	char *url = auth_expand(c, conn, tmpl, err);
	if (url) {
		size_t n = strlen(url);
		while (n && url[n - 1] == '/')
			url[--n] = '\0';
	}
	return url;
}

int exec_url_allows_credentials(const char *url)
{
	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	/* The whole host must be loopback: "http://127.0.0.1@evil.example/" and
	 * "http://localhost.evil.example/" only start like it. */
	const char *h = url + 7;
	size_t n = strcspn(h, "/?#");
	if (memchr(h, '@', n))
		return 0;
	if (*h != '[')
		n = strcspn(h, ":/?#");
	else if (n >= 5 && strncmp(h, "[::1]", 5) == 0)
		return h[5] == '\0' || strchr(":/?#", h[5]) != NULL;
	else
		return 0;
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	/* 127.0.0.0/8 as a dotted quad. */
	int parts = 0;
	for (const char *p = h, *end = h + n; p < end; parts++) {
		long v = 0;
		const char *q = p;
		while (q < end && isdigit((unsigned char)*q) && q - p < 3)
			v = v * 10 + (*q++ - '0');
		if (q == p || v > 255 || (parts == 0 && v != 127))
			return 0;
		if (q < end && *q != '.')
			return 0;
		p = q < end ? q + 1 : q;
		if (q < end && p == end)
			return 0; /* a trailing dot */
	}
	return parts == 4;
}

static int same_origin(const char *a, const char *b)
{
	/* scheme://host[:port] prefix of a must equal b's. */
	const char *p = strstr(a, "://");
	if (!p)
		return 0;
	const char *end = strchr(p + 3, '/');
	size_t n = end ? (size_t)(end - a) : strlen(a);
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/' || b[n] == '?');
}

void exec_add_header(json_t *headers, const char *name, const char *value)
{
	char *h = xasprintf("%s: %s", name, value);
	json_array_append_new(headers, json_string(h));
	free(h);
}

/* The standard request shape: path parameters, query, paging and body from
 * the action's declaration. r->url holds the base URL. */
static int build_standard(const struct tool *t, json_t *args, struct exec_req *r,
			  struct err *err)
{
	const struct connector *c = t->connector;
	json_t *action = t->action_doc;
	json_t *params = json_object_get(action, "params");
	json_t *pg = t->is_list ? connector_pagination(c, action) : NULL;
	const char *style = pg ? json_string_value(json_object_get(pg, "style")) : "none";
	const char *graphql = json_string_value(json_object_get(action, "graphql"));
	const char *cursor = json_string_value(json_object_get(args, "cursor"));
	int link_cursor = cursor && strcmp(style, "link") == 0;
	json_t *body = NULL;
	int ret = -1;

	if (link_cursor) {
		/* A Link-header cursor is the vendor's next URL: follow it only on
		 * the connection's own host. */
		if (!same_origin(r->url.data, cursor)) {
			err_set(err, "cursor is not a next-page URL of %s; pass next_cursor as "
				     "returned",
				c->slug);
			goto out;
		}
		buf_reset(&r->url);
		buf_adds(&r->url, cursor);
	} else {
		const char *path = json_string_value(json_object_get(action, "path"));
		for (const char *p = path ? path : ""; *p;) {
			const char *open = strchr(p, '{');
			const char *close = open ? strchr(open, '}') : NULL;
			if (!open || !close) {
				buf_adds(&r->url, p);
				break;
			}
			buf_add(&r->url, p, (size_t)(open - p));
			char *name = xstrndup(open + 1, (size_t)(close - open - 1));
			json_t *v = json_object_get(args, name);
			char *text = v ? exec_scalar_text(v) : NULL;
			int raw = json_is_true(json_object_get(json_object_get(params, name), "raw"));
			if (text && *text)
				add_encoded(&r->url, text, raw);
			else
				err_set(err, "missing path parameter '%s'", name);
			free(text);
			free(name);
			if (err_is_set(err))
				goto out;
			p = close + 1;
		}
	}

	/* Arguments into query, headers and body. */
	body = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(args, k, v)
	{
		if (is_control_arg(k))
			continue;
		json_t *decl = json_object_get(params, k);
		const char *in = arg_place(t, k, decl);
		if (strcmp(in, "query") == 0 && !link_cursor) {
			exec_add_query(&r->url, vendor_name(k, decl), v);
		} else if (strcmp(in, "header") == 0) {
			char *text = exec_scalar_text(v);
			int bad = strpbrk(text, "\r\n") != NULL;
			if (!bad)
				exec_add_header(r->headers, vendor_name(k, decl), text);
			free(text);
			if (bad) {
				err_set(err, "header argument '%s' contains a line break", k);
				goto out;
			}
		} else if (strcmp(in, "body") == 0) {
			json_object_set(body, vendor_name(k, decl), v);
		}
	}

	/* Declared constants the model need not send (QuickBooks sparse: true). */
	json_object_foreach(params, k, v)
	{
		json_t *cst = json_object_get(v, "const");
		if (!cst || json_object_get(args, k))
			continue;
		const char *in = arg_place(t, k, v);
		if (strcmp(in, "query") == 0)
			exec_add_query(&r->url, vendor_name(k, v), cst);
		else if (strcmp(in, "body") == 0)
			json_object_set(body, vendor_name(k, v), cst);
	}
	json_object_foreach(json_object_get(json_object_get(c->doc, "request"), "query"), k, v)
		exec_add_query(&r->url, k, v);

	/* Paging. */
	json_t *limit = json_object_get(args, "limit");
	if (!limit && pg && !graphql)
		limit = json_object_get(pg, "default_limit");
	const char *limit_param = json_string_value(json_object_get(pg, "limit_param"));
	const char *cursor_param = json_string_value(json_object_get(pg, "cursor_param"));
	if (pg && graphql) {
		json_t *lim = limit ? limit : json_object_get(pg, "default_limit");
		if (lim)
			json_object_set(body, limit_param ? limit_param : "first", lim);
		if (cursor)
			json_object_set_new(body, cursor_param ? cursor_param : "after",
					    json_string(cursor));
	} else if (pg && strcmp(style, "none") != 0 && !link_cursor) {
		if (limit && limit_param)
			exec_add_query(&r->url, limit_param, limit);
		if (cursor && cursor_param) {
			exec_add_query(&r->url, cursor_param, json_object_get(args, "cursor"));
		} else if (cursor_param && strcmp(style, "page") == 0) {
			/* Ask for page one explicitly: some vendors (Xero) answer
			 * everything, unpaged, when no page is given. */
			json_t *first = json_object_get(pg, "first");
			json_t *one = first ? json_incref(first) : json_integer(1);
			exec_add_query(&r->url, cursor_param, one);
			json_decref(one);
		}
	}

	/* The body. */
	json_t *req_conf = json_object_get(c->doc, "request");
	const char *encoding = json_string_value(json_object_get(action, "body_encoding"));
	if (!encoding)
		encoding = json_string_value(json_object_get(req_conf, "body"));
	const char *body_mode = json_string_value(json_object_get(action, "body"));
	int body_none = body_mode && strcmp(body_mode, "none") == 0 && json_object_size(body) == 0;
	int has_body = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
		       strcmp(r->method, "DELETE") != 0;
	if (graphql) {
		json_t *doc = json_pack("{s:s, s:O}", "query", graphql, "variables", body);
		char *text = exec_dump_json(doc);
		buf_adds(&r->body, text);
		free(text);
		json_decref(doc);
		exec_add_header(r->headers, "Content-Type", "application/json");
	} else if (has_body && !body_none &&
		   (json_object_size(body) || strcmp(encoding, "json") == 0)) {
		const char *wrap = json_string_value(json_object_get(action, "wrap"));
		json_t *payload = json_incref(body); /* dropped below */
		if (json_is_true(json_object_get(action, "wrap_array")))
			payload = json_pack("[o]", payload);
		if (wrap)
			payload = json_pack("{s:o}", wrap, payload);
		if (strcmp(encoding, "form") == 0) {
			exec_add_form(&r->body, NULL, payload);
			exec_add_header(r->headers, "Content-Type", "application/x-www-form-urlencoded");
		} else {
			char *text = exec_dump_json(payload);
			buf_adds(&r->body, text);
			free(text);
			exec_add_header(r->headers, "Content-Type", "application/json");
		}
		json_decref(payload);
	}
	ret = 0;
out:
	json_decref(body);
	return ret;
}

static int add_idempotency_key(json_t *idem, struct exec_req *r, struct err *err)
{
	unsigned char raw[16];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return -1;
	raw[6] = (raw[6] & 0x0f) | 0x40; /* a version 4 UUID */
	raw[8] = (raw[8] & 0x3f) | 0x80;
	char *hex = crypto_hex(raw, sizeof(raw));
	char *uuid = xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
			       hex + 20);
	const char *hname = json_string_value(json_object_get(idem, "header"));
	const char *qname = json_string_value(json_object_get(idem, "query"));
	if (hname)
		exec_add_header(r->headers, hname, uuid);
	if (qname) {
		json_t *u = json_string(uuid);
		exec_add_query(&r->url, qname, u);
		json_decref(u);
	}
	free(hex);
	free(uuid);
	r->idempotent = 1;
	return 0;
}

static int build(const struct tool *t, json_t *args, struct connection *conn,
		 struct exec_req *r, struct exec_call *call, struct err *err)
{
	const struct connector *c = t->connector;
	json_t *action = t->action_doc;
	json_t *req_conf = json_object_get(c->doc, "request");
	const char *k;
	json_t *v;

	r->headers = json_array();
	r->auth_headers = json_array();
	r->auth_query = json_object();
	buf_init(&r->url, 64 << 10);
	buf_init(&r->body, 0);
	const char *method = json_string_value(json_object_get(action, "method"));
	r->method = xstrdup(method ? method : "POST");

	char *base = base_url(c, conn, err);
	if (!base)
		return -1;
	buf_adds(&r->url, base);
	free(base);
	/* What page this is, for working out the next one. */
	json_t *pg = t->is_list ? connector_pagination(c, action) : NULL;
	json_t *limit = json_object_get(args, "limit");
	if (!limit)
		limit = json_object_get(pg, "default_limit");
	call->limit = limit ? (long)json_integer_value(limit) : 0;
	free(call->cursor);
	const char *cursor = json_string_value(json_object_get(args, "cursor"));
	call->cursor = cursor ? xstrdup(cursor) : NULL;

	const struct hook *hook = hook_find(json_string_value(json_object_get(action, "hook")));
	if (hook ? hook->build(t, args, conn, r, err) < 0 : build_standard(t, args, r, err) < 0)
		return -1;

	/* Headers: the connector's, the action's, then auth. */
	json_object_foreach(json_object_get(req_conf, "headers"), k, v)
	{
		char *value = auth_expand(c, conn, json_string_value(v), NULL);
		/* A header whose template names an unset optional parameter is
		 * left out (OpenAI-Organization when no organization is set). */
		if (value)
			exec_add_header(r->headers, k, value);
		free(value);
	}
	json_object_foreach(json_object_get(action, "headers"), k, v)
		exec_add_header(r->headers, k, json_string_value(v));
	const char *accept = json_string_value(json_object_get(req_conf, "accept"));
	exec_add_header(r->headers, "Accept", accept ? accept : "application/json");

	json_t *method_doc = connector_auth_method(c, conn->auth);
	const struct auth_handler *h = auth_find(conn->auth);
	if (!h || !method_doc)
		return err_set(err, "connection '%s' uses auth method '%s', which %s does not declare",
			       conn->name, conn->auth ? conn->auth : "?", c->slug);
	struct auth_out ao = {r->auth_headers, r->auth_query};
	if (h->apply(c, method_doc, conn, &ao, err) < 0)
		return -1;
	if ((json_array_size(r->auth_headers) || json_object_size(r->auth_query)) &&
	    !exec_url_allows_credentials(r->url.data))
		return err_set(err, "refusing to send %s credentials over plain http to a host that "
				    "is not this machine; use https",
			       c->slug);
	json_object_foreach(r->auth_query, k, v) exec_add_query(&r->url, k, v);
	/* A header argument may not stand in for the connection's credential
	 * (both would be sent, and the vendor might take either). */
	size_t i, j;
	json_t *a;
	json_array_foreach(r->headers, i, v)
	{
		const char *line = json_string_value(v);
		size_t n = strcspn(line, ":");
		json_array_foreach(r->auth_headers, j, a)
		{
			const char *ah = json_string_value(a);
			if (strcspn(ah, ":") == n && strncasecmp(line, ah, n) == 0)
				return err_set(err, "header '%.*s' is the connection's credential; "
						    "leave it out",
					       (int)n, line);
		}
	}

	/* Reads, PUT and DELETE may be retried; a POST only with a key the
	 * vendor dedupes on. */
	r->idempotent = strcmp(r->method, "POST") != 0 && strcmp(r->method, "PATCH") != 0;
	json_t *declared = json_object_get(action, "idempotent");
	/* A PUT that creates (Xero), a POST that only searches. GET and HEAD
	 * stay retriable whatever the action says: the generic HTTP action is
	 * declared non-idempotent for its writes, and its method is the model's. */
	int safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	if (declared && !safe)
		r->idempotent = json_is_true(declared);
	json_t *idem = json_object_get(req_conf, "idempotency");
	if (!r->idempotent && idem && !json_object_get(action, "graphql"))
		return add_idempotency_key(idem, r, err);
	return 0;
}

/* Resolve a JSON pointer; "/-1" picks an array's last element. Borrowed. */
static json_t *pointer_get(json_t *doc, const char *ptr)
{
	if (!ptr || !*ptr)
		return doc;
	char *copy = xstrdup(ptr), *save = NULL;
	json_t *cur = doc;
	for (char *tok = strtok_r(copy + 1, "/", &save); tok && cur;
	     tok = strtok_r(NULL, "/", &save)) {
		if (json_is_array(cur)) {
			long i;
			if (parse_long(tok, &i) < 0) {
				cur = NULL;
				break;
			}
			if (i < 0)
				i += (long)json_array_size(cur);
			cur = i >= 0 ? json_array_get(cur, (size_t)i) : NULL;
		} else {
			cur = json_object_get(cur, tok);
		}
	}
	free(copy);
	return cur;
}

/* rel="next" from a Link header: <url>; rel="next", ... New string or NULL. */
static char *link_next(const char *link)
{
	for (const char *p = link; p && *p;) {
		const char *lt = strchr(p, '<'), *gt = lt ? strchr(lt, '>') : NULL;
		if (!lt || !gt)
			return NULL;
		const char *end = strchr(gt, ',');
		size_t seg = end ? (size_t)(end - gt) : strlen(gt);
		char *params = xstrndup(gt, seg);
		int next = strstr(params, "rel=\"next\"") || strstr(params, "rel=next");
		free(params);
		if (next)
			return xstrndup(lt + 1, (size_t)(gt - lt - 1));
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static json_t *next_cursor(struct exec_call *call, json_t *body, json_t *items,
			   struct http_response *resp)
{
	json_t *pg = call->pagination;
	const char *style = json_string_value(json_object_get(pg, "style"));
	const char *next = json_string_value(json_object_get(pg, "next_cursor"));
	const char *more = json_string_value(json_object_get(pg, "has_more"));
	json_t *has_more = more ? pointer_get(body, more) : NULL;
	if (has_more && json_is_false(has_more))
		return NULL;
	if (strcmp(style, "link") == 0) {
		char *url = link_next(json_string_value(json_object_get(resp->headers, "link")));
		json_t *r = url ? json_string(url) : NULL;
		free(url);
		return r;
	}
	if (strcmp(style, "page") == 0 || strcmp(style, "offset") == 0 || strcmp(style, "query") == 0) {
		size_t n = json_array_size(items);
		if (n == 0 || (call->limit > 0 && n < (size_t)call->limit && !has_more))
			return NULL;
		long first = json_is_integer(json_object_get(pg, "first"))
				     ? (long)json_integer_value(json_object_get(pg, "first"))
				     : (strcmp(style, "offset") == 0 ? 0 : 1);
		long cur = first;
		if (call->cursor)
			parse_long(call->cursor, &cur);
		char *s = xasprintf("%ld", strcmp(style, "page") == 0 ? cur + 1 : cur + (long)n);
		json_t *r = json_string(s);
		free(s);
		return r;
	}
	json_t *v = NULL;
	if (next && strncmp(next, "$last.", 6) == 0) {
		json_t *last = json_array_get(items, json_array_size(items) - 1);
		v = last ? json_object_get(last, next + 6) : NULL;
	} else if (next) {
		v = pointer_get(body, next);
	}
	if (json_is_string(v) && *json_string_value(v))
		return json_incref(v);
	if (json_is_integer(v)) {
		char *t = exec_scalar_text(v); /* cursors are strings for the model */
		json_t *r = json_string(t);
		free(t);
		return r;
	}
	return NULL;
}

/* The first of one pointer or a list of pointers that resolves to a value. */
static json_t *pointer_first(json_t *doc, json_t *ptrs)
{
	if (json_is_string(ptrs))
		return pointer_get(doc, json_string_value(ptrs));
	size_t i;
	json_t *p;
	json_array_foreach(ptrs, i, p)
	{
		json_t *v = pointer_get(doc, json_string_value(p));
		if (v && !json_is_null(v) && !json_is_object(v) && !json_is_array(v))
			return v;
	}
	return NULL;
}

/* s with each of the connection's secret values replaced by "[redacted]":
 * vendors sometimes echo the credential they were sent. Exact values only,
 * so the vendor's words stay intact. New string. */
static char *redact_conn(const struct connection *conn, const char *s)
{
	char *out = xstrdup(s);
	const char *k;
	json_t *v;
	json_object_foreach(conn ? conn->secrets : NULL, k, v)
	{
		const char *sec = json_string_value(v);
		size_t sl = sec ? strlen(sec) : 0;
		if (sl < 6)
			continue;
		char *hit;
		while ((hit = strstr(out, sec)) != NULL) {
			char *next = xasprintf("%.*s[redacted]%s", (int)(hit - out), out, hit + sl);
			free(out);
			out = next;
		}
	}
	return out;
}

/* A vendor's words fit for a model: at most 500 bytes of valid UTF-8 on one
 * line, without a final period (ours follows), credentials redacted. New
 * string. */
static char *clean_message(const struct connection *conn, const char *s, size_t n)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < n && s[i] && b.len < 500; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\r' || ch == '\n' || ch == '\t')
			ch = ' ';
		if (ch == ' ' && (b.len == 0 || b.data[b.len - 1] == ' '))
			continue;
		buf_add(&b, &ch, 1);
	}
	while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '.'))
		b.data[--b.len] = '\0';
	/* A cut in the middle of a character, or a body that is not UTF-8. */
	json_t *ok = json_stringn(b.data ? b.data : "", b.len);
	while (!ok && b.len && ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80)
		b.data[--b.len] = '\0';
	if (!ok && b.len && (unsigned char)b.data[b.len - 1] >= 0xc0)
		b.data[--b.len] = '\0';
	if (!ok && !(ok = json_stringn(b.data ? b.data : "", b.len)))
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] >= 0x80)
				b.data[i] = '?';
	json_decref(ok);
	char *red = redact_conn(conn, b.data ? b.data : "");
	buf_release(&b);
	return red;
}

static json_t *vendor_error(struct exec_call *call, struct http_response *resp, json_t *body)
{
	const struct connector *c = call->tool->connector;
	json_t *errs = json_object_get(c->doc, "errors");
	json_t *msg = pointer_first(body, json_object_get(errs, "message"));
	json_t *code = pointer_first(body, json_object_get(errs, "code"));
	if (!msg && json_is_object(body))
		msg = json_object_get(body, "message");
	if (!msg && json_is_object(body) && json_is_string(json_object_get(body, "error")))
		msg = json_object_get(body, "error");
	/* A plain-text error body is the message (an HTML page is noise). */
	const char *ctype = json_string_value(json_object_get(resp->headers, "content-type"));
	char *vmsg = NULL;
	if (json_is_string(msg))
		vmsg = clean_message(call->conn, json_string_value(msg), json_string_length(msg));
	else if (!body && resp->body_len && ctype && strncasecmp(ctype, "text/plain", 10) == 0)
		vmsg = clean_message(call->conn, resp->body, resp->body_len);
	char *vcode = NULL;
	if (json_is_string(code) || json_is_integer(code)) {
		char *t = exec_scalar_text(code);
		vcode = clean_message(call->conn, t, strlen(t));
		free(t);
	}
	json_t *details = json_pack("{s:i}", "status", (json_int_t)resp->status);
	if (vcode && *vcode)
		json_object_set_new(details, "vendor_code", json_string(vcode));
	if (vmsg)
		json_object_set_new(details, "vendor_message", json_string(vmsg));
	if (resp->retry_after_s >= 0)
		json_object_set_new(details, "retry_after_s", json_integer(resp->retry_after_s));
	/* A small error body whole: the hint may point into it (error.param,
	 * Elements[].ValidationErrors, Fault.Error[].Detail). */
	char *dump = json_is_object(body) || json_is_array(body) ? exec_dump_json(body) : NULL;
	if (dump && strlen(dump) <= 2000) {
		char *red = redact_conn(call->conn, dump);
		json_t *copy = json_loads(red, JSON_DECODE_ANY, NULL);
		if (copy)
			json_object_set_new(details, "vendor_body", copy);
		free(red);
	}
	free(dump);
	const char *cname = json_string_value(json_object_get(c->doc, "name"));
	struct buf advice;
	buf_init(&advice, 0);
	long s = resp->status;
	/* Statuses the connector declares as rate limiting (Cin7 Core's 503). */
	int limited = s == 429;
	size_t ri;
	json_t *rs;
	json_array_foreach(json_object_get(json_object_get(c->doc, "rate_limit"), "statuses"), ri, rs)
		limited |= json_integer_value(rs) == s;
	if (limited && resp->retry_after_s > 0)
		buf_addf(&advice, " Rate limited: wait %ld seconds before calling again.",
			 resp->retry_after_s);
	else if (limited)
		buf_adds(&advice, " Rate limited: wait a minute before calling again.");
	else if (s == 401)
		buf_adds(&advice, " The credential was rejected: the user should check or reconnect "
				  "this connection (switchboard connections test).");
	else if (s == 403)
		buf_adds(&advice, " The credential lacks permission (scope) for this.");
	else if (s == 404)
		buf_adds(&advice, " Check the ids passed; the object may not exist in this account.");
	else if (s == 409)
		buf_adds(&advice, " Conflict: re-read the object and retry with fresh values.");
	else if (s == 422 || s == 400)
		buf_adds(&advice, " Fix the arguments named in the message and call again.");
	else if (s >= 500)
		buf_adds(&advice, " The vendor failed; try again later.");
	const char *hint = json_string_value(json_object_get(errs, "hint"));
	if (hint)
		buf_addf(&advice, " %s", hint);
	struct buf text;
	buf_init(&text, 0);
	buf_addf(&text, "%s answered HTTP %ld", cname, s);
	if (!vmsg && vcode) {
		buf_adds(&text, ": ");
		buf_adds(&text, vcode);
	}
	if (vmsg) {
		buf_adds(&text, ": ");
		buf_adds(&text, vmsg);
	}
	buf_adds(&text, ".");
	if (advice.data)
		buf_adds(&text, advice.data);
	json_t *r = exec_error_result(text.data, details);
	buf_release(&text);
	free(vmsg);
	free(vcode);
	buf_release(&advice);
	return r;
}

static void call_free(struct exec_call *call)
{
	json_decref(call->args);
	connection_free(call->conn);
	free(call->cursor);
	json_decref(call->items);
	json_decref(call->job_data);
	free(call);
}

static json_t *partial_result(struct exec_call *call, json_t *error);

static void finish(struct exec_call *call, json_t *result)
{
	exec_done_fn done = call->done;
	void *ctx = call->ctx;
	/* A gather that fails midway keeps the pages it has. */
	if (json_is_true(json_object_get(result, "isError")) && json_array_size(call->items))
		result = partial_result(call, result);
	call_free(call);
	done(result, ctx);
}

/* Keep only the named fields of an object, or of each object in an array. */
static json_t *select_fields(json_t *data, json_t *fields)
{
	if (!json_array_size(fields))
		return json_incref(data);
	if (json_is_array(data)) {
		json_t *out = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(data, i, v) json_array_append_new(out, select_fields(v, fields));
		return out;
	}
	if (!json_is_object(data))
		return json_incref(data);
	json_t *out = json_object();
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		json_t *v = json_object_get(data, json_string_value(f));
		if (v)
			json_object_set(out, json_string_value(f), v);
	}
	return out;
}

static json_t *success_result(json_t *structured)
{
	char *text = exec_dump_json(structured);
	json_t *r = json_pack("{s:[{s:s, s:s}], s:o}", "content", "type", "text", "text", text,
			      "structuredContent", structured);
	free(text);
	return r;
}


/* The items gathered before a later page failed, with the cursor of the page
 * that failed so the model can go on from there. Steals error. */
static json_t *partial_result(struct exec_call *call, json_t *error)
{
	const char *why = json_string_value(
		json_object_get(json_array_get(json_object_get(error, "content"), 0), "text"));
	/* The message's first line; its details follow on the next. */
	int n = why ? (int)strcspn(why, "\n") : 0;
	char *note = xasprintf("stopped after %d page%s: %.*s Call again with cursor to go on.",
			       call->pages, call->pages == 1 ? "" : "s", why ? n : 14,
			       why ? why : "a page failed.");
	json_t *out = json_pack("{s:o, s:b}", "data",
				select_fields(call->items, json_object_get(call->args, "fields")),
				"has_more", 1);
	json_t *cursor = json_object_get(call->args, "cursor");
	if (cursor)
		json_object_set(out, "next_cursor", cursor);
	json_object_set_new(out, "pages", json_integer(call->pages));
	json_object_set_new(out, "incomplete", json_string(note));
	free(note);
	json_decref(error);
	return success_result(out);
}

static int send_request(struct exec_call *call, struct err *err);

/* A checked answer: data (borrowed) and, for lists, the next cursor. */
static void deliver(struct exec_call *call, json_t *data, json_t *nc, int truncated)
{
	json_t *fields = json_object_get(call->args, "fields");
	if (call->pagination && call->max_items > 0) {
		/* Gathering pages: keep going while the model asked for more. */
		if (!call->items)
			call->items = json_array();
		if (json_is_array(data))
			json_array_extend(call->items, data);
		call->pages++;
		/* The last page may overshoot max_items; progress stops at total. */
		size_t got = json_array_size(call->items);
		if (got > (size_t)call->max_items)
			got = (size_t)call->max_items;
		if (call->progress)
			call->progress((double)got, (double)call->max_items, "items fetched",
				       call->ctx);
		if (nc && json_array_size(call->items) < (size_t)call->max_items) {
			struct err e;
			err_init(&e);
			json_object_set(call->args, "cursor", nc);
			json_decref(nc);
			if (send_request(call, &e) == 0)
				return;
			finish(call, exec_error_result(e.msg, NULL));
			return;
		}
		data = call->items;
	}
	json_t *out = json_pack("{s:o}", "data", select_fields(data, fields));
	if (call->pagination) {
		json_object_set_new(out, "has_more", json_boolean(nc != NULL));
		if (nc)
			json_object_set_new(out, "next_cursor", nc);
		if (call->pages > 1)
			json_object_set_new(out, "pages", json_integer(call->pages));
	}
	if (truncated)
		json_object_set_new(out, "truncated", json_true());
	finish(call, success_result(out));
}

/* Per-record write answers (Cin7 Omni): [{index, success, id, code,
 * errors[]}] with HTTP 200 even when records were refused. When any was,
 * finish the call with an error naming them and the ids that went through;
 * returns 1 then. */
static int records_failed(struct exec_call *call, json_t *body)
{
	json_t *list = json_is_array(body) ? body : NULL;
	size_t i, failed = 0;
	json_t *rec;
	json_array_foreach(list, i, rec)
		if (json_is_false(json_object_get(rec, "success")))
			failed++;
	if (!failed)
		return 0;
	json_t *bad = json_array(), *good = json_array();
	struct buf text;
	buf_init(&text, 4096);
	const char *cname = json_string_value(json_object_get(call->tool->connector->doc, "name"));
	buf_addf(&text, "%s refused %zu of %zu records:", cname, failed, json_array_size(list));
	json_array_foreach(list, i, rec)
	{
		if (!json_is_false(json_object_get(rec, "success"))) {
			json_t *id = json_object_get(rec, "id");
			if (id)
				json_array_append(good, id);
			continue;
		}
		json_array_append(bad, rec);
		json_t *errors = json_object_get(rec, "errors");
		const char *first = json_string_value(json_array_get(errors, 0));
		buf_addf(&text, " [record %zu] %s;", i, first ? first : "no reason given");
	}
	buf_adds(&text, " Fix those records and send only them again.");
	finish(call, exec_error_result(text.data ? text.data : "records refused",
				       json_pack("{s:o, s:o}", "failed", bad, "succeeded_ids", good)));
	buf_release(&text);
	json_decref(body);
	return 1;
}

/* Let the connection's auth handler refresh its credential (OAuth ahead of
 * expiry, or forced after a 401). 1 changed, 0 nothing to do, -1 failed
 * (err set when given). */
static int refresh_auth(struct exec_call *call, int force)
{
	const struct connector *c = call->tool->connector;
	const struct auth_handler *h = auth_find(call->conn->auth);
	if (!h || !h->refresh)
		return 0;
	struct err e;
	err_init(&e);
	int rc = h->refresh(c, connector_auth_method(c, call->conn->auth), call->env->store,
			    call->conn, force, &e);
	if (rc < 0)
		log_warn("%s", e.msg);
	return rc;
}

static void on_response(struct http_response *resp, void *ctx)
{
	struct exec_call *call = ctx;
	const struct connector *c = call->tool->connector;
	const char *cname = json_string_value(json_object_get(c->doc, "name"));
	if (resp->error == HTTP_ECANCELLED) {
		call_free(call);
		return;
	}
	if (resp->error != HTTP_OK) {
		const char *what = resp->error == HTTP_ETIMEOUT   ? "timed out"
				   : resp->error == HTTP_ECONNECT ? "could not be reached"
				   : resp->error == HTTP_ETLS	  ? "failed the TLS check"
				   : resp->error == HTTP_ERESET	  ? "dropped the connection"
								  : "failed";
		/* A write that was sent may have been applied before the answer
		 * was lost: a blind retry could do it twice. */
		int maybe_done = !call->idempotent && resp->error != HTTP_ECONNECT &&
				 resp->error != HTTP_ETLS;
		char *msg = xasprintf("%s %s (%s).%s Try again later; if it persists, check the "
				      "connection's base URL and the network.",
				      cname, what, resp->errmsg,
				      maybe_done ? " The change may or may not have been made: check "
						   "before sending it again."
						 : "");
		finish(call, exec_error_result(msg, json_pack("{s:s}", "error", what)));
		free(msg);
		return;
	}
	json_error_t je;
	/* Any JSON value: some vendors answer a bare true or "ok". */
	json_t *body = resp->body_len ? json_loadb(resp->body, resp->body_len, JSON_DECODE_ANY, &je)
				      : json_null();
	json_t *errs = json_object_get(c->doc, "errors");
	if (resp->status == 401 && !call->auth_retried && refresh_auth(call, 1) == 1) {
		/* The token was rejected and a new one was minted: once more. */
		struct err e;
		err_init(&e);
		call->auth_retried = 1;
		json_decref(body);
		if (send_request(call, &e) < 0)
			finish(call, exec_error_result(e.msg, NULL));
		return;
	}
	if (resp->status >= 400) {
		finish(call, vendor_error(call, resp, body));
		json_decref(body);
		return;
	}
	if (!body) {
		const char *ctype = json_string_value(json_object_get(resp->headers, "content-type"));
		/* Half a JSON document is no answer: say so rather than pass
		 * on a cut string. Cut text is still text (truncated: true). */
		char *msg = NULL;
		if (resp->truncated && (!ctype || strstr(ctype, "json")))
			msg = xasprintf("%s's answer is larger than the %zu-byte limit, so none of it "
					"is returned. Ask for less: a smaller limit (page size) or "
					"narrower filters.",
					cname, resp->body_len);
		else if (ctype && strstr(ctype, "json"))
			msg = xasprintf("%s answered HTTP %ld with invalid JSON (%zu bytes, at byte "
					"%d: %s). The vendor's answer is broken; try again later.",
					cname, resp->status, resp->body_len, je.position, je.text);
		if (msg) {
			json_t *d = json_pack("{s:i}", "status", (json_int_t)resp->status);
			if (resp->truncated)
				json_object_set_new(d, "size_limit_bytes",
						    json_integer((json_int_t)resp->body_len));
			finish(call, exec_error_result(msg, d));
			free(msg);
			return;
		}
		/* Plain text answers are data too. */
		body = json_stringn(resp->body, resp->body_len);
		if (!body)
			body = json_string("(binary response)");
	}
	const char *okp = json_string_value(json_object_get(errs, "ok_field"));
	json_t *ok = okp ? pointer_get(body, okp) : NULL;
	if (ok && json_is_false(ok)) {
		finish(call, vendor_error(call, resp, body));
		json_decref(body);
		return;
	}
	if (json_is_true(json_object_get(errs, "records")) && records_failed(call, body))
		return;
	if (json_is_true(json_object_get(errs, "graphql")) &&
	    json_array_size(json_object_get(body, "errors"))) {
		json_t *first = json_array_get(json_object_get(body, "errors"), 0);
		char *msg = xasprintf("%s GraphQL error: %s", cname,
				      json_string_value(json_object_get(first, "message")));
		finish(call, exec_error_result(msg, json_pack("{s:O}", "errors",
							      json_object_get(body, "errors"))));
		free(msg);
		json_decref(body);
		return;
	}
	json_t *user_errors =
		pointer_get(body, json_string_value(json_object_get(call->tool->action_doc,
								    "user_errors")));
	if (json_object_get(call->tool->action_doc, "user_errors") && json_array_size(user_errors)) {
		struct buf b;
		buf_init(&b, 4096);
		size_t i;
		json_t *ue;
		json_array_foreach(user_errors, i, ue)
		{
			char *field = json_dumps(json_object_get(ue, "field"), JSON_ENCODE_ANY | JSON_COMPACT);
			buf_addf(&b, "%s%s: %s", i ? "; " : "", field ? field : "null",
				 json_string_value(json_object_get(ue, "message")));
			free(field);
		}
		char *msg = xasprintf("%s refused the change: %s. Fix those fields and call again.",
				      cname, b.data ? b.data : "");
		finish(call, exec_error_result(msg, json_pack("{s:O}", "user_errors", user_errors)));
		free(msg);
		buf_release(&b);
		json_decref(body);
		return;
	}
	const char *rp = json_string_value(json_object_get(call->tool->action_doc, "result"));
	if (!rp && call->pagination)
		rp = json_string_value(json_object_get(call->pagination, "items"));
	json_t *data = pointer_get(body, rp);
	json_t *nc = call->pagination ? next_cursor(call, body, data, resp) : NULL;
	/* A list whose items key is absent is empty (QuickBooks leaves it out). */
	json_t *empty = !data && call->pagination && json_is_object(body) ? json_array() : NULL;
	deliver(call, data ? data : empty ? empty : body, nc, resp->truncated);
	json_decref(empty);
	json_decref(body);
}

static const char *const *header_array(json_t *a, json_t *b)
{
	size_t n = json_array_size(a) + json_array_size(b);
	const char **h = xcalloc(n + 1, sizeof(*h));
	size_t k = 0, i;
	json_t *v;
	json_array_foreach(a, i, v) h[k++] = json_string_value(v);
	json_array_foreach(b, i, v) h[k++] = json_string_value(v);
	return h;
}

static void req_wipe(struct exec_req *r)
{
	req_release(r);
	free(r->resolve);
	memset(r, 0, sizeof(*r));
}

/* Build and start the request for the call's current arguments. */
static int send_request(struct exec_call *call, struct err *err)
{
	const struct tool *t = call->tool;
	struct exec_env *env = call->env;
	struct exec_req r = {0};
	int ret = -1;
	if (build(t, call->args, call->conn, &r, call, err) < 0)
		goto out;
	const char *const *headers = header_array(r.headers, r.auth_headers);
	json_t *tmo = json_object_get(json_object_get(t->connector->doc, "request"), "timeout_ms");
	struct http_request hr = {
		.method = r.method,
		.url = r.url.data,
		.headers = headers,
		.body = r.body.len ? r.body.data : NULL,
		.body_len = r.body.len,
		.timeout_ms = env->timeout_ms ? env->timeout_ms
			      : tmo	      ? (long)json_integer_value(tmo)
					      : DEFAULT_TIMEOUT_MS,
		.max_body = env->max_body,
		.idempotent = r.idempotent,
		.resolve = r.resolve,
	};
	call->idempotent = r.idempotent;
	call->http_id = http_start(env->http, &hr, on_response, call, err);
	free((void *)headers);
	if (call->http_id > 0)
		ret = 0;
out:
	req_wipe(&r);
	return ret;
}

/* Worker-thread hooks: finished calls wait in a queue for exec_poll(). */
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct exec_call *jobs_running, *jobs_done;

static void *job_main(void *arg)
{
	struct exec_call *call = arg;
	json_t *data = NULL;
	err_init(&call->job_err);
	if (call->hook->run(call->tool, call->args, call->conn, &data, &call->job_err) == 0)
		call->job_data = data;
	pthread_mutex_lock(&jobs_lock);
	for (struct exec_call **p = &jobs_running; *p; p = &(*p)->next_job)
		if (*p == call) {
			*p = call->next_job;
			break;
		}
	call->next_job = jobs_done;
	jobs_done = call;
	struct http_client *http = call->env->http;
	pthread_mutex_unlock(&jobs_lock);
	http_wakeup(http);
	return NULL;
}

int exec_poll(struct exec_env *env)
{
	(void)env;
	pthread_mutex_lock(&jobs_lock);
	struct exec_call *done = jobs_done;
	jobs_done = NULL;
	int running = 0;
	for (struct exec_call *c = jobs_running; c; c = c->next_job)
		running++;
	pthread_mutex_unlock(&jobs_lock);
	while (done) {
		struct exec_call *call = done;
		done = call->next_job;
		pthread_join(call->thread, NULL);
		if (call->cancelled) {
			call_free(call);
		} else if (call->job_data) {
			/* A list hook answers {data, next_cursor?}; others just data. */
			json_t *jd = call->job_data;
			int paged = call->pagination && json_is_object(jd) && json_object_get(jd, "data");
			json_t *data = json_incref(paged ? json_object_get(jd, "data") : jd);
			json_t *nc = paged ? json_object_get(jd, "next_cursor") : NULL;
			nc = json_is_string(nc) ? json_incref(nc) : NULL; /* stolen by deliver */
			call->max_items = 0; /* a hook pages itself */
			deliver(call, data, nc, 0);
			json_decref(data);
		} else {
			char *msg = xasprintf("%s", call->job_err.msg);
			finish(call, exec_error_result(msg, NULL));
			free(msg);
		}
	}
	return running;
}

void exec_shutdown(void)
{
	for (;;) {
		pthread_mutex_lock(&jobs_lock);
		int running = jobs_running != NULL;
		struct exec_call *done = jobs_done;
		jobs_done = NULL;
		pthread_mutex_unlock(&jobs_lock);
		while (done) {
			struct exec_call *call = done;
			done = call->next_job;
			pthread_join(call->thread, NULL);
			call_free(call);
		}
		if (!running)
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

struct exec_call *exec_start(struct exec_env *env, const struct tool *t, json_t *args,
			     exec_done_fn done, exec_progress_fn progress, void *ctx)
{
	struct err e;
	err_init(&e);
	struct exec_call *call = xcalloc(1, sizeof(*call));
	call->env = env;
	call->tool = t;
	call->done = done;
	call->progress = progress;
	call->ctx = ctx;
	call->args = json_deep_copy(args);
	call->pagination = t->is_list ? connector_pagination(t->connector, t->action_doc) : NULL;
	json_t *max = json_object_get(args, "max_items");
	call->max_items = max ? (long)json_integer_value(max) : 0;
	const char *hook_name = json_string_value(json_object_get(t->action_doc, "hook"));
	call->hook = hook_find(hook_name);
	if (hook_name && !call->hook) {
		err_set(&e, "%s is not available in this build: hook '%s' is missing", t->name,
			hook_name);
		goto fail;
	}
	call->conn = conns_resolve(env->store, t->connector,
				   json_string_value(json_object_get(args, "connection")), &e);
	if (!call->conn)
		goto fail;
	if (call->hook && call->hook->run) {
		pthread_mutex_lock(&jobs_lock);
		call->next_job = jobs_running;
		jobs_running = call;
		int rc = pthread_create(&call->thread, NULL, job_main, call);
		if (rc != 0)
			jobs_running = call->next_job;
		pthread_mutex_unlock(&jobs_lock);
		if (rc != 0) {
			err_set(&e, "cannot start a worker thread: %s", strerror(rc));
			goto fail;
		}
	} else {
		const struct auth_handler *h = auth_find(call->conn->auth);
		if (h && h->refresh &&
		    h->refresh(t->connector, connector_auth_method(t->connector, call->conn->auth),
			       env->store, call->conn, 0, &e) < 0)
			goto fail;
		if (send_request(call, &e) < 0)
			goto fail;
	}
	/* last_used is shown to people in minutes: one write a minute is enough,
	 * and spares every call a write transaction. */
	if (env->store && call->conn->id && call->conn->last_used_at < now_s() - 60)
		store_touch_connection(env->store, call->conn->id);
	return call;
fail:
	call_free(call);
	done(exec_error_result(e.msg, NULL), ctx);
	return NULL;
}

void exec_cancel(struct exec_call *call)
{
	if (!call)
		return;
	if (call->hook && call->hook->run) {
		/* The worker cannot be interrupted; its result is dropped. */
		pthread_mutex_lock(&jobs_lock);
		call->cancelled = 1;
		pthread_mutex_unlock(&jobs_lock);
		return;
	}
	/* on_response sees HTTP_ECANCELLED and frees the call silently. */
	http_cancel(call->env->http, call->http_id);
}

json_t *exec_dry_run(struct exec_env *env, const struct tool *t, json_t *args, struct err *err)
{
	struct exec_call call = {0};
	struct exec_req r = {0};
	json_t *out = NULL;
	struct connection *conn = conns_resolve(env->store, t->connector,
						json_string_value(json_object_get(args, "connection")),
						err);
	if (!conn)
		return NULL;
	const struct hook *hook = hook_find(json_string_value(json_object_get(t->action_doc, "hook")));
	if (hook && hook->run) {
		err_set(err, "%s does not make an HTTP request; nothing to show", t->name);
	} else if (build(t, args, conn, &r, &call, err) == 0) {
		json_t *headers = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(r.headers, i, v) json_array_append(headers, v);
		json_array_foreach(r.auth_headers, i, v)
		{
			const char *h = json_string_value(v);
			const char *colon = strchr(h, ':');
			char *red = xasprintf("%.*s: [redacted]", (int)(colon - h), h);
			json_array_append_new(headers, json_string(red));
			free(red);
		}
		char *url = log_redact(r.url.data);
		out = json_pack("{s:s, s:s, s:o, s:s%, s:s}", "method", r.method, "url", url,
				"headers", headers, "body", r.body.data ? r.body.data : "",
				r.body.len, "connection", conn->name);
		free(url);
	}
	free(call.cursor);
	req_wipe(&r);
	connection_free(conn);
	return out;
}
