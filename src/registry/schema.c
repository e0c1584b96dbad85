/* schema.c - check JSON values against the JSON Schema (2020-12) subset that
 * connector files and tool inputs use; a failure names the instance path and
 * says what to change, because models read these messages to fix their calls. */
#include "schema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SCHEMA_MAX_DEPTH 64      /* nested schemas, $ref hops included */
#define SCHEMA_MAX_STEPS 1000000 /* schemas visited in one call (anyOf/$ref bombs) */
#define SCHEMA_PATH_CAP 1024
#define SCHEMA_RE_CACHE 16

/* A pattern compiled once per schema_validate call; pat is borrowed from the schema. */
struct re_entry {
	const char *pat;
	pcre2_code *code;
};

struct ctx {
	const json_t *root;
	struct err *err; /* failures go here; a scratch report inside anyOf, oneOf, not */
	int score;       /* how precise the failure in err is, to pick the closest alternative */
	struct buf path; /* JSON pointer of the instance being checked; empty is the root */
	int depth;
	long steps;
	int fatal; /* a problem with the schema itself, which no anyOf or not may swallow */
	struct err fatal_err;
	struct re_entry re[SCHEMA_RE_CACHE];
	int nre;
	pcre2_match_data *md; /* made on the first match, freed with the ctx */
};

static int validate(struct ctx *c, const json_t *s, const json_t *inst);

/* Cut a trailing, incomplete UTF-8 sequence left by truncation, so the message
 * stays valid UTF-8 (jansson refuses to put anything else into a JSON string). */
static void utf8_trim(char *s)
{
	size_t len = strlen(s), i = len, need;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0 || (unsigned char)s[i - 1] < 0x80)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

/* Render v as compact JSON into out (n bytes), ending in "..." when cut. */
static const char *show(const json_t *v, char *out, size_t n)
{
	/* 15 digits: 0.005 reads as 0.005, not 0.0050000000000000001 */
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (!s) {
		snprintf(out, n, "(value)");
		return out;
	}
	snprintf(out, n, "%s", s);
	if (strlen(s) >= n && n > 4) {
		memcpy(out + n - 4, "...", 4);
		utf8_trim(out);
	}
	free(s);
	return out;
}

/* Join the members of an array, or the keys of an object, as JSON for a
 * message ("\"GET\", \"POST\""), at most n bytes with ", ..." when cut. */
static void join(const json_t *v, char *out, size_t n)
{
	struct buf b;
	char one[96];
	const char *key;
	const json_t *m;
	size_t i;

	buf_init(&b, n - 6);
	json_array_foreach(v, i, m) {
		if (buf_addf(&b, "%s%s", i ? ", " : "", show(m, one, sizeof(one))) < 0)
			goto cut;
	}
	json_object_foreach((json_t *)v, key, m) {
		if (buf_addf(&b, "%s\"%s\"", b.len ? ", " : "", key) < 0)
			goto cut;
	}
	snprintf(out, n, "%s", b.data ? b.data : "");
	goto out;
cut:
	snprintf(out, n, "%s, ...", b.data ? b.data : "");
out:
	utf8_trim(out);
	buf_release(&b);
}

/* ---- reporting ---- */

static const char *path_str(const struct ctx *c)
{
	return c->path.len ? c->path.data : "/";
}

static int path_depth(const struct ctx *c)
{
	int n = 0;
	for (size_t i = 0; i < c->path.len; i++)
		n += c->path.data[i] == '/';
	return n;
}

/* Write "path: message" into out (n bytes), cut on a character boundary. */
static void compose(const struct ctx *c, char *out, size_t n, const char *fmt, va_list ap)
{
	int len = snprintf(out, n, "%s: ", path_str(c));
	if (len >= 0 && (size_t)len < n)
		vsnprintf(out + len, n - (size_t)len, fmt, ap);
	utf8_trim(out);
}

/* Record a failure unless one is already recorded; always -1. A deeper
 * failure scores higher, and one about the value (not its type) higher still. */
