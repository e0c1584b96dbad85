/* test_registry_create.c - the Create Connector builder: slugs from names,
 * host names, auth methods and the document, and write_file_atomic. */
#include "registry_create.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

static void slugs(void)
{
	static const struct {
		const char *name, *slug;
	} cases[] = {
		{"Acme CRM", "acmecrm"},
		{"Acme CRM 2", "acmecrm2"},
		{"2nd Acme", "ndacme"},        /* a slug starts with a letter */
		{"Ünïcode Shop", "ncodeshop"}, /* only ASCII letters and digits */
		{"123 !!", ""},
		{"A very long vendor name indeed", "averylongvendornamei"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = registry_create_slug(cases[i].name);
		CHECK_STR(s, cases[i].slug);
		free(s);
	}
}

static void hosts(void)
{
	static const char *const good[] = {"salesforce.com", "login.acme-corp.example", "localhost",
					   "a.b.c.d.e", "x1.io"};
	static const char *const bad[] = {"",          "https://acme.com", "acme..com",
					  ".acme.com", "acme.com.",        "-acme.com",
					  "acme-.com", "acme.com/x",       "a b.com",
					  "1.2.3.4",   "acme_corp.com"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(registry_create_is_host(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!registry_create_is_host(bad[i]));
	char label[70];
	memset(label, 'a', 64);
	memcpy(label + 64, ".com", 5);
	CHECK(!registry_create_is_host(label)); /* a label of 64 */
	CHECK(registry_create_is_host(label + 1));
}

static void methods(void)
{
	struct err e;
	err_init(&e);
	json_t *m = registry_create_method("bearer", "acme", NULL, &e);
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(json_object_get(m, "fields"), "token"), "env")),
		  "ACME_TOKEN");
	json_decref(m);
	struct registry_create_auth q = {.key_in = "query"};
	m = registry_create_method("api_key", "acme", &q, &e);
	CHECK_STR(json_string_value(json_object_get(m, "name")), "api_key");
	json_decref(m);
	CHECK(!err_is_set(&e));
	CHECK(!registry_create_method("cookie", "acme", NULL, &e));
	CHECK(strstr(e.msg, "no auth method 'cookie'") != NULL);
	err_init(&e);
	struct registry_create_auth o = {.authorize_url = "https://a.example/auth",
					 .token_url = "https:///token"};
	CHECK(!registry_create_method("oauth2", "acme", &o, &e));
	err_init(&e);
	json_t *h = json_pack("{s:s}", "X-Key", "{key} and {key} and {other_2}");
	struct registry_create_auth c = {.custom_headers = h};
	m = registry_create_method("custom", "acme", &c, &e);
	CHECK(json_object_size(json_object_get(m, "fields")) == 2);
	json_decref(m);
	json_decref(h);
}

static void docs(void)
{
	setenv("SWITCHBOARD_DATADIR", ".", 0); /* run from the checkout (make test does) */
	struct err e;
	err_init(&e);
	json_t *methods = json_array();
	json_array_append_new(methods, registry_create_method("none", "x", NULL, &e));
	struct registry_create rc = {.name = "Acme", .methods = methods, .created_by = "alice"};
	json_t *doc = registry_create_doc(&rc, &e);
	CHECK(doc != NULL);
	CHECK_STR(json_string_value(json_object_get(doc, "slug")), "acme");
	CHECK_STR(json_string_value(json_object_get(doc, "description")), "Acme.");
	CHECK_STR(json_string_value(json_object_get(doc, "visibility")), "private");
	CHECK_STR(json_string_value(json_object_get(doc, "created_by")), "alice");
	CHECK(json_object_size(json_object_get(doc, "entities")) == 0);
	json_decref(doc);
	rc.slug = "edit";
	err_init(&e);
	CHECK(!registry_create_doc(&rc, &e));
	CHECK(strstr(e.msg, "connectors subcommand") != NULL);
	rc.slug = NULL;
	rc.name = "Line\nbreak";
	err_init(&e);
	CHECK(!registry_create_doc(&rc, &e));
	json_decref(methods);
}

static void atomic(void)
{
	char dir[] = "/tmp/sbtest-create-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *path = xasprintf("%s/x.json", dir);
	struct err e;
	err_init(&e);
	CHECK(write_file_atomic(path, "one", 3, 0600, 0, &e) == 0);
	CHECK(write_file_atomic(path, "two", 3, 0600, 0, &e) < 0);
	CHECK(strstr(e.msg, "exists already") != NULL);
	err_init(&e);
	CHECK(write_file_atomic(path, "three", 5, 0644, 1, &e) == 0);
	size_t len = 0;
	char *text = read_file(path, 100, &len, &e);
	CHECK_STR(text, "three");
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	free(text);
	unlink(path);
	CHECK(rmdir(dir) == 0); /* no temporary left behind */
	free(path);
}

int main(void)
{
	slugs();
	hosts();
	methods();
	docs();
	atomic();
	return t_done();
}
