/* mcp_http_check.c - the header checks of serve --http that need no
 * connection: DNS rebinding (Host, Origin), Accept, and the 2026-07-28
 * headers that mirror the body. */
#include "mcp_http_check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"

char *mcp_http_check_trim(const char *v)
{
	if (!v)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return xstrndup(v, n);
}

static int valid_chars(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p > 0x7e)
			return 0;
	return 1;
}

static int is_loopback_name(const char *host, size_t n)
{
	static const char *names[] = {"localhost", "127.0.0.1", "::1", "[::1]", NULL};
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == n && strncasecmp(host, names[i], n) == 0)
			return 1;
	return n > 4 && strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") == n;
}

/* The host part of "host[:port]" or "[v6]:port": its length. */
static size_t host_len(const char *hp)
{
	if (hp[0] == '[') {
		const char *e = strchr(hp, ']');
		return e ? (size_t)(e - hp) + 1 : strlen(hp);
	}
	const char *c = strchr(hp, ':');
	if (c && strchr(c + 1, ':'))
		return strlen(hp); /* a bare IPv6 address */
	return c ? (size_t)(c - hp) : strlen(hp);
}

static int listed(char **list, const char *s, size_t n)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0)
			return 1;
	return 0;
}

/* DNS rebinding: the Host must name this server (loopback, or a name we
 * were told), whatever address a browser's page resolved. */
int mcp_http_check_host(char **allow, const char *host)
{
	if (!host || !*host)
		return 0;
	size_t n = host_len(host);
	return is_loopback_name(host, n) || listed(allow, host, strlen(host)) ||
	       listed(allow, host, n);
}

int mcp_http_check_origin(char **allow, const char *origin)
{
	if (!origin)
		return 1;
	if (listed(allow, origin, strlen(origin)))
		return 1;
	const char *p = strstr(origin, "://");
	if (!p ||
	    (strncasecmp(origin, "http://", 7) != 0 && strncasecmp(origin, "https://", 8) != 0))
		return 0;
	p += 3;
	return is_loopback_name(p, host_len(p));
}

int mcp_http_check_accept(const char *accept, const char *type)
{
	if (!accept)
		return 1;
	size_t slash = strcspn(type, "/");
	const char *p = accept;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",;");
		while (n && p[n - 1] == ' ')
			n--;
		if ((n == 3 && strncmp(p, "*/*", 3) == 0) ||
		    (n == strlen(type) && strncasecmp(p, type, n) == 0) ||
		    (n == slash + 2 && strncasecmp(p, type, slash + 1) == 0 && p[slash + 1] == '*'))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

char *mcp_http_check_decode(const char *v)
{
	size_t n = strlen(v);
	if (n < 11 || strncmp(v, "=?base64?", 9) != 0 || strcmp(v + n - 2, "?=") != 0)
		return xstrdup(v);
	const char *b = v + 9;
	size_t bn = n - 11;
	if (bn % 4)
		return NULL;
	for (size_t i = 0; i < bn; i++)
		if (b[i] == '-' || b[i] == '_')
			return NULL;
	size_t len;
	unsigned char *raw = crypto_base64_decode(b, bn, 0, &len);
	if (!raw || memchr(raw, '\0', len)) {
		free(raw);
		return NULL;
	}
	return (char *)raw;
}

/* Does the header text equal the argument's value? Integers compare as
 * numbers (42.0 and 42), booleans as true/false. */
static int param_matches(const char *text, const json_t *v)
{
	if (json_is_string(v))
		return strcmp(text, json_string_value(v)) == 0;
	if (json_is_boolean(v))
		return strcmp(text, json_is_true(v) ? "true" : "false") == 0;
	if (json_is_integer(v)) {
		char *end;
		errno = 0;
		double d = strtod(text, &end);
		return errno == 0 && end != text && *end == '\0' &&
		       d == (double)json_integer_value(v);
	}
	return 0;
}

int mcp_http_check_params(json_t *schema, json_t *args, json_t *headers, struct err *err)
{
	const char *name;
	json_t *prop;
	json_object_foreach(json_object_get(schema, "properties"), name, prop) {
		json_t *v = json_object_get(args, name);
		const char *hname = json_string_value(json_object_get(prop, "x-mcp-header"));
		if (json_object_get(prop, "properties") && json_is_object(v) &&
		    mcp_http_check_params(prop, v, headers, err) < 0)
			return -1;
		if (!hname)
			continue;
		char *key = xasprintf("mcp-param-%s", hname);
		for (char *p = key; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		const char *raw = json_string_value(json_object_get(headers, key));
		free(key);
		int present = v && !json_is_null(v);
		if (!raw && !present)
			continue;
		if (!raw) {
			err_set(err,
				"Header mismatch: Mcp-Param-%s header is missing but argument '%s' "
				"is in the body",
				hname, name);
			return -1;
		}
		char *text = valid_chars(raw) ? mcp_http_check_decode(raw) : NULL;
		if (!text) {
			err_set(err,
				"Header mismatch: Mcp-Param-%s header value has invalid characters "
				"or is not valid base64",
				hname);
			return -1;
		}
		int ok = present && param_matches(text, v);
		free(text);
		if (!ok) {
			err_set(err,
				"Header mismatch: Mcp-Param-%s header value does not match body "
				"argument '%s'",
				hname, name);
			return -1;
		}
	}
	return 0;
}

char *mcp_http_check_names(const char *method_h, const char *name_h, json_t *msg, int modern)
{
	char *reason = NULL;
	const char *method = json_string_value(json_object_get(msg, "method"));
	json_t *params = json_object_get(msg, "params");
	const char *name = NULL;
	int named = method &&
		    (strcmp(method, "tools/call") == 0 || strcmp(method, "prompts/get") == 0 ||
		     strcmp(method, "resources/read") == 0);
	if (named)
		name = json_string_value(json_object_get(
			params, strcmp(method, "resources/read") == 0 ? "uri" : "name"));
	if (method_h && !valid_chars(method_h)) {
		reason = xstrdup("Header mismatch: Mcp-Method header value has invalid characters");
	} else if (!method_h && modern && method) {
		reason = xstrdup("Header mismatch: required Mcp-Method header is missing");
	} else if (method_h && (!method || strcmp(method_h, method) != 0)) {
		reason = xasprintf("Header mismatch: Mcp-Method header value '%s' does not match "
				   "body value '%s'",
				   method_h, method ? method : "");
	} else if (name_h && !valid_chars(name_h)) {
		reason = xstrdup("Header mismatch: Mcp-Name header value has invalid characters");
	} else if (!name_h && modern && name) {
		reason = xstrdup("Header mismatch: required Mcp-Name header is missing");
	} else if (name_h && named) {
		char *decoded = mcp_http_check_decode(name_h);
		if (!decoded)
			reason = xstrdup(
				"Header mismatch: Mcp-Name header value is not valid base64");
		else if (!name || strcmp(decoded, name) != 0)
			reason = xasprintf("Header mismatch: Mcp-Name header value '%s' does not "
					   "match body value '%s'",
					   name_h, name ? name : "");
		free(decoded);
	}
	return reason;
}
