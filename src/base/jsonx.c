/* jsonx.c - small jansson helpers: compact dumps (a fast path for
 * json_dumps) whose reals read back the same in the fewest digits, the one
 * JSON pointer walker (RFC 6901), and jansson's free that wipes what it
 * frees. */
#include "jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "util.h"

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

/* The same for every real in a document, for json_dumps(JSON_REAL_PRECISION).
 * jansson's iterators take a non-const value; walking does not change it. */
static int doc_real_digits(json_t *v)
{
	int p = 15;
	if (json_is_real(v))
		return real_digits(json_real_value(v));
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			int q = doc_real_digits(x);
			p = q > p ? q : p;
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			int q = doc_real_digits(x);
			p = q > p ? q : p;
		}
	}
	return p;
}

/* ---- jsonx_dumps: a fast path for json_dumps ---- */

/* What json_dumps(JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(p))
 * writes, byte for byte, without its callback per piece: a string grown in
 * place. Where jansson would fail (a string that is not UTF-8, a loop, very
 * deep nesting) the fast path gives up and jansson answers. */

#define DUMP_MAX_DEPTH 512

struct dump {
	char *s;
	size_t len, cap;
	int digits; /* the real precision */
};

static void dump_grow(struct dump *d, size_t more)
{
	if (d->len + more <= d->cap)
		return;
	size_t cap = (d->len + more) * 2 + 256;
	/* The text may hold a secret (a request body): the old block is wiped,
	 * as jansson's own frees are. */
	char *s = xmalloc(cap);
	if (d->s)
		memcpy(s, d->s, d->len);
	jsonx_wipe_block(d->s);
	free(d->s);
	d->s = s;
	d->cap = cap;
}

static void dump_add(struct dump *d, const char *p, size_t n)
{
	dump_grow(d, n);
	memcpy(d->s + d->len, p, n);
	d->len += n;
}

size_t jsonx_utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0], cp;
	size_t len;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int dump_string(struct dump *d, const char *str, size_t n)
{
	const unsigned char *p = (const unsigned char *)str, *end = p + n;
	dump_grow(d, n + 2);
	d->s[d->len++] = '"';
	while (p < end) {
		const unsigned char *run = p;
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
			p++;
		if (p > run)
			dump_add(d, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p >= 0x80) {
			size_t k = jsonx_utf8_len(p, (size_t)(end - p));
			if (!k)
				return -1;
			dump_add(d, (const char *)p, k);
			p += k;
			continue;
		}
		char esc[8];
		switch (*p) {
		case '"':
			dump_add(d, "\\\"", 2);
			break;
		case '\\':
			dump_add(d, "\\\\", 2);
			break;
		case '\b':
			dump_add(d, "\\b", 2);
			break;
		case '\f':
			dump_add(d, "\\f", 2);
			break;
		case '\n':
			dump_add(d, "\\n", 2);
			break;
		case '\r':
			dump_add(d, "\\r", 2);
			break;
		case '\t':
			dump_add(d, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", *p);
			dump_add(d, esc, 6);
		}
		p++;
	}
	dump_add(d, "\"", 1);
	return 0;
}

/* A real as jansson writes it: %.*g, ".0" when that reads as an integer,
 * and the exponent without '+' or leading zeros (1e+05 is 1e5). */
static void dump_real(struct dump *d, double v)
{
	char b[64];
	int n = snprintf(b, sizeof(b), "%.*g", d->digits, v);
	if (n < 0 || (size_t)n >= sizeof(b) - 3)
		n = 0;
	size_t len = (size_t)n;
	if (strspn(b, "0123456789-") == len) {
		memcpy(b + len, ".0", 3);
		len += 2;
	}
	char *e = strchr(b, 'e');
	if (e) {
		char *start = e + 1, *stop = start + 1;
		if (*start == '-')
			start++;
		while (*stop == '0')
			stop++;
		if (stop != start) {
			memmove(start, stop, len - (size_t)(stop - b) + 1);
			len -= (size_t)(stop - start);
		}
	}
	dump_add(d, b, len);
}

static int dump_value(struct dump *d, json_t *v, int depth)
{
	char num[32];
	const char *key;
	json_t *x;
	size_t i, klen;
	int first = 1;
	if (depth > DUMP_MAX_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		dump_add(d, "{", 1);
		json_object_keylen_foreach(v, key, klen, x)
		{
			if (!first)
				dump_add(d, ",", 1);
			first = 0;
			if (dump_string(d, key, klen) < 0)
				return -1;
			dump_add(d, ":", 1);
			if (dump_value(d, x, depth + 1) < 0)
				return -1;
		}
		dump_add(d, "}", 1);
		return 0;
	case JSON_ARRAY:
		dump_add(d, "[", 1);
		json_array_foreach(v, i, x) {
			if (i)
				dump_add(d, ",", 1);
			if (dump_value(d, x, depth + 1) < 0)
				return -1;
		}
		dump_add(d, "]", 1);
		return 0;
	case JSON_STRING:
		return dump_string(d, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		int n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		dump_add(d, num, (size_t)n);
		return 0;
	}
	case JSON_REAL:
		dump_real(d, json_real_value(v));
		return 0;
	case JSON_TRUE:
		dump_add(d, "true", 4);
		return 0;
	case JSON_FALSE:
		dump_add(d, "false", 5);
		return 0;
	case JSON_NULL:
		dump_add(d, "null", 4);
		return 0;
	}
	return -1;
}

char *jsonx_dumps(const json_t *v)
{
	int digits = doc_real_digits((json_t *)v);
	struct dump d = {NULL, 0, 0, digits};
	if (v && dump_value(&d, (json_t *)v, 0) == 0) {
		dump_add(&d, "", 1);
		return d.s;
	}
	jsonx_wipe_block(d.s);
	free(d.s);
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(digits));
}

