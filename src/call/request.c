/* request.c - the vendor request of a tool call: the URL from the action's
 * path template, arguments placed in path, query, headers or body, paging,
 * connector headers and the connection's credentials. */
#include "request.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "connection.h"
#include "connector.h"
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
static int multipart_body(const struct action_spec *a, json_t *body, struct request *r,
			  struct err *err)
{
	int file = a->file;
	const char *content_arg = a->file_content;
	const char *name_arg = a->file_name;
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
			 boundary, a->file_part, filename, a->file_type);
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

static int build_standard(const struct connector *c, const struct action_spec *a, json_t *args,
			  struct request *r, struct err *err)
{
	const struct pagination_spec *pg = a->list ? &a->pg : NULL;
	enum page_style style = pg ? pg->style : PAGE_NONE;
	const char *graphql = a->graphql;
	const char *cursor = json_string_value(json_object_get(args, "cursor"));
	int link_cursor = cursor && style == PAGE_LINK;
	/* Paging backward, the cursor takes before_param's place: a vendor
	 * refuses both directions at once (Stripe answers 400). */
	const char *before = cursor && request_pages_backward(pg, args) ? pg->before_param : NULL;
	json_t *body = NULL;
	json_t *dflt = NULL; /* the default page size as JSON, dropped at out */
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
		for (const char *p = a->path; *p;) {
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
			struct param_spec ps;
			connector_param(a, name, &ps);
			int raw = ps.raw;
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
		struct param_spec ps;
		connector_param(a, k, &ps);
		if (ps.in == PLACE_QUERY && !link_cursor) {
			json_t *sent = before && strcmp(k, before) == 0
					       ? json_object_get(args, "cursor")
					       : v;
			urlenc_query(&r->url, ps.as, sent);
		} else if (ps.in == PLACE_HEADER) {
			char *text = urlenc_scalar_text(v);
			int bad = strpbrk(text, "\r\n") != NULL;
			if (!bad)
				urlenc_header(r->headers, ps.as, text);
			free(text);
			if (bad) {
				err_set(err, "header argument '%s' contains a line break", k);
				goto out;
			}
		} else if (ps.in == PLACE_BODY) {
			json_object_set(body, ps.as, v);
		}
	}

	/* Declared constants the model need not send (QuickBooks sparse: true). */
	json_object_foreach(a->consts ? a->params : NULL, k, v) {
		struct param_spec ps;
		if (json_object_get(args, k))
			continue;
		connector_param(a, k, &ps);
		if (ps.cst && ps.in == PLACE_QUERY)
			urlenc_query(&r->url, ps.as, ps.cst);
		else if (ps.cst && ps.in == PLACE_BODY)
			json_object_set(body, ps.as, ps.cst);
	}
	json_object_foreach(a->req->query, k, v)
		urlenc_query(&r->url, k, v);

	/* Paging. */
	json_t *limit = json_object_get(args, "limit");
	if (pg && pg->default_limit)
		dflt = json_integer(pg->default_limit);
	if (!limit && pg && !graphql)
		limit = dflt;
	const char *limit_param = pg ? pg->limit_param : NULL;
	const char *cursor_param = pg ? pg->cursor_param : NULL;
	if (pg && graphql) {
		json_t *lim = limit ? limit : dflt;
		if (lim)
			json_object_set(body, limit_param ? limit_param : "first", lim);
		if (cursor)
			json_object_set_new(body, cursor_param ? cursor_param : "after",
					    json_string(cursor));
	} else if (pg && style != PAGE_NONE && !link_cursor) {
		if (limit && limit_param)
			urlenc_query(&r->url, limit_param, limit);
		if (cursor && cursor_param) {
			if (!before)
				urlenc_query(&r->url, cursor_param,
					     json_object_get(args, "cursor"));
		} else if (cursor_param && style == PAGE_PAGE) {
			/* Ask for page one explicitly: some vendors (Xero) answer
			 * everything, unpaged, when no page is given. */
			json_t *one = json_integer(pg->first);
			urlenc_query(&r->url, cursor_param, one);
			json_decref(one);
		}
	}

