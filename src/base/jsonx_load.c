/* jsonx_load.c - jsonx_loadb: jansson's parser with a fast path, for the
 * JSON read on every start (connector files) and every call (requests,
 * vendor answers). */
#include "jsonx.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* jansson's parser reads a character at a time through a stream and
 * checks UTF-8 as it goes; this one walks the buffer. It builds the same
 * values with jansson's own constructors, and it is only a fast path: at
 * anything it does not handle exactly as jansson does (an error of any
 * kind, a number out of range, \u0000), it gives up and jansson parses the
 * text from the start, so errors and edge cases are jansson's own. */

#define FAST_MAX_DEPTH 512 /* below jansson's 2048: the deepest goes to jansson */

struct fast {
	const unsigned char *p, *end;
	size_t flags;
	int depth;
	char *tmp; /* unescaped string (grows) */
	size_t tmp_cap;
};

static json_t *fast_value(struct fast *f);

static void fast_free(void *p)
{
	jsonx_wipe_block(p);
	free(p);
}

static void fast_space(struct fast *f)
{
	while (f->p < f->end && (*f->p == ' ' || *f->p == '\n' || *f->p == '\r' || *f->p == '\t'))
		f->p++;
}

static int fast_hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static void fast_put(struct fast *f, size_t *len, const void *s, size_t n)
{
	if (!n)
		return; /* f->tmp may not exist yet */
	if (*len + n > f->tmp_cap) {
		/* It may hold a secret (a token in a vendor's answer): the old
		 * block is wiped, as jansson's own frees are. */
		char *grown = xmalloc((*len + n) * 2 + 64);
		if (f->tmp)
			memcpy(grown, f->tmp, *len);
		fast_free(f->tmp);
		f->tmp = grown;
		f->tmp_cap = (*len + n) * 2 + 64;
	}
	memcpy(f->tmp + *len, s, n);
	*len += n;
}

/* The string at f->p (after its opening quote): *out points at its bytes
 * (into the input, or f->tmp when it had escapes), *n their count. */
static int fast_string(struct fast *f, const char **out, size_t *n)
{
	const unsigned char *start = f->p;
	size_t len = 0;
	int escaped = 0;
	while (f->p < f->end) {
		unsigned c = *f->p;
		if (c == '"') {
			if (!escaped) {
				*out = (const char *)start;
				*n = (size_t)(f->p - start);
			} else {
				*out = f->tmp;
				*n = len;
			}
			f->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			size_t k = jsonx_utf8_len(f->p, (size_t)(f->end - f->p));
			if (!k)
				return -1;
			if (escaped)
				fast_put(f, &len, f->p, k);
			f->p += k;
			continue;
		}
		if (!escaped) {
			escaped = 1;
			len = 0;
			fast_put(f, &len, start, (size_t)(f->p - start));
		}
		if (f->end - f->p < 2)
			return -1;
		char e = (char)f->p[1], one;
		f->p += 2;
		switch (e) {
		case '"':
			one = '"';
			break;
		case '\\':
			one = '\\';
			break;
		case '/':
			one = '/';
			break;
		case 'b':
			one = '\b';
			break;
		case 'f':
			one = '\f';
			break;
		case 'n':
			one = '\n';
			break;
		case 'r':
			one = '\r';
			break;
		case 't':
			one = '\t';
			break;
		case 'u': {
			unsigned cp, lo;
			if (f->end - f->p < 4 || fast_hex4(f->p, &cp) < 0)
				return -1;
			f->p += 4;
			if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (f->end - f->p < 6 || f->p[0] != '\\' || f->p[1] != 'u' ||
				    fast_hex4(f->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				f->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			unsigned char u[4];
			size_t k;
			if (cp < 0x80)
				u[0] = (unsigned char)cp, k = 1;
			else if (cp < 0x800)
				u[0] = (unsigned char)(0xc0 | cp >> 6),
				u[1] = (unsigned char)(0x80 | (cp & 0x3f)), k = 2;
			else if (cp < 0x10000)
				u[0] = (unsigned char)(0xe0 | cp >> 12),
				u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f)),
				u[2] = (unsigned char)(0x80 | (cp & 0x3f)), k = 3;
			else
				u[0] = (unsigned char)(0xf0 | cp >> 18),
				u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f)),
				u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f)),
				u[3] = (unsigned char)(0x80 | (cp & 0x3f)), k = 4;
			fast_put(f, &len, u, k);
			continue;
		}
		default:
			return -1;
		}
		fast_put(f, &len, &one, 1);
	}
	return -1;
}

/* A number by JSON's grammar; an integer unless it has a fraction or an
 * exponent (as jansson decides); NULL past the range jansson accepts. */
