/* test_jsonx_load.c - jsonx_loadb against json_loadb: for every input, the
 * same verdict, the same value (order, integer or real) and, for a bad
 * input, jansson's own error; on edge cases, every connector file, and
 * inputs mutated from a few seeds. */
#include "jsonx.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "util.h"

static const size_t flag_sets[] = {0, JSON_REJECT_DUPLICATES, JSON_DECODE_ANY,
				   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, JSON_ALLOW_NUL};

/* Both parsers on buf with flags: 1 when they agree. */
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
		     eb.position == ea.position && eb.line == ea.line;
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
	test_connector_files();
	test_mutations();
	return t_done();
}
