/* test_jsonx_load.c - the fast paths against jansson: jsonx_loadb against
 * json_loadb (for every input the same verdict, the same value, order,
 * integer or real, and for a bad input jansson's own error) and jsonx_dumps
 * against json_dumps (the same bytes); on edge cases, every connector file,
 * and inputs mutated from a few seeds. */
#include "jsonx.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "util.h"

static const size_t flag_sets[] = {0, JSON_REJECT_DUPLICATES, JSON_DECODE_ANY,
				   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, JSON_ALLOW_NUL};

/* The precision jsonx_dumps picks: the fewest digits (15 to 17) that read
 * every real of the document back the same. */
static int digits_of(json_t *v)
{
	int p = 15, q;
	size_t i;
	const char *k;
	json_t *x;
	if (json_is_real(v)) {
		for (p = 15; p < 17; p++) {
			char b[40];
			snprintf(b, sizeof(b), "%.*g", p, json_real_value(v));
			if (strtod(b, NULL) == json_real_value(v))
				break;
		}
	}
	json_array_foreach(v, i, x) {
		q = digits_of(x);
		p = q > p ? q : p;
	}
	json_object_foreach(v, k, x) {
		q = digits_of(x);
		p = q > p ? q : p;
	}
	return p;
}

/* jsonx_dumps against json_dumps: 1 when they write the same bytes (or
 * both fail). */
static int same_dump(json_t *v)
{
	char *a = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(digits_of(v)));
	char *b = jsonx_dumps(v);
	int ok = (!a && !b) || (a && b && strcmp(a, b) == 0);
	if (!ok)
		fprintf(stderr, "dumps differ:\n jansson %s\n jsonx   %s\n", a ? a : "(null)",
			b ? b : "(null)");
	free(a);
	free(b);
	return ok;
}

/* Both parsers on buf with flags: 1 when they agree (and, for a value, both
 * dumps write the same). */
static int same(const char *buf, size_t len, size_t flags)
{
	json_error_t ea, eb;
	json_t *a = json_loadb(buf, len, flags, &ea);
	json_t *b = jsonx_loadb(buf, len, flags, &eb);
	int ok;
	if (!a || !b) {
		ok = !a && !b && strcmp(ea.text, eb.text) == 0 && ea.line == eb.line &&
		     ea.column == eb.column && ea.position == eb.position;
	} else {
		char *da = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
		char *db = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
		ok = da && db && strcmp(da, db) == 0 && json_equal(a, b) &&
		     eb.position == ea.position && eb.line == ea.line && same_dump(a);
		free(da);
		free(db);
	}
	if (!ok)
		fprintf(stderr, "differs (flags %zu): %.*s\n", flags, (int)(len > 200 ? 200 : len),
			buf);
	json_decref(a);
	json_decref(b);
	return ok;
}

static void test_edges(void)
{
	static const char *const cases[] = {
		"{}",
		"[]",
		" [ ] ",
		"{\"\":\"\"}",
		"[1,2.5,-0,-0.0,1e5,1E-5,0.5e+3]",
		"[true,false,null]",
		"\"top\"",
		"42",
		"-1",
		"1.5",
		"null",
		"[9223372036854775807,-9223372036854775808]",
		"[9223372036854775808]",
		"[-9223372036854775809]",
		"[1e308,4.9e-324,1e-400]",
		"[1e400]",
		"[-1e400]",
		"[01]",
		"[1.]",
		"[.5]",
		"[-]",
		"[+1]",
		"[1e]",
		"[0x1]",
		"[1 2]",
		"[1,]",
		"{\"a\"}",
		"{\"a\":1,}",
		"{\"a\":1 \"b\":2}",
		"{a:1}",
		"{\"a\":1,\"a\":2}",
		"[\"\\u00e9\"]",
		"[\"\\ud83d\\ude00\"]",
		"[\"\\ud800\"]",
		"[\"\\udc00\"]",
		"[\"\\ud800\\u0041\"]",
		"[\"\\u0000\"]",
		"{\"\\u0000\":1}",
		"[\"\\x\"]",
		"[\"\\u12G4\"]",
		"[\"a\\/b\\b\\f\\n\\r\\t\"]",
		"[\"tab\there\"]",
		"[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
		"[\"\xc0\xaf\"]",
		"[\"\xed\xa0\x80\"]",
		"[\"\xf4\x90\x80\x80\"]",
		"[\"\xe2\x82\"]",
		"[\"\xff\"]",
		"\xef\xbb\xbf[]",
		"[] x",
		"[]\n",
		"",
		"   ",
		"[",
		"{\"a\":",
		"[\"unterminated",
		"[truex]",
		"[nul]",
		"[\"a\"\"b\"]",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++)
			CHECK(same(cases[i], strlen(cases[i]), flag_sets[f]));
	/* A NUL byte inside the buffer, and nesting past the fast path's depth
	 * and past jansson's. */
	CHECK(same("[1,\0 2]", 7, 0));
	for (size_t depth = 500; depth <= 2100; depth += 800) {
		char *deep = xmalloc(2 * depth + 1);
		memset(deep, '[', depth);
		memset(deep + depth, ']', depth);
		CHECK(same(deep, 2 * depth, 0));
		free(deep);
	}
}