static int vreport(struct ctx *c, int type_err, const char *fmt, va_list ap)
{
	if (!c->err || err_is_set(c->err))
		return -1;
	compose(c, c->err->msg, sizeof(c->err->msg), fmt, ap);
	c->score = path_depth(c) * 2 + !type_err;
	return -1;
}

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(c, 0, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_type(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_type(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(c, 1, fmt, ap);
	va_end(ap);
	return -1;
}

/* A schema problem (unresolvable $ref, too deep, too much work): it ends the
 * whole validation, even from inside anyOf or not. */
static int fatal(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fatal(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	if (c->fatal)
		return -1;
	c->fatal = 1;
	va_start(ap, fmt);
	compose(c, c->fatal_err.msg, sizeof(c->fatal_err.msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Validate inst, found under key (an object key or an array index), with
 * "/key" escaped as in a JSON pointer on the path meanwhile. A path past its
 * cap just stops growing. */
static int validate_at(struct ctx *c, const json_t *s, const json_t *inst, const char *key)
{
	size_t mark = c->path.len;
	int ret;

	buf_add(&c->path, "/", 1);
	for (const char *k = key; *k; k++) {
		if (*k == '~')
			buf_add(&c->path, "~0", 2);
		else if (*k == '/')
			buf_add(&c->path, "~1", 2);
		else
			buf_add(&c->path, k, 1);
	}
	ret = validate(c, s, inst);
	c->path.len = mark;
	if (c->path.data)
		c->path.data[mark] = '\0';
	return ret;
}

/* Validate where a failure is not (yet) an error: it goes into scratch, and
 * *score says how close the instance came. */
static int probe(struct ctx *c, const json_t *s, const json_t *inst, struct err *scratch,
		 int *score)
{
	struct err *saved = c->err;
	int saved_score = c->score, ret;

	err_init(scratch);
	c->err = scratch;
	c->score = 0;
	ret = validate(c, s, inst);
	*score = c->score;
	c->err = saved;
	c->score = saved_score;
	return ret;
}

/* ---- values ---- */

static int is_whole(double v)
{
	double a = v < 0 ? -v : v;
	if (a >= 9007199254740992.0) /* 2^53: every double this large is whole */
		return 1;
	return v == (double)(long long)v;
}

static const char *type_name(const json_t *v)
{
	/* indexed by json_type: object, array, string, integer, real, true, false, null */
	static const char *const names[] = {"object", "array",   "string",  "integer",
					    "number", "boolean", "boolean", "null"};
	return names[json_typeof(v)];
}

static int has_type(const json_t *v, const char *t)
{
	if (strcmp(t, "integer") == 0)
		return json_is_integer(v) || (json_is_real(v) && is_whole(json_real_value(v)));
	if (strcmp(t, "number") == 0)
		return json_is_number(v);
	return strcmp(t, type_name(v)) == 0;
}

/* Compare two numbers: <0, 0, >0; exact when both are integers. */
static int num_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	double x = json_number_value(a), y = json_number_value(b);
	return (x > y) - (x < y);
}

/* JSON Schema equality: like json_equal, except that 1 and 1.0 are equal. */
static int equal(const json_t *a, const json_t *b)
{
	const char *key;
	const json_t *m;
	size_t i;

	if (json_is_number(a) && json_is_number(b))
		return num_cmp(a, b) == 0;
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		json_array_foreach(a, i, m) {
			if (!equal(m, json_array_get(b, i)))
				return 0;
		}
		return 1;
	}
	if (json_is_object(a) && json_is_object(b)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, key, m) {
			const json_t *o = json_object_get(b, key);
			if (!o || !equal(m, o))
				return 0;
		}
		return 1;
	}
	return json_equal(a, b);
}

static int is_multiple(const json_t *v, const json_t *by)
{
	if (json_is_integer(v) && json_is_integer(by)) {
		json_int_t d = json_integer_value(by);
		return d == 1 || d == -1 || json_integer_value(v) % d == 0;
	}
	double q = json_number_value(v) / json_number_value(by);
	double a = q < 0 ? -q : q;
	if (q != q || a > 1e300) /* NaN or overflow: cannot be a multiple we can show */
		return 0;
	if (a >= 9007199254740992.0)
		return 1;
	double r = q - (double)(long long)(q + (q < 0 ? -0.5 : 0.5));
	/* relative slack for binary fractions: 0.0075 / 0.0001 is 74.99999999999999 */
	return (r < 0 ? -r : r) <= 1e-9 * (a > 1 ? a : 1);
}

/* A count keyword such as minLength (2, or 2.0 since 2019-09); 0 when absent
 * or not a count. */
static int get_count(const json_t *s, const char *key, size_t *out)
{
	const json_t *k = json_object_get(s, key);
	double d = json_number_value(k);

	if (!json_is_number(k) || d < 0 || d > 1e15 || !is_whole(d))
		return 0;
	*out = json_is_integer(k) ? (size_t)json_integer_value(k) : (size_t)d;
	return 1;
}

/* Characters in a UTF-8 string, not bytes. */
static size_t utf8_len(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* ---- $ref ---- */

static int is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Step from cur by one JSON pointer token (already ~-unescaped). */
static const json_t *pointer_step(const json_t *cur, const char *tok)
{
	if (json_is_object(cur))
		return json_object_get(cur, tok);
	if (!json_is_array(cur) || !*tok || strlen(tok) > 9 || (tok[0] == '0' && tok[1]))
		return NULL;
	size_t i = 0;
	for (const char *p = tok; *p; p++) {
		if (*p < '0' || *p > '9')
			return NULL;
		i = i * 10 + (size_t)(*p - '0');
	}
	return json_array_get(cur, i);
}

/* Resolve a local reference ("#", "#/$defs/a", "#/items/0") in root; NULL if
 * it is remote, an anchor, or points nowhere. Borrowed. */
static const json_t *resolve(const json_t *root, const char *ref)
{
	const json_t *cur = NULL;
	char *frag, *tok, *next, *w;

	if (ref[0] != '#' || (ref[1] && ref[1] != '/'))
		return NULL;
	/* A fragment is percent-encoded first; then it is a JSON pointer. */
	frag = xstrdup(ref + 1);
	w = frag;
	for (const char *r = ref + 1; *r; r++) {
		if (*r == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
			*w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	cur = root;
	for (tok = frag[0] ? frag + 1 : NULL; tok && cur; tok = next) {
		next = strchr(tok, '/');
		if (next)
			*next++ = '\0';
		w = tok;
		for (char *r = tok; *r; r++) {
			if (*r == '~' && (r[1] == '0' || r[1] == '1'))
				*w++ = *++r == '0' ? '~' : '/';
			else
				*w++ = *r;
		}
		*w = '\0';
		cur = pointer_step(cur, tok);
	}
	free(frag);
	return cur;
}

/* ---- patterns ---- */

/* Compile an ECMA-262 pattern with PCRE2 the way JSON Schema reads it: UTF-8
 * code points, \d \w \s ASCII as in ECMA without the u flag, \uhhhh and \xhh
 * as JavaScript writes them, and "$" only at the very end. NULL with err
 * (PCRE2's message and the offset) when it does not compile. */
static pcre2_code *pattern_compile(const char *pat, struct err *err)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re =
		pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
			      PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[120];
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code);
		err_set(err, "the pattern \"%s\" is not a regular expression: %s at offset %zu",
			pat, (const char *)msg, (size_t)off);
	}
	return re;
}

/* 1 when s matches pat (searching, unanchored, as ECMA does), 0 when not, -1
 * (a fatal schema error) when pat does not compile. */
static int pattern_match(struct ctx *c, const char *pat, const char *s)
{
	struct re_entry tmp = {0}, *e = NULL;
	int rc;

	for (int i = 0; i < c->nre && !e; i++) {
		if (c->re[i].pat == pat || strcmp(c->re[i].pat, pat) == 0)
			e = &c->re[i];
	}
	if (!e) {
		struct err perr;
		err_init(&perr);
		pcre2_code *re = pattern_compile(pat, &perr);
		if (!re)
			return fatal(c, "%s", perr.msg);
		e = c->nre < SCHEMA_RE_CACHE ? &c->re[c->nre++] : &tmp;
		e->pat = pat;
		e->code = re;
	}
	if (!c->md)
		c->md = pcre2_match_data_create(1, NULL);
	if (!c->md)
		abort(); /* out of memory, as xmalloc */
	rc = pcre2_match(e->code, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, c->md, NULL);
	pcre2_code_free(tmp.code);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		return fatal(c, "the pattern \"%s\" could not be run (PCRE2 error %d)", pat, rc);
	return rc >= 0;
}

/* Keys under which a value is data, not a schema: a "pattern" there is text. */
static int data_key(const char *k)
{
	static const char *const keys[] = {"const", "enum", "default", "examples", "example"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

static int check_patterns(const json_t *v, struct buf *path, struct err *err)
{
	size_t mark = path->len;
	int ret = 0;
	if (json_is_array(v)) {
		size_t i;
		const json_t *x;
		json_array_foreach((json_t *)v, i, x) {
			char step[32];
			snprintf(step, sizeof(step), "/%zu", i);
			buf_adds(path, step);
			ret = check_patterns(x, path, err);
			path->len = mark;
			path->data[mark] = '\0';
			if (ret < 0)
				return -1;
		}
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	const char *k;
	const json_t *x;
	json_object_foreach((json_t *)v, k, x) {
		if (data_key(k))
			continue;
		buf_adds(path, "/");
		buf_adds(path, k);
		struct err e;
		err_init(&e);
		pcre2_code *re = NULL;
		if (strcmp(k, "pattern") == 0 && json_is_string(x)) {
			re = pattern_compile(json_string_value(x), &e);
			ret = re ? 0 : -1;
		} else if (strcmp(k, "patternProperties") == 0 && json_is_object(x)) {
			const char *pk;
			const json_t *px;
			json_object_foreach((json_t *)x, pk, px) {
				if (!(re = pattern_compile(pk, &e))) {
					ret = -1;
					break;
				}
				pcre2_code_free(re);
				re = NULL;
			}
			if (ret == 0)
				ret = check_patterns(x, path, err);
		} else {
			ret = check_patterns(x, path, err);
		}
		pcre2_code_free(re);
		if (ret < 0 && e.msg[0])
			err_set(err, "%s: %s", path->data, e.msg);
		path->len = mark;
		if (path->data)
			path->data[mark] = '\0';
		if (ret < 0)
			return -1;
	}
	return 0;
}

int schema_check_patterns(const json_t *doc, struct err *err)
{
	struct buf path;
	buf_init(&path, 0);
	int ret = check_patterns(doc, &path, err);
	buf_release(&path);
	return ret;
}

/* ---- formats ---- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int fmt_date_at(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

static int fmt_date(const char *s)
{
	return fmt_date_at(s) && s[10] == '\0';
}

/* RFC 3339 full-time: 23:59:60 only as a UTC leap second. */
static int fmt_time(const char *s)
{
	int h, mi, sec, oh = 0, om = 0, sign = 0;
	if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &mi) || s[5] != ':' ||
	    !digits(s + 6, 2, &sec))
		return 0;
	s += 8;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (!digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om))
			return 0;
		s += 6;
	} else {
		return 0;
	}
	if (*s || h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		return 0;
	return sec < 60 || ((h * 60 + mi - sign * (oh * 60 + om)) % 1440 + 1440) % 1440 == 1439;
}

static int fmt_date_time(const char *s)
{
	return fmt_date_at(s) && (s[10] == 'T' || s[10] == 't') && fmt_time(s + 11);
}

/* local@domain.tld, loosely: no spaces, no stray dots, an ASCII domain made of
 * letters, digits, dots and hyphens (or non-ASCII, for IDNs). Quoted local
 * parts and address literals are not accepted. */
static int fmt_email(const char *s)
{
	const char *at = strrchr(s, '@'), *dot = at ? strrchr(at, '.') : NULL;

	if (!at || at == s || s[0] == '.' || at[-1] == '.' || strstr(s, "..") || !dot ||
	    dot == at + 1 || !dot[1])
		return 0;
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || (*p == '@' && p != at))
			return 0;
		if (p > at && (unsigned char)*p < 0x80 && !is_alnum(*p) && *p != '.' && *p != '-')
			return 0;
	}
	return 1;
}

/* scheme ":" rest, where rest is printable ASCII with valid %XX escapes. */
static int fmt_uri(const char *s)
{
	const char *p = s;
	if (!is_alnum(*p) || *p <= '9') /* a scheme starts with a letter */
		return 0;
	while (is_alnum(*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':')
		return 0;
	for (p++; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch <= ' ' || ch >= 0x7f || strchr("<>\"{}|\\^`", ch))
			return 0;
		if (ch == '%' && (hexval(p[1]) < 0 || hexval(p[2]) < 0))
			return 0;
	}
	return 1;
}

static int fmt_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (hexval(s[i]) < 0) {
			return 0;
		}
	}
	return s[36] == '\0';
}

