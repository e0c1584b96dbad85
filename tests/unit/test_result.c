/* test_result.c - result.c: secrets a vendor returns in an answer (the
 * action's "redact" keys) are replaced at any depth, and nothing else is;
 * call results, and mcp_result.c turning them into CallToolResults. */
#include "result.h"

#include <stdlib.h>

#include "mcp_result.h"

#include "t.h"
#include "util.h"

/* result_redact over the JSON text in with keys, compared with want. */
static void check_redact(const char *in, const char *keys, const char *want)
{
	json_t *v = json_loads(in, JSON_DECODE_ANY, NULL);
	json_t *k = json_loads(keys, 0, NULL);
	result_redact(v, k);
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	CHECK_STR(s, want);
	free(s);
	json_decref(v);
	json_decref(k);
}

/* structured (JSON text) as a success result, checked against schema. */
static int check_output(const char *schema_text, const char *structured)
{
	json_t *schema = json_loads(schema_text, 0, NULL);
	struct call_result *result = call_result_ok(json_loads(structured, JSON_DECODE_ANY, NULL));
	struct err e;
	err_init(&e);
	int r = result_check_output(result, schema, &e);
	json_decref(schema);
	call_result_free(result);
	return r;
}

static void test_check_output(void)
{
	/* The list shape tools.c declares, with the entity's id field. */
	const char *list =
		"{\"type\":\"object\",\"properties\":{\"data\":{\"type\":\"array\","
		"\"items\":{\"properties\":{\"id\":{}}}},\"next_cursor\":{\"type\":"
		"\"string\"},\"has_more\":{\"type\":\"boolean\"}},\"required\":[\"data\"]}";
	CHECK(check_output(list, "{\"data\":[{\"id\":1},{\"id\":\"a\",\"x\":null}],"
				 "\"has_more\":true,\"next_cursor\":\"c\"}") == 0);
	/* A partial result adds pages and incomplete: open to more keys. */
	CHECK(check_output(list, "{\"data\":[],\"has_more\":true,\"pages\":2,"
				 "\"incomplete\":\"stopped\"}") == 0);
	CHECK(check_output(list, "{\"data\":{\"id\":1}}") < 0);
	CHECK(check_output(list, "{\"data\":[],\"next_cursor\":null}") < 0);
	CHECK(check_output(list, "{\"items\":[]}") < 0);
	/* Any data for a single record, even a vendor's bare true. */
	const char *one = "{\"type\":\"object\",\"properties\":{\"data\":{\"properties\":"
			  "{\"id\":{}}}},\"required\":[\"data\"]}";
	CHECK(check_output(one, "{\"data\":true}") == 0);
	CHECK(check_output(one, "{\"data\":{\"id\":\"cus_1\"}}") == 0);
	/* Errors and tools without an outputSchema pass. */
	json_t *schema = json_loads(one, 0, NULL);
	struct call_result *bad = call_result_error("boom", NULL);
	struct err er;
	err_init(&er);
	CHECK(result_check_output(bad, schema, &er) == 0);
	struct call_result *good = call_result_ok(json_pack("{s:i}", "x", 1));
	CHECK(result_check_output(good, NULL, &er) == 0);
	CHECK(result_check_output(good, schema, &er) < 0); /* no data */
	json_decref(schema);
	call_result_free(bad);
	call_result_free(good);
}

/* r (freed) as MCP, compact, compared with want. */
static void check_mcp(struct call_result *r, const char *want)
{
	json_t *m = mcp_result(r);
	char *s = json_dumps(m, JSON_COMPACT);
	CHECK_STR(s, want);
	free(s);
	json_decref(m);
}

/* The MCP half: a success is structuredContent and its text; a failure is
 * its message with the details on the next line, and isError. */
