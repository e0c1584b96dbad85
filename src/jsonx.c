/* jsonx.c - small jansson helpers: compact dumps whose reals read back the
 * same in the fewest digits, the one JSON pointer walker (RFC 6901), and
 * jansson's free that wipes what it frees. */
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

char *jsonx_dumps(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
				     JSON_REAL_PRECISION(doc_real_digits((json_t *)v)));
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