static const struct {
	const char *name;
	int (*check)(const char *s);
	const char *hint;
} formats[] = {
	{"date-time", fmt_date_time, "an RFC 3339 date-time such as \"2024-01-31T09:30:00Z\""},
	{"date", fmt_date, "a date such as \"2024-01-31\""},
	{"email", fmt_email, "an address such as \"name@example.com\""},
	{"uri", fmt_uri, "an absolute URI such as \"https://example.com/path\""},
	{"uuid", fmt_uuid, "a UUID such as \"123e4567-e89b-12d3-a456-426614174000\""},
};

/* ---- keywords ---- */

/* Append the type names in t (a name or an array of names) to want, joined
 * by " or ", each name once. */
static void add_types(const json_t *t, char *want, size_t n)
{
	const json_t *m;
	size_t i, len = strlen(want);

	if (json_is_string(t) && !strstr(want, json_string_value(t)))
		snprintf(want + len, n - len, "%s%s", len ? " or " : "", json_string_value(t));
	json_array_foreach(t, i, m) {
		if (json_is_string(m))
			add_types(m, want, n);
	}
}

static int check_type(struct ctx *c, const json_t *s, const json_t *inst)
{
	const json_t *t = json_object_get(s, "type"), *m;
	char want[160] = "";
	size_t i;

	if (!json_is_string(t) && !json_is_array(t))
		return 0;
	if (json_is_string(t) && has_type(inst, json_string_value(t)))
		return 0;
	json_array_foreach(t, i, m) {
		if (json_is_string(m) && has_type(inst, json_string_value(m)))
			return 0;
	}
	add_types(t, want, sizeof(want));
	return fail_type(c, "expected %s, got %s", want, type_name(inst));
}