static void test_mcp_result(void)
{
	check_mcp(call_result_ok(json_pack("{s:[i]}", "data", 1)),
		  "{\"content\":[{\"type\":\"text\",\"text\":\"{\\\"data\\\":[1]}\"}],"
		  "\"structuredContent\":{\"data\":[1]}}");
	check_mcp(call_result_error("Stripe refused", json_pack("{s:i}", "status", 402)),
		  "{\"content\":[{\"type\":\"text\",\"text\":\"Stripe refused\\n"
		  "{\\\"status\\\":402}\"}],\"isError\":true}");
	check_mcp(call_result_error("boom", NULL),
		  "{\"content\":[{\"type\":\"text\",\"text\":\"boom\"}],\"isError\":true}");
	/* A failed later page keeps the items, with the message's first line. */
	json_t *items = json_pack("[{s:i, s:i}]", "id", 1, "x", 2);
	json_t *fields = json_pack("[s]", "id");
	struct call_result *p = result_partial(
		items, fields, NULL, 2,
		call_result_error("Stripe refused.", json_pack("{s:i}", "status", 500)));
	CHECK(p->error == NULL);
	char *s = json_dumps(p->data, JSON_COMPACT);
	CHECK_STR(s,
		  "{\"data\":[{\"id\":1}],\"has_more\":true,\"pages\":2,\"incomplete\":"
		  "\"stopped after 2 pages: Stripe refused. Call again with cursor to go on.\"}");
	free(s);
	call_result_free(p);
	json_decref(items);
	json_decref(fields);
}

/* A body the vendor could not read, told apart from a 400 about arguments. */
static void test_body_refused(void)
{
	CHECK(result_body_refused(415, NULL));
	CHECK(result_body_refused(415, "Unsupported Media Type"));
	CHECK(result_body_refused(400, "Invalid request: unsupported Content-Type "
				       "application/json. If error persists and you need "
				       "assistance, please contact support@stripe.com."));
	CHECK(result_body_refused(400, "Unexpected token n in JSON at position 0"));
	CHECK(result_body_refused(400, "Could not parse the request body"));
	CHECK(!result_body_refused(400, "Missing required param: name."));
	CHECK(!result_body_refused(400, "Received unknown parameter: colour"));
	CHECK(!result_body_refused(400, NULL));
	CHECK(!result_body_refused(422, "content type is fine, the email is not"));
	CHECK(!result_body_refused(404, "Unrecognized request URL (POST: /v1/x)."));
}

int main(void)
{
	test_check_output();
	test_mcp_result();
	test_body_refused();
	/* Stripe's webhook endpoint create answer. */
	check_redact("{\"id\":\"we_1\",\"secret\":\"whsec_x\"}", "[\"secret\"]",
		     "{\"id\":\"we_1\",\"secret\":\"[redacted]\"}");
	/* Cin7 Core's list: the credential inside each item of a wrapped list. */
	check_redact("{\"Webhooks\":[{\"ID\":\"a\",\"ExternalBearerToken\":\"t1\"},"
		     "{\"ID\":\"b\",\"ExternalPassword\":\"p\",\"ExternalBearerToken\":null}]}",
		     "[\"ExternalPassword\",\"ExternalBearerToken\"]",
		     "{\"Webhooks\":[{\"ExternalBearerToken\":\"[redacted]\",\"ID\":\"a\"},"
		     "{\"ExternalBearerToken\":null,\"ExternalPassword\":\"[redacted]\",\"ID\":"
		     "\"b\"}]}");
	/* A top-level list; a key that is only a value elsewhere stays. */
	check_redact("[{\"secret\":{\"nested\":1}},{\"name\":\"secret\"}]", "[\"secret\"]",
		     "[{\"secret\":\"[redacted]\"},{\"name\":\"secret\"}]");
	/* No keys, or scalars: unchanged. */
	check_redact("{\"secret\":\"s\"}", "[]", "{\"secret\":\"s\"}");
	check_redact("\"secret\"", "[\"secret\"]", "\"secret\"");
	return t_done();
}
