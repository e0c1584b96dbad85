/* hooks.c - the hook table, and the generic HTTP connector's request hook:
 * any method to the connection's own hosts, with the host checked after DNS
 * resolution so a model cannot steer requests at private or metadata
 * addresses. */
#include "hooks.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "connector.h"
#include "connection.h"
#include "jsonx.h"
#include "netaddr.h"
#include "urlenc.h"

struct url_parts {
	char *scheme, *host, *port; /* new strings; host without brackets */
};

static void url_parts_release(struct url_parts *u)
{
	free(u->scheme);
	free(u->host);
	free(u->port);
}

/* scheme://host[:port][/...]; no user info. 0 or -1. */
static int url_split(const char *url, struct url_parts *u)
{
	memset(u, 0, sizeof(*u));
	const char *p = strstr(url, "://");
	if (!p)
		return -1;
	u->scheme = xstrndup(url, (size_t)(p - url));
	for (char *s = u->scheme; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	const char *h = p + 3;
	const char *end = h + strcspn(h, "/?#");
	if (memchr(h, '@', (size_t)(end - h)))
		return -1;
	const char *port = NULL;
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));
		if (!close)
			return -1;
		u->host = xstrndup(h + 1, (size_t)(close - h - 1));
		if (close + 1 < end && close[1] == ':')
			port = close + 2;
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));
		u->host = xstrndup(h, (size_t)((colon ? colon : end) - h));
		if (colon)
			port = colon + 1;
	}
	if (port)
		u->port = xstrndup(port, (size_t)(end - port));
	else
		u->port = xstrdup(strcmp(u->scheme, "https") == 0 ? "443" : "80");
	for (char *s = u->host; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	if (!*u->host || (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0))
		return -1;
	return 0;
}

static int config_true(const struct connection *conn, const char *name)
{
	const char *v = connection_value(conn, name);
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0);
}

/* Is host one of the connection's allowed hosts ("a.com,*.b.com"), or, when
 * none are set, the base URL's host? */
static int host_allowed(const struct connection *conn, const char *host, const char *base_host)
{
	const char *list = connection_value(conn, "allowed_hosts");
	if (!list || !*list)
		return strcmp(host, base_host) == 0;
	char *copy = xstrdup(list), *save = NULL;
	int ok = 0;
	for (char *h = strtok_r(copy, ", ", &save); h && !ok; h = strtok_r(NULL, ", ", &save))
		ok = glob_match(h, host);
	free(copy);
	return ok;
}

/* Refuse an address in a special-purpose range (netaddr.h) unless the
 * connection allows private addresses. */
static int check_address(const struct connection *conn, const char *host, const struct netaddr *a,
			 struct err *err)
{
	const char *range = netaddr_private(a);
	if (!range || config_true(conn, "allow_private"))
		return 0;
	char text[INET6_ADDRSTRLEN];
	netaddr_text(a, text, sizeof(text));
	return err_set(err,
		       "host '%s' resolves to a private, loopback or link-local address; set "
		       "allow_private=true on the connection to allow it (%s is in %s)",
		       host, text, range);
}

/* A literal address is checked as it is and connected to as it is. A name
 * is resolved, every address checked, and the request pinned to the one
 * checked (no DNS rebinding in between). A dry run touches no network: it
 * checks a literal and leaves a name to the send. */
static int check_and_pin(const struct connection *conn, const struct url_parts *u,
			 struct request *r, struct err *err)
{
	struct netaddr a;
	if (netaddr_parse(u->host, &a))
		return check_address(conn, u->host, &a, err);
	if (r->dry_run) {
		free(r->dry_run_note);
		r->dry_run_note = xasprintf("the addresses of host '%s' are looked up and checked "
					    "when the request is sent",
					    u->host);
		return 0;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc != 0)
		return err_set(err, "cannot resolve host '%s': %s", u->host, gai_strerror(rc));
	struct netaddr first = {0};
	int ret = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (netaddr_from_addrinfo(ai, &a) < 0)
			continue;
		if (check_address(conn, u->host, &a, err) < 0)
			goto out;
		if (!first.family)
			first = a;
	}
	if (!first.family) {
		err_set(err, "host '%s' has no address", u->host);
		goto out;
	}
	char addr[INET6_ADDRSTRLEN];
	netaddr_text(&first, addr, sizeof(addr));
	r->resolve = first.family == AF_INET6 ? xasprintf("%s:%s:[%s]", u->host, u->port, addr)
					      : xasprintf("%s:%s:%s", u->host, u->port, addr);
	ret = 0;
out:
	freeaddrinfo(res);
	return ret;
}

/* Headers that frame the message or steer the connection are HTTP's to
 * write, not a model's: a second Content-Length or Transfer-Encoding would
 * smuggle a request, Host would reach another virtual host. */
static int reserved_header(const char *s)
{
	static const char *const names[] = {"host",
					    "content-length",
					    "transfer-encoding",
					    "connection",
					    "keep-alive",
					    "upgrade",
					    "te",
					    "trailer",
					    "expect",
					    "proxy-authorization",
					    "proxy-connection"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0)
			return 1;
	return 0;
}