static int check_value(struct ctx *c, const json_t *s, const json_t *inst)
{
	const json_t *en = json_object_get(s, "enum"), *cst = json_object_get(s, "const"), *m;
	char v[96], list[240];
	int found = 0;
	size_t i;

	if (json_is_array(en)) {
		json_array_foreach(en, i, m) {
			found = found || equal(inst, m);
		}
		if (!found) {
			join(en, list, sizeof(list));
			show(inst, v, sizeof(v));
			return fail(c, "value %s not in enum (allowed: %s)", v, list);
		}
	}
	if (cst && !equal(inst, cst))
		return fail(c, "expected the constant %s, got %s", show(cst, list, sizeof(list)),
			    show(inst, v, sizeof(v)));
	return 0;
}

static int check_number(struct ctx *c, const json_t *s, const json_t *inst)
{
	const json_t *k;
	char v[64], lim[64];

	/* The values are shown only in a failure: dumping them costs more
	 * than the checks. */
	if (json_is_number(k = json_object_get(s, "minimum")) && num_cmp(inst, k) < 0)
		return fail(c, "value %s is less than the minimum %s", show(inst, v, sizeof(v)),
			    show(k, lim, sizeof(lim)));
	if (json_is_number(k = json_object_get(s, "exclusiveMinimum")) && num_cmp(inst, k) <= 0)
		return fail(c, "value %s must be greater than %s", show(inst, v, sizeof(v)),
			    show(k, lim, sizeof(lim)));
	if (json_is_number(k = json_object_get(s, "maximum")) && num_cmp(inst, k) > 0)
		return fail(c, "value %s is greater than the maximum %s", show(inst, v, sizeof(v)),
			    show(k, lim, sizeof(lim)));
	if (json_is_number(k = json_object_get(s, "exclusiveMaximum")) && num_cmp(inst, k) >= 0)
		return fail(c, "value %s must be less than %s", show(inst, v, sizeof(v)),
			    show(k, lim, sizeof(lim)));
	k = json_object_get(s, "multipleOf");
	if (json_is_number(k) && json_number_value(k) > 0 && !is_multiple(inst, k))
		return fail(c, "value %s is not a multiple of %s", show(inst, v, sizeof(v)),
			    show(k, lim, sizeof(lim)));
	return 0;
}