int jsonx_has_string(const json_t *array, const char *s)
{
	for (size_t i = 0; s && i < json_array_size(array); i++) {
		const char *v = json_string_value(json_array_get(array, i));
		if (v && strcmp(v, s) == 0)
			return 1;
	}
	return 0;
}

char *jsonx_real_text(double d)
{
	return xasprintf("%.*g", real_digits(d), d);
}

/* One reference token of a pointer, unescaped (~1 is '/', ~0 is '~'), into
 * tok. -1 when a '~' is followed by anything else (RFC 6901 section 3). */
static int pointer_token(const char *p, size_t n, struct buf *tok)
{
	buf_reset(tok);
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '~') {
			buf_add(tok, p + i, 1);
			continue;
		}
		if (i + 1 >= n || (p[i + 1] != '0' && p[i + 1] != '1'))
			return -1;
		buf_adds(tok, p[i + 1] == '0' ? "~" : "/");
		i++;
	}
	if (!tok->data) /* an empty token names the key "" */
		buf_adds(tok, "");
	return 0;
}

/* The array element a token names: RFC 6901's decimal index without
 * leading zeros, or our extension, a negative index counting from the end.
 * NULL for anything else, "-" (the element after the last) included. */
static json_t *pointer_element(json_t *array, const char *tok)
{
	const char *digits = tok[0] == '-' ? tok + 1 : tok;
	if (!*digits || (digits[0] == '0' && digits[1]) ||
	    strspn(digits, "0123456789") != strlen(digits))
		return NULL;
	long i;
	if (parse_long(tok, &i) < 0)
		return NULL;
	if (i < 0)
		i += (long)json_array_size(array);
	return i >= 0 ? json_array_get(array, (size_t)i) : NULL;
}

json_t *jsonx_pointer(json_t *doc, const char *ptr)
{
	if (!ptr || !*ptr)
		return doc;
	if (*ptr != '/')
		return NULL;
	struct buf tok;
	buf_init(&tok, 0);
	json_t *cur = doc;
	for (const char *p = ptr + 1; cur; p += strcspn(p, "/") + 1) {
		size_t n = strcspn(p, "/");
		if (pointer_token(p, n, &tok) < 0)
			cur = NULL;
		else if (json_is_object(cur))
			cur = json_object_get(cur, tok.data);
		else if (json_is_array(cur))
			cur = pointer_element(cur, tok.data);
		else
			cur = NULL;
		if (!p[n])
			break;
	}
	buf_release(&tok);
	return cur;
}

json_t *jsonx_pointer_first(json_t *doc, json_t *ptrs)
{
	if (json_is_string(ptrs))
		return jsonx_pointer(doc, json_string_value(ptrs));
	size_t i;
	json_t *p;
	json_array_foreach(ptrs, i, p) {
		json_t *v = jsonx_pointer(doc, json_string_value(p));
		if (v && !json_is_null(v) && !json_is_object(v) && !json_is_array(v))
			return v;
	}
	return NULL;
}

void jsonx_wipe_block(void *p)
{
	if (p)
		compat_wipe(p, compat_malloc_size(p));
}

static void wiping_free(void *p)
{
	jsonx_wipe_block(p);
	free(p);
}

void jsonx_wipe_on_free(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
}
