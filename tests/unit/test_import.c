/* test_import.c - import_yaml.c's typing of YAML scalars, anchors and its
 * bounds, and import.c's names: route words, collisions, tool length. */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "t.h"
#include "util.h"

/* The YAML text as compact JSON, or the error. */
static char *yaml(const char *text)
{
	struct err e;
	err_init(&e);
	json_t *v = import_yaml_parse(text, strlen(text), &e);
	char *s = v ? jsonx_dumps(v) : xasprintf("error: %s", e.msg);
	json_decref(v);
	return s;
}

static void check_yaml(const char *text, const char *want)
{
	char *got = yaml(text);
	CHECK_STR(got, want);
	free(got);
}

static void test_yaml(void)
{
	check_yaml("a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: null\ng: text\n",
		   "{\"a\":1,\"b\":-2,\"c\":1.5,\"d\":true,\"e\":null,\"f\":null,\"g\":\"text\"}");
	/* quoted scalars stay strings; version-like and leading-zero text too */
	check_yaml("a: \"1\"\nb: '2024-05-01'\nc: 2024-05-01\nd: 007\ne: 1.2.3\nf: \"true\"\n",
		   "{\"a\":\"1\",\"b\":\"2024-05-01\",\"c\":\"2024-05-01\",\"d\":\"007\","
		   "\"e\":\"1.2.3\",\"f\":\"true\"}");
	check_yaml("list: [a, 2, {k: v}]\nblock:\n  - x\n  - y\n",
		   "{\"list\":[\"a\",2,{\"k\":\"v\"}],\"block\":[\"x\",\"y\"]}");
	/* anchors and aliases resolve to copies */
	check_yaml("base: &b {type: string}\nuse: *b\n",
		   "{\"base\":{\"type\":\"string\"},\"use\":{\"type\":\"string\"}}");
	check_yaml("text: |\n  two\n  lines\n", "{\"text\":\"two\\nlines\\n\"}");
	check_yaml("big: 123456789012345678901\n", "{\"big\":\"123456789012345678901\"}");
	char *bad = yaml("a: [1, 2\n");
	CHECK(strncmp(bad, "error: yaml line", 16) == 0);
	free(bad);
	/* nesting is bounded */
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 200; i++)
		buf_adds(&b, "[");
	for (int i = 0; i < 200; i++)
		buf_adds(&b, "]");
	char *deep = yaml(b.data);
	CHECK_STR(deep, "error: yaml nested deeper than 128 levels");
	free(deep);
	buf_release(&b);
}

/* Names of every action import makes of the paths (METHOD path), one
 * "entity_action" per line in the order given. */
static char *names(const char *const *ops, const char *slug)
{
	json_t *paths = json_object();
	for (int i = 0; ops[i]; i++) {
		char method[8] = {0};
		const char *sp = strchr(ops[i], ' ');
		for (size_t k = 0; k < (size_t)(sp - ops[i]) && k < 7; k++)
			method[k] = (char)(ops[i][k] + 32);
		json_t *item = json_object_get(paths, sp + 1);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, sp + 1, item);
		}
		json_object_set_new(item, method, json_pack("{s:{}}", "responses"));
	}
	json_t *spec = json_pack("{s:s, s:{s:s}, s:o}", "openapi", "3.0.0", "info", "title", "T",
				 "paths", paths);
	struct import_opts o = {.slug = slug};
	json_t *report = json_array();
	struct err e;
	err_init(&e);
	json_t *conn = import_connector(spec, &o, report, &e);
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; conn && ops[i]; i++) {
		const char *en;
		json_t *ent;
		json_object_foreach(json_object_get(conn, "entities"), en, ent) {
			const char *an;
			json_t *a;
			json_object_foreach(json_object_get(ent, "actions"), an, a) {
				char *key = xasprintf(
					"%s %s", json_string_value(json_object_get(a, "method")),
					json_string_value(json_object_get(
						json_object_get(a, "x-operation"), "path")));
				if (strcmp(key, ops[i]) == 0)
					buf_addf(&b, "%s%s_%s", b.len ? " " : "", en, an);
				free(key);
			}
		}
	}
	json_decref(conn);
	json_decref(report);
	json_decref(spec);
	return buf_detach(&b);
}

static void test_names(void)
{
	const char *stripe[] = {"GET /v1/refunds",
				"POST /v1/refunds",
				"GET /v1/refunds/{refund}",
				"POST /v1/refunds/{refund}",
				"POST /v1/refunds/{refund}/cancel",
				"GET /v1/application_fees/{id}/refunds/{fee}",
				"GET /v1/customers/search",
				"DELETE /v1/customers/{c}/discount",
				"GET /v1/balance",
				"POST /v1/checkout/sessions",
				"POST /v1/billing_portal/sessions",
				NULL};
	char *got = names(stripe, "stripe");
	CHECK_STR(got,
		  "refunds_list refunds_create refunds_read refunds_update refunds_cancel "
		  "application_fees_refunds_read customers_search customers_discount balance_read "
		  "sessions_create billing_portal_sessions_create");
	free(got);
	const char *slack[] = {"POST /chat.postMessage", "GET /conversations.list",
			       "GET /users.info", NULL};
	got = names(slack, "slack");
	CHECK_STR(got, "chat_post_message conversations_list users_info");
	free(got);
	const char *hub[] = {"POST /crm/objects/2026-03/companies/batch/read",
			     "GET /crm/objects/2026-03/companies/{companyId}",
			     "PUT /repos/{owner}/{repo}/pulls/{n}/merge",
			     "GET /repos/{owner}/{repo}/pulls/{n}/merge", NULL};
	got = names(hub, "hubspot");
	CHECK_STR(got, "companies_batch_read companies_read pulls_merge pulls_get_merge");
	free(got);
	/* a long path still makes a tool name of at most 64 characters */
	const char *lng[] = {"POST /organizations/{o}/very_long_resource_collection_names/{id}/"
			     "another_exceedingly_long_action_word_here",
			     NULL};
	got = names(lng, "averylongslugnamexx");
	CHECK(strlen(got) + strlen("averylongslugnamexx_") <= 64);
	free(got);
}

int main(void)
{
	test_yaml();
	test_names();
	return t_done();
}