static int check_string(struct ctx *c, const json_t *s, const json_t *inst)
{
	const char *str = json_string_value(inst);
	size_t n = utf8_len(str, json_string_length(inst));
	const json_t *k;
	size_t lim;
	char v[96];

	if (get_count(s, "minLength", &lim) && n < lim)
		return fail(c, "expected at least %zu characters, got %zu", lim, n);
	if (get_count(s, "maxLength", &lim) && n > lim)
		return fail(c, "expected at most %zu characters, got %zu", lim, n);
	k = json_object_get(s, "pattern");
	int m = json_is_string(k) ? pattern_match(c, json_string_value(k), str) : 1;
	if (m < 0)
		return -1;
	if (!m)
		return fail(c, "string %s does not match the pattern \"%s\"",
			    show(inst, v, sizeof(v)), json_string_value(k));
	k = json_object_get(s, "format");
	for (size_t i = 0; json_is_string(k) && i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(json_string_value(k), formats[i].name) == 0 &&
		    (!formats[i].check(str) || strlen(str) != json_string_length(inst)))
			return fail(c, "string %s is not a valid %s; expected %s",
				    show(inst, v, sizeof(v)), formats[i].name, formats[i].hint);
	}
	return 0;
}

static int check_array(struct ctx *c, const json_t *s, const json_t *inst)
{
	const json_t *tuple = json_object_get(s, "prefixItems");
	const json_t *rest = json_object_get(s, "items");
	size_t n = json_array_size(inst), ntuple = 0, lim;

	/* 2020-12: prefixItems + items; draft 7 and earlier: items array + additionalItems. */
	if (!json_is_array(tuple) && json_is_array(rest)) {
		tuple = rest;
		rest = json_object_get(s, "additionalItems");
	}
	if (json_is_array(tuple))
		ntuple = json_array_size(tuple);
	if (json_is_false(rest) && n > ntuple)
		return fail(c, "expected at most %zu items, got %zu", ntuple, n);
	for (size_t i = 0; i < n; i++) {
		const json_t *sub = i < ntuple ? json_array_get(tuple, i) : rest;
		char num[24];
		snprintf(num, sizeof(num), "%zu", i);
		if (sub && validate_at(c, sub, json_array_get(inst, i), num) < 0)
			return -1;
	}
	if (get_count(s, "minItems", &lim) && n < lim)
		return fail(c, "expected at least %zu items, got %zu", lim, n);
	if (get_count(s, "maxItems", &lim) && n > lim)
		return fail(c, "expected at most %zu items, got %zu", lim, n);
	for (size_t i = 0; json_is_true(json_object_get(s, "uniqueItems")) && i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			if (equal(json_array_get(inst, i), json_array_get(inst, j)))
				return fail(c, "items %zu and %zu are equal; items must be unique",
					    i, j);
		}
	}
	return 0;
}

