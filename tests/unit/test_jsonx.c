/* test_jsonx.c - jsonx.c: reals in their shortest form, JSON pointers with
 * "/-1", and the first of several pointers. */
#include "jsonx.h"

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "util.h"

/* jsonx_dumps of the JSON text in, as a string compared with want. */
static void check_dumps(const char *in, const char *want)
{
	json_t *v = json_loads(in, JSON_DECODE_ANY, NULL);
	char *s = v ? jsonx_dumps(v) : NULL;
	CHECK_STR(s, want);
	free(s);
	json_decref(v);
}

static void test_dumps(void)
{
	check_dumps("4.35", "4.35");
	check_dumps("{\"price\": 4.35, \"qty\": 2}", "{\"price\":4.35,\"qty\":2}");
	/* One real needing 17 digits sets the precision for the document; the
	 * others still read back the same. */
	check_dumps("[0.30000000000000004, 4.35]", "[0.30000000000000004,4.3499999999999996]");
	check_dumps("[1.0, -0.5, 1e100]", "[1.0,-0.5,1e100]");
	check_dumps("\"text\"", "\"text\"");
	check_dumps("null", "null");

	json_t *m = json_pack("{s:f}", "amount", 4.35);
	char *s = jsonx_dumps(m);
	CHECK_STR(s, "{\"amount\":4.35}");
	free(s);
	json_decref(m);

	char *t = jsonx_real_text(4.35);
	CHECK_STR(t, "4.35");
	free(t);
	t = jsonx_real_text(5.0);
	CHECK_STR(t, "5");
	free(t);
	t = jsonx_real_text(0.1 + 0.2);
	CHECK_STR(t, "0.30000000000000004");
	free(t);
}

/* RFC 6901 section 5: every example pointer against the example document. */
static void test_pointer_rfc6901(void)
{
	json_t *doc = json_loads("{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, "
				 "\"e^f\": 3, \"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7, "
				 "\"m~n\": 8}",
				 0, NULL);
	CHECK(doc != NULL);
	CHECK(jsonx_pointer(doc, "") == doc);
	CHECK(jsonx_pointer(doc, "/foo") == json_object_get(doc, "foo"));
	CHECK_STR(json_string_value(jsonx_pointer(doc, "/foo/0")), "bar");
	const char *ptrs[] = {"/",     "/a~1b", "/c%d", "/e^f", "/g|h",
			      "/i\\j", "/k\"l", "/ ",   "/m~0n"};
	for (int i = 0; i < 9; i++)
		CHECK(json_integer_value(jsonx_pointer(doc, ptrs[i])) == i);
	CHECK(jsonx_pointer(doc, "/m~0n") != NULL &&
	      json_integer_value(jsonx_pointer(doc, "/m~0n")) == 8);
	/* Errors: a bad escape, no leading '/', leading zeros, "-" past the end. */
	CHECK(jsonx_pointer(doc, "/m~2n") == NULL);
	CHECK(jsonx_pointer(doc, "/a~") == NULL);
	CHECK(jsonx_pointer(doc, "foo") == NULL);
	CHECK(jsonx_pointer(doc, "/foo/01") == NULL);
	CHECK(jsonx_pointer(doc, "/foo/-") == NULL);
	CHECK(jsonx_pointer(doc, "/foo/+1") == NULL);
	CHECK(jsonx_pointer(doc, "/foo/0/x") == NULL);
	/* "//" is the key "" twice, not a skipped step. */
	CHECK(jsonx_pointer(doc, "//") == NULL);
	json_decref(doc);
}

static void test_pointer(void)
{
	json_t *doc =
		json_loads("{\"a\": [10, 20, {\"b\": \"x\"}], \"n\": null, \"o\": {}}", 0, NULL);
	CHECK(jsonx_pointer(doc, NULL) == doc);
	CHECK(jsonx_pointer(doc, "") == doc);
	CHECK(json_integer_value(jsonx_pointer(doc, "/a/0")) == 10);
	CHECK(json_integer_value(jsonx_pointer(doc, "/a/1")) == 20);
	CHECK_STR(json_string_value(jsonx_pointer(doc, "/a/-1/b")), "x");
	CHECK(json_integer_value(jsonx_pointer(doc, "/a/-3")) == 10);
	CHECK(jsonx_pointer(doc, "/a/-4") == NULL);
	CHECK(jsonx_pointer(doc, "/a/3") == NULL);
	CHECK(jsonx_pointer(doc, "/a/x") == NULL);
	CHECK(jsonx_pointer(doc, "/missing/0") == NULL);
	CHECK(json_is_null(jsonx_pointer(doc, "/n")));

	/* One pointer takes any value; from a list, the first scalar. */
	json_t *one = json_string("/o");
	CHECK(json_is_object(jsonx_pointer_first(doc, one)));
	json_t *list = json_pack("[s, s, s, s]", "/o", "/n", "/missing", "/a/2/b");
	CHECK_STR(json_string_value(jsonx_pointer_first(doc, list)), "x");
	json_t *none = json_pack("[s]", "/o");
	CHECK(jsonx_pointer_first(doc, none) == NULL);
	CHECK(jsonx_pointer_first(doc, NULL) == NULL);
	json_decref(one);
	json_decref(list);
	json_decref(none);
	json_decref(doc);
}

/* The free jansson gets wipes the whole block first. */
static void test_wipe(void)
{
	char *p = malloc(40);
	memset(p, 'S', 40);
	jsonx_wipe_block(p);
	size_t zero = 0;
	for (size_t i = 0; i < 40; i++)
		zero += p[i] == 0;
	CHECK(zero == 40);
	free(p);
	jsonx_wipe_block(NULL);

	json_malloc_t m = NULL;
	json_free_t f = NULL;
	json_get_alloc_funcs(&m, &f);
	CHECK(f == free);
	jsonx_wipe_on_free();
	json_get_alloc_funcs(&m, &f);
	CHECK(f != free && m == malloc);
	json_t *v = json_pack("{s:s}", "token", "secret-value");
	json_decref(v); /* through the wiping free, clean under ASan */
}

static void test_has_string(void)
{
	json_t *a = json_pack("[s, i, n, s]", "refund", 3, "charge");
	CHECK(jsonx_has_string(a, "refund") && jsonx_has_string(a, "charge"));
	CHECK(!jsonx_has_string(a, "refunds") && !jsonx_has_string(a, NULL));
	CHECK(!jsonx_has_string(NULL, "refund"));
	json_t *o = json_pack("{s:s}", "refund", "refund");
	CHECK(!jsonx_has_string(o, "refund")); /* only arrays */
	json_decref(o);
	json_decref(a);
}

int main(void)
{
	test_has_string();
	test_dumps();
	test_pointer();
	test_pointer_rfc6901();
	test_wipe();
	return t_done();
}