static int valid_header_name(const char *s)
{
	if (!*s || reserved_header(s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
			return 0;
	return 1;
}

static int http_request_build(const struct connector *c, const struct action_spec *a, json_t *args,
			      const struct connection *conn, struct request *r, struct err *err)
{
	(void)c;
	(void)a;
	struct url_parts base = {0}, target = {0};
	int ret = -1;
	const char *method = json_string_value(json_object_get(args, "method"));
	const char *path = json_string_value(json_object_get(args, "path"));
	const char *url = json_string_value(json_object_get(args, "url"));
	free(r->method);
	r->method = xstrdup(method ? method : "GET");
	for (char *p = r->method; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (url_split(r->url.data, &base) < 0) {
		err_set(err, "the connection's base URL is not an http(s) URL");
		goto out;
	}
	if (url) {
		if (url_split(url, &target) < 0) {
			err_set(err, "url must be an absolute http(s) URL without user info");
			goto out;
		}
		if (!host_allowed(conn, target.host, base.host)) {
			err_set(err, "host '%s' is not allowed for this connection (allowed: %s)",
				target.host,
				connection_value(conn, "allowed_hosts")
					? connection_value(conn, "allowed_hosts")
					: base.host);
			goto out;
		}
		buf_reset(&r->url);
		buf_adds(&r->url, url);
	} else if (path) {
		if (path[0] != '/') {
			err_set(err, "path must start with '/'");
			goto out;
		}
		buf_adds(&r->url, path);
	}
	if (strpbrk(r->url.data, " \r\n\t")) {
		err_set(err, "the URL may not contain spaces or line breaks; percent-encode them");
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(args, "query"), k, v)
		urlenc_query(&r->url, k, v);
	json_object_foreach(json_object_get(args, "headers"), k, v) {
		char *text = urlenc_scalar_text(v);
		int bad = !valid_header_name(k) || strpbrk(text, "\r\n");
		if (!bad)
			urlenc_header(r->headers, k, text);
		free(text);
		if (bad && reserved_header(k)) {
			err_set(err, "header '%s' cannot be set: HTTP itself writes it", k);
			goto out;
		}
		if (bad) {
			err_set(err, "header '%s' has an invalid name or a line break in its value",
				k);
			goto out;
		}
	}
	json_t *body = json_object_get(args, "body");
	const char *type = json_string_value(json_object_get(args, "body_type"));
	if (body && !json_is_null(body)) {
		if (type && strcmp(type, "form") == 0) {
			urlenc_form(&r->body, NULL, body);
			urlenc_header(r->headers, "Content-Type",
				      "application/x-www-form-urlencoded");
		} else if (type && strcmp(type, "raw") == 0 && json_is_string(body)) {
			buf_adds(&r->body, json_string_value(body));
		} else {
			char *text = jsonx_dumps(body);
			buf_adds(&r->body, text);
			free(text);
			urlenc_header(r->headers, "Content-Type", "application/json");
		}
	}
	struct url_parts *final = url ? &target : &base;
	if (check_and_pin(conn, final, r, err) < 0)
		goto out;
	ret = 0;
out:
	url_parts_release(&base);
	url_parts_release(&target);
	return ret;
}

/* QuickBooks lists are queries: SELECT * FROM Customer WHERE ... ORDERBY ...
 * STARTPOSITION n MAXRESULTS m, sent as GET /query?query=... The cursor is
 * the start position (1-based). */
static int quickbooks_query_build(const struct connector *c, const struct action_spec *a,
				  json_t *args, const struct connection *conn, struct request *r,
				  struct err *err)
{
	(void)c;
	(void)conn;
	const char *entity = a->query_entity;
	const char *path = a->path;
	if (!entity || !*path)
		return err_set(err, "%s: the quickbooks_query hook needs query_entity and path",
			       a->id);
	/* A list's paging (zeroed for another action: the defaults below). */
	const struct pagination_spec *pg = &a->pg;
	json_t *lim = json_object_get(args, "limit");
	long limit = lim ? (long)json_integer_value(lim) : pg->default_limit;
	long max = pg->max_limit;
	if (limit <= 0)
		limit = 100;
	if (max > 0 && limit > max)
		limit = max;
	long start = 1;
	const char *cursor = json_string_value(json_object_get(args, "cursor"));
	if (cursor && (parse_long(cursor, &start) < 0 || start < 1))
		return err_set(err, "cursor must be a start position returned as next_cursor");
	const char *where = json_string_value(json_object_get(args, "where"));
	const char *order = json_string_value(json_object_get(args, "orderby"));
	char *sql = xasprintf("SELECT * FROM %s%s%s%s%s STARTPOSITION %ld MAXRESULTS %ld", entity,
			      where ? " WHERE " : "", where ? where : "", order ? " ORDERBY " : "",
			      order ? order : "", start, limit);
	free(r->method);
	r->method = xstrdup("GET");
	buf_adds(&r->url, path);
	json_t *q = json_string(sql);
	urlenc_query(&r->url, "query", q);
	json_decref(q);
	free(sql);
	return 0;
}

static const struct hook hooks[] = {
	{"http_request", http_request_build, NULL},
	{"quickbooks_query", quickbooks_query_build, NULL},
};

const struct hook *hook_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (strcmp(hooks[i].name, name) == 0)
			return &hooks[i];
	for (size_t i = 0; name && hooks_mail[i].name; i++)
		if (strcmp(hooks_mail[i].name, name) == 0)
			return &hooks_mail[i];
	return NULL;
}