/* propertyNames: validate a key as if it were a string value. The reason
 * goes into why, without the "path: " it was reported at. */
static int check_name(struct ctx *c, const json_t *names, const char *key, struct err *why)
{
	json_t *name = json_string(key); /* new; dropped below */
	size_t skip = strlen(path_str(c)) + 2;
	int score, ret = name ? probe(c, names, name, why, &score) : 0;

	if (ret < 0 && strlen(why->msg) >= skip)
		memmove(why->msg, why->msg + skip, strlen(why->msg + skip) + 1);
	json_decref(name);
	return ret;
}

static int check_object(struct ctx *c, const json_t *s, const json_t *inst)
{
	const json_t *props = json_object_get(s, "properties");
	const json_t *pprops = json_object_get(s, "patternProperties");
	const json_t *extra = json_object_get(s, "additionalProperties");
	const json_t *names = json_object_get(s, "propertyNames");
	const json_t *k, *sub, *v;
	const char *key, *pat;
	size_t i, n = json_object_size(inst), lim;
	char list[240], pats[120];
	struct err why;

	json_array_foreach(json_object_get(s, "required"), i, k) {
		if (json_is_string(k) && !json_object_get(inst, json_string_value(k)))
			return fail(c, "required property \"%s\" missing", json_string_value(k));
	}
	if (get_count(s, "minProperties", &lim) && n < lim)
		return fail(c, "expected at least %zu properties, got %zu", lim, n);
	if (get_count(s, "maxProperties", &lim) && n > lim)
		return fail(c, "expected at most %zu properties, got %zu", lim, n);
	if (!json_is_object(props))
		props = NULL;
	if (!json_is_object(pprops))
		pprops = NULL;
	json_object_foreach((json_t *)inst, key, v) {
		int known = 0;
		if (names && check_name(c, names, key, &why) < 0) {
			if (c->fatal)
				return -1;
			return fail(c, "invalid property name \"%s\" (%s)", key, why.msg);
		}
		if (props && (sub = json_object_get(props, key))) {
			known = 1;
			if (validate_at(c, sub, v, key) < 0)
				return -1;
		}
		json_object_foreach((json_t *)pprops, pat, sub) {
			int m = pattern_match(c, pat, key);
			if (m < 0)
				return -1;
			if (!m)
				continue;
			known = 1;
			if (validate_at(c, sub, v, key) < 0)
				return -1;
		}
		if (known || !extra || json_is_true(extra))
			continue;
		if (!json_is_false(extra)) {
			if (validate_at(c, extra, v, key) < 0)
				return -1;
			continue;
		}
		join(props, list, sizeof(list));
		join(pprops, pats, sizeof(pats));
		if (!*list && !*pats)
			return fail(c, "unexpected property \"%s\"; no properties are allowed",
				    key);
		return fail(c, "unexpected property \"%s\"; allowed: %s%s%s%s", key, list,
			    *list && *pats ? ", or " : "", *pats ? "names matching " : "", pats);
	}
	return 0;
}