static void test_dump_edges(void)
{
	json_t *v = json_pack("[f,f,f,f,f,f,f,f,f,f,I,I,i]", 1.0, -0.0, 1e100, 1e-5, 1e5, 0.1 + 0.2,
			      5e-324, 1.7976931348623157e308, 123456789012345678.0, 4.35,
			      (json_int_t)9223372036854775807LL,
			      (json_int_t)(-9223372036854775807LL - 1), 0);
	CHECK(same_dump(v));
	json_decref(v);
	v = json_pack("{s:s, s:s#, s:s, s:[], s:{}}", "ctl", "a\x01\x1f\x7f\"\\/\b\f\n\r\t", "nul",
		      "a\0b", 3, "utf8", "\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80", "e", "o");
	json_object_setn_new(v, "k\0ey", 4, json_true());
	CHECK(same_dump(v));
	json_decref(v);
	/* Not UTF-8: both fail. */
	v = json_stringn_nocheck("\xc3(", 2);
	CHECK(same_dump(v));
	CHECK(jsonx_dumps(v) == NULL);
	json_decref(v);
	v = json_string("top");
	CHECK(same_dump(v));
	json_decref(v);
}

static void test_connector_files(void)
{
	DIR *d = opendir("capabilities");
	struct dirent *de;
	int n = 0;
	CHECK(d != NULL);
	while (d && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), len = 0;
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		char *path = xasprintf("capabilities/%s", de->d_name);
		struct err e;
		err_init(&e);
		char *text = read_file(path, 4u << 20, &len, &e);
		CHECK(text != NULL);
		if (text)
			CHECK(same(text, len, JSON_REJECT_DUPLICATES));
		n++;
		free(text);
		free(path);
	}
	if (d)
		closedir(d);
	CHECK(n >= 10);
}

/* Seeds changed at random places by bytes that matter to a parser. */
static void test_mutations(void)
{
	static const char *const seeds[] = {
		"{\"a\":[1,2.5,-0,1e5,true,false,null,\"x\\u00e9\\ud83d\\ude00\\n\"],\"b\":{}}",
		"[\"\xc3\xa9\",\"\xe2\x82\xac\", 12345678901234567890, 1.7976931348623157e308]",
		"{\"k\":1,\"k\":{\"k\":[]}}",
		"[\"\\u0000\", \"\\ud800\", \"a\\/b\"]",
	};
	static const char bytes[] = "{}[]\",:\\u0123456789abcdefE-+. tfnrl\x01\x80\xc3\xa9\xed\xff";
	unsigned seed = 7;
	int agree = 0, runs = 20000;
	for (int i = 0; i < runs; i++) {
		char buf[256];
		const char *s = seeds[(unsigned)i % 4];
		size_t n = strlen(s);
		memcpy(buf, s, n);
		for (int m = 0; m < 3; m++) {
			seed = seed * 1103515245u + 12345u;
			size_t pos = (seed >> 8) % n;
			char c = bytes[(seed >> 4) % (sizeof(bytes) - 1)];
			if (seed & 1)
				buf[pos] = c;
			else if (n < sizeof(buf) - 1)
				memmove(buf + pos + 1, buf + pos, n - pos), buf[pos] = c, n++;
		}
		agree += same(buf, n, flag_sets[(unsigned)i % 4]);
	}
	CHECK(agree == runs);
}

int main(void)
{
	jsonx_wipe_on_free();
	test_edges();
	test_dump_edges();
	test_connector_files();
	test_mutations();
	return t_done();
}
