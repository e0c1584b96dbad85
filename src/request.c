/* request.c - the vendor request of a tool call: the URL from the action's
 * path template, arguments placed in path, query, headers or body, paging,
 * connector headers and the connection's credentials. */
#include "request.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "conns.h"
#include "crypto.h"
#include "hooks.h"
#include "jsonx.h"
#include "urlenc.h"

void request_release(struct request *r)
{
	free(r->method);
	buf_release(&r->url);
	json_decref(r->headers);
	json_decref(r->auth_headers);
	json_decref(r->auth_query);
	if (r->body.data)
		crypto_cleanse(r->body.data, r->body.len);
	buf_release(&r->body);
	free(r->resolve);
	free(r->dry_run_note);
	memset(r, 0, sizeof(*r));
}

/* Is text, as a path value, a dot segment ("." or "..", or one of its
 * segments when slashes are kept)? Such a value is not encoded (dots are
 * unreserved), and a server (or any client that normalises) removes it with
 * the segment before: DELETE /v1/customers/.. is DELETE /v1/. */
static int dot_segment(const char *text, int keep_slash)
{
	for (const char *p = text;;) {
		size_t n = keep_slash ? strcspn(p, "/") : strlen(p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* Make url what goes on the wire, so a dry run shows exactly that: the
 * fragment is never sent, and bytes outside printable ASCII are sent
 * percent-encoded (libcurl would encode them itself). */
static void wire_url(struct buf *url)
{
	static const char hex[] = "0123456789ABCDEF";
	char *hash = memchr(url->data, '#', url->len);
	if (hash) {
		url->len = (size_t)(hash - url->data);
		url->data[url->len] = '\0';
	}
	size_t i = 0;
	while (i < url->len && (unsigned char)url->data[i] > 0x20 &&
	       (unsigned char)url->data[i] < 0x7f)
		i++;
	if (i == url->len)
		return;
	struct buf out;
	buf_init(&out, 0);
	for (const unsigned char *p = (const unsigned char *)url->data; *p; p++) {
		if (*p > 0x20 && *p < 0x7f) {
			buf_add(&out, p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_add(&out, e, 3);
		}
	}
	buf_release(url);
	*url = out;
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

char *request_base_url(const struct connector *c, const struct connection *conn, struct err *err)
{
	const char *tmpl = conns_value(conn, "base_url");
	if (!tmpl)
		tmpl = json_string_value(json_object_get(c->doc, "base_url"));
	if (!tmpl)
		return err_set(err, "%s has no base URL; set base_url on the connection", c->slug),
		       NULL;
	char *url = conns_expand(c, conn, tmpl, err);
	if (url) {
		size_t n = strlen(url);
		while (n && url[n - 1] == '/')
			url[--n] = '\0';
	}
	return url;
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

/* The standard request shape: path parameters, query, paging and body from
 * the action's declaration. r->url holds the base URL. */
/* One form-data part per scalar, objects flattened with brackets like form
 * encoding (expires_after[seconds]). */
static void add_parts(struct buf *b, const char *boundary, const char *prefix, json_t *v)
{
	if (json_is_object(v) || json_is_array(v)) {
		const char *k;
		json_t *x;
		size_t i;
		if (json_is_object(v)) {
			json_object_foreach(v, k, x) {
				char *key = prefix ? xasprintf("%s[%s]", prefix, k) : xstrdup(k);
				add_parts(b, boundary, key, x);
				free(key);
			}
		} else {
			json_array_foreach(v, i, x) {
				char *key = xasprintf("%s[%zu]", prefix, i);
				add_parts(b, boundary, key, x);
				free(key);
			}
		}
		return;
	}
	char *text = urlenc_scalar_text(v);
	buf_addf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", boundary,
		 prefix);
	buf_adds(b, text);
	buf_adds(b, "\r\n");
	free(text);
}

static int part_name_ok(const char *s)
{
	return s && *s && !strpbrk(s, "\"\r\n\\");
}

/* multipart/form-data (OpenAI file uploads): the action's "multipart.file"
 * names the part and the arguments holding the file's content and name;
 * every other body argument is a part of its own. */
static int multipart_body(json_t *action, json_t *body, struct request *r, struct err *err)
{
	json_t *file = json_object_get(json_object_get(action, "multipart"), "file");
	const char *part = json_string_value(json_object_get(file, "part"));
	const char *content_arg = json_string_value(json_object_get(file, "content"));
	const char *name_arg = json_string_value(json_object_get(file, "filename"));
	const char *ctype = json_string_value(json_object_get(file, "content_type"));
	const char *content =
		json_string_value(json_object_get(body, content_arg ? content_arg : ""));
	const char *filename = json_string_value(json_object_get(body, name_arg ? name_arg : ""));
	if (file && (!content || !part_name_ok(filename)))
		return err_set(err,
			       "a file upload needs '%s' and a '%s' without quotes or line "
			       "breaks",
			       content_arg ? content_arg : "content",
			       name_arg ? name_arg : "filename");
	unsigned char raw[12];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return -1;
	char *hex = crypto_hex(raw, sizeof(raw));
	char *boundary = xasprintf("switchboard-%s", hex);
	free(hex);
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v) {
		if (file && ((content_arg && strcmp(k, content_arg) == 0) ||
			     (name_arg && strcmp(k, name_arg) == 0)))
			continue;
		add_parts(&r->body, boundary, k, v);
	}
	if (file) {
		buf_addf(&r->body,
			 "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
			 "Content-Type: %s\r\n\r\n",
			 boundary, part ? part : "file", filename,
			 ctype ? ctype : "application/octet-stream");
		buf_adds(&r->body, content);
		buf_adds(&r->body, "\r\n");
	}
	buf_addf(&r->body, "--%s--\r\n", boundary);
	char *h = xasprintf("multipart/form-data; boundary=%s", boundary);
	urlenc_header(r->headers, "Content-Type", h);
	free(h);
	free(boundary);
	return 0;
}

static int build_standard(const struct tool *t, json_t *args, struct request *r, struct err *err)
{
	const struct connector *c = t->connector;
	json_t *action = t->action_doc;
	json_t *params = json_object_get(action, "params");
	json_t *pg = t->is_list ? connector_pagination(c, action) : NULL;
	const char *style = pg ? json_string_value(json_object_get(pg, "style")) : "none";
	const char *graphql = json_string_value(json_object_get(action, "graphql"));
	const char *cursor = json_string_value(json_object_get(args, "cursor"));
	int link_cursor = cursor && strcmp(style, "link") == 0;
	/* Paging backward, the cursor takes before_param's place: a vendor
	 * refuses both directions at once (Stripe answers 400). */
	const char *before = cursor && request_pages_backward(pg, args)
				     ? json_string_value(json_object_get(pg, "before_param"))
				     : NULL;
	json_t *body = NULL;
	int ret = -1;

	if (link_cursor) {
		/* A Link-header cursor is the vendor's next URL: follow it only on
		 * the connection's own host. */
		if (!same_origin(r->url.data, cursor)) {
			err_set(err,
				"cursor is not a next-page URL of %s; pass next_cursor as "
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
			char *text = v ? urlenc_scalar_text(v) : NULL;
			int raw =
				json_is_true(json_object_get(json_object_get(params, name), "raw"));
			if (!text || !*text)
				err_set(err, "missing path parameter '%s'", name);
			else if (dot_segment(text, raw))
				err_set(err,
					"path parameter '%s' may not be '.' or '..': such a "
					"segment would reach another path",
					name);
			else
				urlenc_percent(&r->url, text, raw);
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
	json_object_foreach(args, k, v) {
		if (is_control_arg(k))
			continue;
		json_t *decl = json_object_get(params, k);
		const char *in = arg_place(t, k, decl);
		if (strcmp(in, "query") == 0 && !link_cursor) {
			json_t *sent = before && strcmp(k, before) == 0
					       ? json_object_get(args, "cursor")
					       : v;
			urlenc_query(&r->url, vendor_name(k, decl), sent);
		} else if (strcmp(in, "header") == 0) {
			char *text = urlenc_scalar_text(v);
			int bad = strpbrk(text, "\r\n") != NULL;
			if (!bad)
				urlenc_header(r->headers, vendor_name(k, decl), text);
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
	json_object_foreach(params, k, v) {
		json_t *cst = json_object_get(v, "const");
		if (!cst || json_object_get(args, k))
			continue;
		const char *in = arg_place(t, k, v);
		if (strcmp(in, "query") == 0)
			urlenc_query(&r->url, vendor_name(k, v), cst);
		else if (strcmp(in, "body") == 0)
			json_object_set(body, vendor_name(k, v), cst);
	}
	json_object_foreach(json_object_get(json_object_get(c->doc, "request"), "query"), k, v)
		urlenc_query(&r->url, k, v);

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
			urlenc_query(&r->url, limit_param, limit);
		if (cursor && cursor_param) {
			if (!before)
				urlenc_query(&r->url, cursor_param,
					     json_object_get(args, "cursor"));
		} else if (cursor_param && strcmp(style, "page") == 0) {
			/* Ask for page one explicitly: some vendors (Xero) answer
			 * everything, unpaged, when no page is given. */
			json_t *first = json_object_get(pg, "first");
			json_t *one = first ? json_incref(first) : json_integer(1);
			urlenc_query(&r->url, cursor_param, one);
			json_decref(one);
		}
	}

	/* The body. */
	const char *enc_decl = json_string_value(json_object_get(action, "body_encoding"));
	if (enc_decl && strcmp(enc_decl, "raw") == 0) {
		json_t *raw = json_object_get(action, "raw");
		const char *arg = json_string_value(json_object_get(raw, "content"));
		const char *ctype = json_string_value(json_object_get(raw, "content_type"));
		json_t *content = json_object_get(body, arg ? arg : "");
		if (!json_is_string(content)) {
			err_set(err, "the request body is the text of '%s'", arg ? arg : "content");
			goto out;
		}
		buf_add(&r->body, json_string_value(content), json_string_length(content));
		urlenc_header(r->headers, "Content-Type",
			      ctype ? ctype : "application/octet-stream");
		ret = 0;
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(action, "body_encoding"))
			   ? json_string_value(json_object_get(action, "body_encoding"))
			   : "",
		   "multipart") == 0) {
		ret = multipart_body(action, body, r, err);
		goto out;
	}
	json_t *req_conf = json_object_get(c->doc, "request");
	const char *encoding = json_string_value(json_object_get(action, "body_encoding"));
	if (!encoding)
		encoding = json_string_value(json_object_get(req_conf, "body"));
	const char *body_mode = json_string_value(json_object_get(action, "body"));
	int body_none = body_mode && strcmp(body_mode, "none") == 0 && json_object_size(body) == 0;
	/* A DELETE carries a body only when arguments are declared "in": "body"
	 * (Stripe's DELETE /v1/subscription_items/{item} takes form fields). */
	int has_body = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
		       (strcmp(r->method, "DELETE") != 0 || json_object_size(body) > 0);
	if (graphql) {
		json_t *doc = json_pack("{s:s, s:O}", "query", graphql, "variables", body);
		char *text = jsonx_dumps(doc);
		buf_adds(&r->body, text);
		free(text);
		json_decref(doc);
		urlenc_header(r->headers, "Content-Type", "application/json");
	} else if (has_body && !body_none &&
		   (json_object_size(body) || strcmp(encoding, "json") == 0)) {
		const char *wrap = json_string_value(json_object_get(action, "wrap"));
		json_t *payload = json_incref(body); /* dropped below */
		if (json_is_true(json_object_get(action, "wrap_array")))
			payload = json_pack("[o]", payload);
		if (wrap)
			payload = json_pack("{s:o}", wrap, payload);
		if (strcmp(encoding, "form") == 0) {
			urlenc_form(&r->body, NULL, payload);
			urlenc_header(r->headers, "Content-Type",
				      "application/x-www-form-urlencoded");
		} else {
			char *text = jsonx_dumps(payload);
			buf_adds(&r->body, text);
			free(text);
			urlenc_header(r->headers, "Content-Type", "application/json");
		}
		json_decref(payload);
	}
	ret = 0;
out:
	json_decref(body);
	return ret;
}

static int add_idempotency_key(json_t *idem, struct request *r, struct err *err)
{
	unsigned char raw[16];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return -1;
	raw[6] = (raw[6] & 0x0f) | 0x40; /* a version 4 UUID */
	raw[8] = (raw[8] & 0x3f) | 0x80;
	char *hex = crypto_hex(raw, sizeof(raw));
	char *uuid =
		xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	const char *hname = json_string_value(json_object_get(idem, "header"));
	const char *qname = json_string_value(json_object_get(idem, "query"));
	if (hname)
		urlenc_header(r->headers, hname, uuid);
	if (qname) {
		json_t *u = json_string(uuid);
		urlenc_query(&r->url, qname, u);
		json_decref(u);
	}
	free(hex);
	free(uuid);
	r->idempotent = 1;
	return 0;
}

int request_pages_backward(json_t *pg, json_t *args)
{
	const char *before = json_string_value(json_object_get(pg, "before_param"));
	return before && json_object_get(args, before) != NULL;
}

int request_check_choices(const struct tool *t, json_t *args, struct err *err)
{
	size_t i;
	json_t *rule;
	json_array_foreach(json_object_get(t->action_doc, "at_least_one"), i, rule) {
		if (!action_rule_met(rule, args)) {
			char *text = action_rule_text(rule);
			err_set(err, "%s needs %s", t->name, text);
			free(text);
			return -1;
		}
	}
	return 0;
}

int request_build(const struct tool *t, json_t *args, struct connection *conn, struct request *r,
		  struct err *err)
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

	char *base = request_base_url(c, conn, err);
	if (!base)
		return -1;
	buf_adds(&r->url, base);
	free(base);

	const struct hook *hook = hook_find(json_string_value(json_object_get(action, "hook")));
	if (hook ? hook->build(t, args, conn, r, err) < 0 : build_standard(t, args, r, err) < 0)
		return -1;
	wire_url(&r->url);

	/* Headers: the connector's, the action's, then auth. */
	json_object_foreach(json_object_get(req_conf, "headers"), k, v) {
		char *value = conns_expand(c, conn, json_string_value(v), NULL);
		/* A header whose template names an unset optional parameter is
		 * left out (OpenAI-Organization when no organization is set). */
		if (value)
			urlenc_header(r->headers, k, value);
		free(value);
	}
	json_object_foreach(json_object_get(action, "headers"), k, v)
		urlenc_header(r->headers, k, json_string_value(v));
	const char *accept = json_string_value(json_object_get(req_conf, "accept"));
	urlenc_header(r->headers, "Accept", accept ? accept : "application/json");

	const struct auth_method *am = connector_auth_method(c, conn->auth);
	const struct auth_handler *h = auth_find(conn->auth);
	if (!h || !am)
		return err_set(err,
			       "connection '%s' uses auth method '%s', which %s does not declare",
			       conn->name, conn->auth ? conn->auth : "?", c->slug);
	struct auth_out ao = {r->auth_headers, r->auth_query};
	if (h->apply(c, am, conn, &ao, err) < 0)
		return -1;
	if ((json_array_size(r->auth_headers) || json_object_size(r->auth_query)) &&
	    !urlenc_allows_credentials(r->url.data))
		return err_set(err,
			       "refusing to send %s credentials over plain http to a host that "
			       "is not this machine; use https",
			       c->slug);
	json_object_foreach(r->auth_query, k, v)
		urlenc_query(&r->url, k, v);
	/* A header argument may not stand in for the connection's credential
	 * (both would be sent, and the vendor might take either). */
	size_t i, j;
	json_t *a;
	json_array_foreach(r->headers, i, v) {
		const char *line = json_string_value(v);
		size_t n = strcspn(line, ":");
		json_array_foreach(r->auth_headers, j, a) {
			const char *ah = json_string_value(a);
			if (strcspn(ah, ":") == n && strncasecmp(line, ah, n) == 0)
				return err_set(err,
					       "header '%.*s' is the connection's credential; "
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
	/* The vendor's dedupe key goes with every POST or PATCH write, even one
	 * declared idempotent (a QuickBooks void): a retry of it is then safe
	 * on the wire too, whatever the action's meaning. */
	int post = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PATCH") == 0;
	int write = strcmp(action_kind(t->action, action), "read") != 0;
	json_t *idem = json_object_get(req_conf, "idempotency");
	if ((!r->idempotent || (post && write)) && idem && !json_object_get(action, "graphql"))
		return add_idempotency_key(idem, r, err);
	return 0;
}