/* anyOf and oneOf: at least (or exactly) one alternative must match. */
static int check_alternatives(struct ctx *c, const json_t *alts, const json_t *inst, int one)
{
	struct err scratch, best;
	int score, best_score = -1, best_i = 0, matched = -1;
	char want[160];
	const json_t *sub;
	size_t i;

	err_init(&best);
	json_array_foreach(alts, i, sub) {
		if (probe(c, sub, inst, &scratch, &score) == 0) {
			if (!one)
				return 0;
			if (matched >= 0)
				return fail(c,
					    "matches both alternatives #%d and #%zu of oneOf; "
					    "it must match exactly one",
					    matched, i);
			matched = (int)i;
		} else if (c->fatal) {
			return -1;
		} else if (score > best_score) {
			best = scratch;
			best_score = score;
			best_i = (int)i;
		}
	}
	if (matched >= 0 || best_score < 0)
		return 0;
	/* When every alternative wants another type, name the types. */
	want[0] = '\0';
	json_array_foreach(alts, i, sub) {
		add_types(json_object_get(sub, "type"), want, sizeof(want));
		if (!json_object_get(sub, "type"))
			break;
	}
	if (best_score == path_depth(c) * 2 && i == json_array_size(alts))
		return fail_type(c, "expected %s, got %s", want, type_name(inst));
	fail(c, "matches none of the %zu alternatives of %s (closest is #%d: %s)",
	     json_array_size(alts), one ? "oneOf" : "anyOf", best_i, best.msg);
	if (best_score > c->score)
		c->score = best_score;
	return -1;
}