	/* The body. */
	if (a->encoding == BODY_RAW) {
		const char *arg = a->raw_content;
		json_t *content = json_object_get(body, arg ? arg : "");
		if (!json_is_string(content)) {
			err_set(err, "the request body is the text of '%s'", arg ? arg : "content");
			goto out;
		}
		buf_add(&r->body, json_string_value(content), json_string_length(content));
		urlenc_header(r->headers, "Content-Type", a->raw_type);
		ret = 0;
		goto out;
	}
	if (a->encoding == BODY_MULTIPART) {
		ret = multipart_body(a, body, r, err);
		goto out;
	}
	int body_none = a->body_none && json_object_size(body) == 0;
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
	} else if (has_body && !body_none && (json_object_size(body) || a->encoding == BODY_JSON)) {
		json_t *payload = json_incref(body); /* dropped below */
		if (a->wrap_array)
			payload = json_pack("[o]", payload);
		if (a->wrap)
			payload = json_pack("{s:o}", a->wrap, payload);
		if (a->encoding == BODY_FORM) {
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
	json_decref(dflt);
	return ret;
}

static int add_idempotency_key(const struct request_conf *rc, struct request *r, struct err *err)
{
	unsigned char raw[16];
	if (crypto_random(raw, sizeof(raw), err) < 0)
		return -1;
	raw[6] = (raw[6] & 0x0f) | 0x40; /* a version 4 UUID */
	raw[8] = (raw[8] & 0x3f) | 0x80;
	char *hex = crypto_hex(raw, sizeof(raw));
	char *uuid =
		xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	if (rc->idem_header)
		urlenc_header(r->headers, rc->idem_header, uuid);
	if (rc->idem_query) {
		json_t *u = json_string(uuid);
		urlenc_query(&r->url, rc->idem_query, u);
		json_decref(u);
	}
	free(hex);
	free(uuid);
	r->idempotent = 1;
	return 0;
}

int request_pages_backward(const struct pagination_spec *pg, json_t *args)
{
	return pg && pg->before_param && json_object_get(args, pg->before_param) != NULL;
}

int request_check_choices(const struct action_spec *a, json_t *args, struct err *err)
{
	size_t i;
	json_t *rule;
	json_array_foreach(a->at_least_one, i, rule) {
		if (!action_rule_met(rule, args)) {
			char *text = action_rule_text(rule);
			err_set(err, "%s needs %s", a->id, text);
			free(text);
			return -1;
		}
	}
	return 0;
}

int request_build(const struct connector *c, const struct action_spec *a, json_t *args,
		  struct connection *conn, struct request *r, struct err *err)
{
	const char *k;
	json_t *v;

	r->headers = json_array();
	r->auth_headers = json_array();
	r->auth_query = json_object();
	buf_init(&r->url, 64 << 10);
	buf_init(&r->body, 0);
	r->method = xstrdup(a->method);
	r->timeout_ms = a->req->timeout_ms;

	char *base = connector_base_url_of(c, conn, err);
	if (!base)
		return -1;
	buf_adds(&r->url, base);
	free(base);

	const struct hook *hook = hook_find(a->hook);
	if (hook ? hook->build(c, a, args, conn, r, err) < 0
		 : build_standard(c, a, args, r, err) < 0)
		return -1;
	wire_url(&r->url);

	/* Headers: the connector's, the action's, then auth. */
	json_object_foreach(a->req->headers, k, v) {
		char *value = connector_expand(c, conn, json_string_value(v), NULL);
		/* A header whose template names an unset optional parameter is
		 * left out (OpenAI-Organization when no organization is set). */
		if (value)
			urlenc_header(r->headers, k, value);
		free(value);
	}
	json_object_foreach(a->headers, k, v)
		urlenc_header(r->headers, k, json_string_value(v));
	urlenc_header(r->headers, "Accept", a->req->accept);

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
	json_t *cred;
	json_array_foreach(r->headers, i, v) {
		const char *line = json_string_value(v);
		size_t n = strcspn(line, ":");
		json_array_foreach(r->auth_headers, j, cred) {
			const char *ah = json_string_value(cred);
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
	/* A PUT that creates (Xero), a POST that only searches. GET and HEAD
	 * stay retriable whatever the action says: the generic HTTP action is
	 * declared non-idempotent for its writes, and its method is the model's. */
	int safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	if (a->idempotent >= 0 && !safe)
		r->idempotent = a->idempotent;
	/* The vendor's dedupe key goes with every POST or PATCH write, even one
	 * declared idempotent (a QuickBooks void): a retry of it is then safe
	 * on the wire too, whatever the action's meaning. */
	int post = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PATCH") == 0;
	int write = strcmp(a->kind, "read") != 0;
	if ((!r->idempotent || (post && write)) && a->req->idempotency && !a->graphql)
		return add_idempotency_key(a->req, r, err);
	return 0;
}
