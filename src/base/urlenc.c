/* urlenc.c - the low-level encoders of a vendor request: percent-encoding,
 * query strings, bracketed form bodies, header lines and scalar text, and
 * the rule that credentials travel only over https or to this machine. */
#include "urlenc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonx.h"

static int unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

void urlenc_percent(struct buf *b, const char *s, int keep_slash)
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

char *urlenc_scalar_text(json_t *v)
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
		return jsonx_real_text(json_real_value(v));
	if (json_is_null(v))
		return xstrdup("");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

void urlenc_query(struct buf *url, const char *name, json_t *value)
{
	if (json_is_array(value)) {
		size_t i;
		json_t *v;
		json_array_foreach(value, i, v)
			urlenc_query(url, name, v);
		return;
	}
	char *text = urlenc_scalar_text(value);
	buf_adds(url, strchr(url->data, '?') ? "&" : "?");
	urlenc_percent(url, name, 0);
	buf_adds(url, "=");
	urlenc_percent(url, text, 0);
	free(text);
}

/* Stripe-style form encoding: metadata[k]=v, items[0][price]=p. */
void urlenc_form(struct buf *b, const char *prefix, json_t *v)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			char *key = prefix ? xasprintf("%s[%s]", prefix, k) : xstrdup(k);
			urlenc_form(b, key, x);
			free(key);
		}
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			char *key = xasprintf("%s[%zu]", prefix, i);
			urlenc_form(b, key, x);
			free(key);
		}
		return;
	}
	char *text = urlenc_scalar_text(v);
	if (b->len)
		buf_adds(b, "&");
	urlenc_percent(b, prefix, 0);
	buf_adds(b, "=");
	urlenc_percent(b, text, 0);
	free(text);
}

int urlenc_allows_credentials(const char *url)
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

void urlenc_header(json_t *headers, const char *name, const char *value)
{
	char *h = xasprintf("%s: %s", name, value);
	json_array_append_new(headers, json_string(h));
	free(h);
}