static int check_logic(struct ctx *c, const json_t *s, const json_t *inst)
{
	const json_t *k, *sub;
	struct err scratch;
	int score;
	size_t i;

	json_array_foreach(json_object_get(s, "allOf"), i, sub) {
		if (validate(c, sub, inst) < 0)
			return -1;
	}
	if (json_is_array(k = json_object_get(s, "anyOf")) && check_alternatives(c, k, inst, 0) < 0)
		return -1;
	if (json_is_array(k = json_object_get(s, "oneOf")) && check_alternatives(c, k, inst, 1) < 0)
		return -1;
	if ((k = json_object_get(s, "not"))) {
		if (probe(c, k, inst, &scratch, &score) == 0)
			return fail(c, "value must not match the schema under \"not\"");
		if (c->fatal)
			return -1;
	}
	return 0;
}

static int check_ref(struct ctx *c, const json_t *s, const json_t *inst)
{
	const json_t *ref = json_object_get(s, "$ref"), *target;

	if (!json_is_string(ref))
		return 0;
	target = resolve(c->root, json_string_value(ref));
	if (!target)
		return fatal(c,
			     "cannot resolve $ref \"%s\" in the schema (only local references "
			     "such as \"#/$defs/name\" are supported)",
			     json_string_value(ref));
	return validate(c, target, inst);
}

static int validate(struct ctx *c, const json_t *s, const json_t *inst)
{
	int ret = -1;

	if (c->fatal)
		return -1;
	if (json_is_false(s))
		return fail(c, "no value is allowed here (the schema is false)");
	if (!json_is_object(s))
		return 0;
	if (c->depth >= SCHEMA_MAX_DEPTH)
		return fatal(c, "schema nested deeper than %d levels (a $ref loop?)",
			     SCHEMA_MAX_DEPTH);
	if (++c->steps > SCHEMA_MAX_STEPS)
		return fatal(c, "schema too complex: gave up after %d steps", SCHEMA_MAX_STEPS);
	c->depth++;
	if (check_ref(c, s, inst) < 0 || check_type(c, s, inst) < 0 || check_value(c, s, inst) < 0)
		goto out;
	if (json_is_number(inst) && check_number(c, s, inst) < 0)
		goto out;
	if (json_is_string(inst) && check_string(c, s, inst) < 0)
		goto out;
	if (json_is_array(inst) && check_array(c, s, inst) < 0)
		goto out;
	if (json_is_object(inst) && check_object(c, s, inst) < 0)
		goto out;
	if (check_logic(c, s, inst) < 0)
		goto out;
	ret = 0;
out:
	c->depth--;
	return ret;
}

int schema_validate_in(const json_t *root, const json_t *schema, const json_t *instance,
		       struct err *err)
{
	struct ctx c;
	int ret;

	if (!schema || !instance)
		return err_set(err, "schema: nothing to validate (missing schema or instance)");
	memset(&c, 0, sizeof(c));
	c.root = root ? root : schema;
	c.err = err;
	buf_init(&c.path, SCHEMA_PATH_CAP);
	ret = validate(&c, schema, instance);
	if (c.fatal)
		err_set(err, "%s", c.fatal_err.msg);
	for (int i = 0; i < c.nre; i++)
		pcre2_code_free(c.re[i].code);
	pcre2_match_data_free(c.md);
	buf_release(&c.path);
	return ret;
}

int schema_validate(const json_t *schema, const json_t *instance, struct err *err)
{
	return schema_validate_in(schema, schema, instance, err);
}
