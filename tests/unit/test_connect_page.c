/* test_connect_page.c - the connect page's form decoding, its same-origin
 * check and HTML escaping: what a browser (or another site) may post. */
#include "connect_page.h"

#include <stdlib.h>
#include <string.h>

#include "t.h"

static void test_decode(void)
{
	const char *body = "csrf=abc&f_api_key=sk_test%2B1+2&name=&f_shop=acme";
	json_t *f = connect_form_decode(body, strlen(body));
	CHECK(f != NULL);
	CHECK_STR(json_string_value(json_object_get(f, "csrf")), "abc");
	CHECK_STR(json_string_value(json_object_get(f, "f_api_key")), "sk_test+1 2");
	CHECK_STR(json_string_value(json_object_get(f, "name")), "");
	CHECK_STR(json_string_value(json_object_get(f, "f_shop")), "acme");
	json_decref(f);
	/* Malformed escapes, a NUL byte, bytes that are not UTF-8. */
	static const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%00", "a=%ff%fe", NULL};
	for (int i = 0; bad[i]; i++)
		CHECK(connect_form_decode(bad[i], strlen(bad[i])) == NULL);
	f = connect_form_decode("", 0);
	CHECK(f && json_object_size(f) == 0);
	json_decref(f);
	/* More than 64 fields is not a form of ours. */
	char many[1024];
	size_t n = 0;
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%sk%d=v", i ? "&" : "", i);
	CHECK(connect_form_decode(many, strlen(many)) == NULL);
}

static int same_origin(const char *host, const char *origin, int port)
{
	json_t *h = json_object();
	if (host)
		json_object_set_new(h, "host", json_string(host));
	if (origin)
		json_object_set_new(h, "origin", json_string(origin));
	struct listen_request req = {.method = "POST", .path = "/", .headers = h};
	int ok = connect_same_origin(&req, port);
	json_decref(h);
	return ok;
}

static void test_same_origin(void)
{
	CHECK(same_origin("127.0.0.1:8790", "http://127.0.0.1:8790", 8790));
	CHECK(same_origin("localhost:8790", "http://localhost:8790", 8790));
	CHECK(same_origin("[::1]:8790", "http://[::1]:8790", 8790));
	CHECK(!same_origin("127.0.0.1:8790", "http://evil.example", 8790));
	CHECK(!same_origin("127.0.0.1:8790", "null", 8790));
	CHECK(!same_origin("127.0.0.1:8790", NULL, 8790));
	CHECK(!same_origin("evil.example:8790", "http://evil.example:8790", 8790)); /* rebinding */
	CHECK(!same_origin("127.0.0.1:8790", "http://127.0.0.1:8791", 8790));
	CHECK(!same_origin("127.0.0.1:8790", "https://127.0.0.1:8790", 8790));
	CHECK(!same_origin(NULL, "http://127.0.0.1:8790", 8790));
}

static void test_escape(void)
{
	char *s = html_escape("<a href=\"x\">'&'</a>");
	CHECK_STR(s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	free(s);
	s = html_escape(NULL);
	CHECK_STR(s, "");
	free(s);
}

int main(void)
{
	test_decode();
	test_same_origin();
	test_escape();
	return t_done();
}