static json_t *fast_number(struct fast *f)
{
	const unsigned char *s = f->p;
	int real = 0;
	if (f->p < f->end && *f->p == '-')
		f->p++;
	if (f->p < f->end && *f->p == '0')
		f->p++;
	else if (f->p < f->end && *f->p >= '1' && *f->p <= '9')
		while (f->p < f->end && *f->p >= '0' && *f->p <= '9')
			f->p++;
	else
		return NULL;
	if (f->p < f->end && *f->p == '.') {
		real = 1;
		f->p++;
		if (f->p >= f->end || *f->p < '0' || *f->p > '9')
			return NULL;
		while (f->p < f->end && *f->p >= '0' && *f->p <= '9')
			f->p++;
	}
	if (f->p < f->end && (*f->p == 'e' || *f->p == 'E')) {
		real = 1;
		f->p++;
		if (f->p < f->end && (*f->p == '+' || *f->p == '-'))
			f->p++;
		if (f->p >= f->end || *f->p < '0' || *f->p > '9')
			return NULL;
		while (f->p < f->end && *f->p >= '0' && *f->p <= '9')
			f->p++;
	}
	char buf[64];
	size_t n = (size_t)(f->p - s);
	if (n >= sizeof(buf))
		return NULL; /* a long number: jansson's own way */
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	char *endp;
	if (!real) {
		long long v = strtoll(buf, &endp, 10);
		return errno || *endp ? NULL : json_integer(v);
	}
	double d = strtod(buf, &endp);
	if (*endp || (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)))
		return NULL;
	return json_real(d);
}

static int fast_word(struct fast *f, const char *w, size_t n)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, w, n) != 0)
		return -1;
	f->p += n;
	return 0;
}

static json_t *fast_object(struct fast *f)
{
	json_t *obj = json_object();
	fast_space(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		return obj;
	}
	for (;;) {
		const char *k;
		size_t kn;
		fast_space(f);
		if (f->p >= f->end || *f->p != '"')
			break;
		f->p++;
		if (fast_string(f, &k, &kn) < 0)
			break;
		/* The key must outlive the value's parse, which reuses f->tmp. */
		char small[64], *key = kn < sizeof(small) ? small : xmalloc(kn + 1);
		memcpy(key, k, kn);
		key[kn] = '\0';
		json_t *v = NULL;
		fast_space(f);
		if (f->p < f->end && *f->p == ':') {
			f->p++;
			v = fast_value(f);
		}
		if (v && (f->flags & JSON_REJECT_DUPLICATES) && json_object_getn(obj, key, kn)) {
			json_decref(v);
			v = NULL;
		}
		if (v)
			json_object_setn_new_nocheck(obj, key, kn, v);
		if (key != small)
			fast_free(key);
		if (!v)
			break;
		fast_space(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			continue;
		}
		if (f->p < f->end && *f->p == '}') {
			f->p++;
			return obj;
		}
		break;
	}
	json_decref(obj);
	return NULL;
}

static json_t *fast_array(struct fast *f)
{
	json_t *arr = json_array();
	fast_space(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		return arr;
	}
	for (;;) {
		json_t *v = fast_value(f);
		if (!v)
			break;
		json_array_append_new(arr, v);
		fast_space(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			continue;
		}
		if (f->p < f->end && *f->p == ']') {
			f->p++;
			return arr;
		}
		break;
	}
	json_decref(arr);
	return NULL;
}

static json_t *fast_value(struct fast *f)
{
	json_t *v = NULL;
	const char *s;
	size_t n;
	fast_space(f);
	if (f->p >= f->end)
		return NULL;
	switch (*f->p) {
	case '{':
	case '[':
		if (++f->depth > FAST_MAX_DEPTH)
			return NULL;
		f->p++;
		v = f->p[-1] == '{' ? fast_object(f) : fast_array(f);
		f->depth--;
		return v;
	case '"':
		f->p++;
		return fast_string(f, &s, &n) < 0 ? NULL : json_stringn_nocheck(s, n);
	case 't':
		return fast_word(f, "true", 4) < 0 ? NULL : json_true();
	case 'f':
		return fast_word(f, "false", 5) < 0 ? NULL : json_false();
	case 'n':
		return fast_word(f, "null", 4) < 0 ? NULL : json_null();
	default:
		return fast_number(f);
	}
}

json_t *jsonx_loadb(const char *buf, size_t len, size_t flags, json_error_t *error)
{
	struct fast f = {(const unsigned char *)buf, NULL, flags, 0, NULL, 0};
	json_t *v = NULL;
	/* Only the flags whose meaning the fast path keeps. */
	if (buf && !(flags & ~(size_t)(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY))) {
		f.end = f.p + len;
		fast_space(&f);
		if (f.p < f.end && ((flags & JSON_DECODE_ANY) || *f.p == '{' || *f.p == '['))
			v = fast_value(&f);
		fast_space(&f);
		if (v && f.p != f.end) {
			json_decref(v);
			v = NULL;
		}
	}
	fast_free(f.tmp);
	if (v) {
		if (error) { /* as jansson leaves it after a success */
			memset(error, 0, sizeof(*error));
			snprintf(error->source, sizeof(error->source), "<buffer>");
			error->line = error->column = -1;
			error->position = (int)len;
		}
		return v;
	}
	return json_loadb(buf, len, flags, error);
}
