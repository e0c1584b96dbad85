/* test_tenancy.c - tenants and the audit log: owners and grants in the store,
 * who may use what, conns_resolve for a caller (someone else's connection
 * refused exactly like a missing one, defaults that are not the caller's
 * never picked, no environment connection), the MCP core's per-caller tool
 * lists and calls through mcp_core_handle_as (the seam the HTTP transport
 * uses), the audit log (entries, refusals, pruning, no change of the data
 * version) and redaction by schema. Runs from the repository's root. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "connector.h"
#include "conns.h"
#include "crypto.h"
#include "mcp_core.h"
#include "mcp_results.h"
#include "registry.h"
#include "result.h"
#include "store.h"
#include "t.h"
#include "tenancy.h"

static char tmp[64];

static struct store *open_store(void)
{
	struct err e;
	err_init(&e);
	char *path = xasprintf("%s/store.db", tmp);
	struct store *s = store_open(path, &e);
	if (!s)
		fprintf(stderr, "store_open: %s\n", e.msg);
	free(path);
	return s;
}

static long long add(struct store *s, const char *name, const char *owner, const char *key)
{
	struct err e;
	err_init(&e);
	struct connection c = {0};
	c.connector = xstrdup("stripe");
	c.name = xstrdup(name);
	c.auth = xstrdup("api_key");
	c.owner = owner ? xstrdup(owner) : NULL;
	c.config = json_pack("{s:s}", "base_url", "http://127.0.0.1:9");
	c.secrets = json_pack("{s:s}", "api_key", key);
	if (store_add_connection(s, &c, &e) < 0)
		fprintf(stderr, "add: %s\n", e.msg);
	long long id = c.id;
	free(c.connector);
	free(c.name);
	free(c.auth);
	free(c.owner);
	free(c.status);
	json_decref(c.config);
	store_secrets_free(c.secrets);
	return id;
}

static struct caller *who(const char *subject, const char *group)
{
	json_t *groups = group ? json_pack("[s]", group) : NULL;
	struct caller *c = tenancy_caller_new(subject, groups);
	json_decref(groups);
	return c;
}

static void test_store(struct store *s, long long alice, long long bob)
{
	struct err e;
	err_init(&e);
	struct connection *c = store_get_connection(s, "stripe", "bob-acct", 0, &e);
	CHECK(c && c->owner && strcmp(c->owner, "bob") == 0);
	CHECK(c && json_array_size(c->grants) == 0);
	connection_free(c);
	CHECK(store_grant_connection(s, bob, "finance", &e) == 0);
	CHECK(store_grant_connection(s, bob, "finance", &e) == 0); /* twice is fine */
	c = store_get_connection(s, "stripe", "bob-acct", 1, &e);
	CHECK(c && json_array_size(c->grants) == 1);
	CHECK_STR(c ? json_string_value(json_array_get(c->grants, 0)) : NULL, "finance");
	connection_free(c);
	CHECK(store_revoke_connection(s, alice, "finance", &e) < 0); /* never granted */
	CHECK(strstr(e.msg, "not granted") != NULL);
	err_init(&e);
	CHECK(store_check_principal("", "owner", &e) < 0);
	err_init(&e);
	CHECK(store_check_principal("a\nb", "owner", &e) < 0);
	CHECK(store_check_principal("alice@example.com", "owner", NULL) == 0);
}

static void test_may_use(struct store *s)
{
	struct connection **list = NULL;
	CHECK(store_list_connections(s, "stripe", &list, NULL) == 0);
	struct caller *alice = who("alice", NULL), *carol = who("carol", "finance"),
		      *dave = who("dave", "sales");
	for (size_t i = 0; list && list[i]; i++) {
		const char *n = list[i]->name;
		CHECK(tenancy_may_use(NULL, list[i])); /* the local user: everything */
		CHECK(tenancy_may_use(alice, list[i]) == (strcmp(n, "alice-acct") == 0));
		CHECK(tenancy_may_use(carol, list[i]) == (strcmp(n, "bob-acct") == 0));
		CHECK(!tenancy_may_use(dave, list[i]));
	}
	struct connection env = {0}; /* the environment's has no id */
	CHECK(!tenancy_may_use(alice, &env));
	CHECK(tenancy_may_use(NULL, &env));
	connections_free(list);
	tenancy_caller_free(alice);
	tenancy_caller_free(carol);
	tenancy_caller_free(dave);
}

static void test_resolve(struct store *s, const struct connector *stripe)
{
	struct err e1, e2;
	struct caller *alice = who("alice", NULL), *carol = who("carol", "finance"),
		      *dave = who("dave", NULL);
	/* Her own, by name and by default (alice-acct is the global default). */
	err_init(&e1);
	struct connection *c = conns_resolve(s, stripe, "alice-acct", alice, &e1);
	CHECK(c && strcmp(c->name, "alice-acct") == 0 && c->secrets);
	connection_free(c);
	c = conns_resolve(s, stripe, NULL, alice, &e1);
	CHECK(c && strcmp(c->name, "alice-acct") == 0);
	connection_free(c);
	/* Someone else's: the very words a missing one gets. */
	err_init(&e1);
	err_init(&e2);
	CHECK(conns_resolve(s, stripe, "bob-acct", alice, &e1) == NULL);
	CHECK(conns_resolve(s, stripe, "nosuch", alice, &e2) == NULL);
	CHECK_STR(e1.msg, "no connection 'stripe/bob-acct'");
	CHECK_STR(e2.msg, "no connection 'stripe/nosuch'");
	err_init(&e1);
	char *id = xasprintf("%lld", (long long)2);
	CHECK(conns_resolve(s, stripe, id, alice, &e1) == NULL); /* by id neither */
	free(id);
	CHECK(conns_check(s, stripe, "bob-acct", alice) == -1);
	CHECK(conns_check(s, stripe, "nosuch", alice) == 0);
	CHECK(conns_check(s, stripe, "alice-acct", alice) == 1);
	CHECK(conns_check(s, stripe, "bob-acct", NULL) == 1);
	/* The default is alice's: carol gets the one granted to her group. */
	c = conns_resolve(s, stripe, NULL, carol, &e1);
	CHECK(c && strcmp(c->name, "bob-acct") == 0);
	connection_free(c);
	/* dave has none: never alice's default, never the environment's. */
	setenv("STRIPE_API_KEY", "sk_test_env_operator", 1);
	err_init(&e1);
	CHECK(conns_resolve(s, stripe, NULL, dave, &e1) == NULL);
	CHECK(strstr(e1.msg, "no Stripe connection") != NULL);
	err_init(&e1);
	CHECK(conns_resolve(s, stripe, "env", dave, &e1) == NULL);
	CHECK_STR(e1.msg, "no connection 'stripe/env'");
	/* The local user as before: env included. */
	err_init(&e1);
	c = conns_resolve(s, stripe, "env", NULL, &e1);
	CHECK(c && strcmp(c->name, "env") == 0);
	connection_free(c);
	json_t *names = conns_names(stripe, s);
	CHECK(json_array_size(names) == 4); /* alice-acct, bob-acct, local, env */
	json_decref(names);
	struct conns_view v = {s, carol};
	names = conns_names_as(stripe, &v);
	CHECK(json_array_size(names) == 1);
	CHECK_STR(json_string_value(json_array_get(names, 0)), "bob-acct");
	json_decref(names);
	unsetenv("STRIPE_API_KEY");
	tenancy_caller_free(alice);
	tenancy_caller_free(carol);
	tenancy_caller_free(dave);
}

static void test_redact(void)
{
	json_error_t je;
	json_t *schema = json_loads(
		"{\"type\": \"object\", \"properties\": {"
		" \"id\": {\"type\": \"string\"},"
		" \"status\": {\"enum\": [\"open\", \"paid\"]},"
		" \"email\": {\"type\": \"string\", \"format\": \"email\"},"
		" \"password\": {\"type\": \"string\", \"format\": \"password\"},"
		" \"token\": {\"type\": \"string\", \"writeOnly\": true},"
		" \"pin\": {\"type\": \"string\", \"secret\": true},"
		" \"note\": {\"type\": \"string\"},"
		" \"amount\": {\"type\": \"integer\"},"
		" \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
		" \"meta\": {\"type\": \"object\", \"additionalProperties\": {\"type\": "
		"\"string\"}},"
		" \"hook\": {\"type\": \"object\", \"properties\": {"
		"   \"ExternalPassword\": {\"type\": \"string\", \"pattern\": \"^.*$\"}}}}}",
		0, &je);
	json_t *args = json_loads(
		"{\"id\": \"cus_1\", \"status\": \"open\", \"email\": \"a@b.c\", \"password\": "
		"\"pw\", \"token\": \"tok\", \"pin\": \"1234\", \"note\": \"call me at 555\", "
		"\"amount\": 42, \"tags\": [\"vip\"], \"meta\": {\"k\": \"v\"}, \"undeclared\": "
		"\"x\", \"hook\": {\"ExternalPassword\": \"hunter2\"}}",
		0, &je);
	struct action_spec action = {
		.redact = json_pack("[s]", "ExternalPassword"),
		.params = json_pack("{s:{s:s}}", "id", "in", "path"),
		.place = PLACE_BODY,
	};
	json_t *out = audit_redact(schema, args, &action);
	json_t *want = json_loads(
		"{\"id\": \"cus_1\", \"status\": \"open\", \"email\": \"a@b.c\", \"password\": "
		"\"[secret]\", \"token\": \"[secret]\", \"pin\": \"[secret]\", \"note\": "
		"\"[text]\", "
		"\"amount\": 42, \"tags\": [\"[text]\"], \"meta\": {\"k\": \"[text]\"}, "
		"\"undeclared\": \"[text]\", \"hook\": {\"ExternalPassword\": \"[secret]\"}}",
		0, &je);
	CHECK(json_equal(out, want));
	if (!json_equal(out, want)) {
		char *d = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
		fprintf(stderr, "redacted: %s\n", d);
		free(d);
	}
	json_decref(out);
	json_decref(want);
	json_decref(args);
	json_decref(schema);
	json_decref(action.redact);
	json_decref(action.params);
	/* Error classes. */
	struct call_result *r =
		call_result_error("Stripe refused", json_pack("{s:i}", "status", 402));
	char *cls = audit_error_class(r);
	CHECK_STR(cls, "http_402");
	free(cls);
	call_result_free(r);
	r = call_result_error("invalid arguments: x", NULL);
	cls = audit_error_class(r);
	CHECK_STR(cls, "invalid_arguments");
	free(cls);
	call_result_free(r);
	r = call_result_ok(json_object());
	CHECK(audit_error_class(r) == NULL);
	call_result_free(r);
}

static int count_entry(const struct audit_entry *a, void *ctx)
{
	json_t *seen = ctx;
	json_array_append_new(seen,
			      json_pack("{s:o, s:s, s:s, s:o, s:o}", "subject",
					a->subject ? json_string(a->subject) : json_null(), "tool",
					a->tool, "outcome", a->outcome, "connection",
					a->connection ? json_string(a->connection) : json_null(),
					"arguments",
					a->arguments ? json_incref(a->arguments) : json_null()));
	return 0;
}

static void test_audit_store(struct store *s)
{
	struct err e;
	err_init(&e);
	long long v = store_data_version(s);
	struct connection *before = store_get_connection(s, "stripe", "alice-acct", 1, &e);
	struct audit_entry a = {.at_ms = 1000,
				.subject = "alice",
				.tool = "stripe_customers_read",
				.connector = "stripe",
				.connection = "alice-acct",
				.owner = "alice",
				.outcome = "ok",
				.duration_ms = 5};
	CHECK(store_add_audit(s, &a, &e) == 0);
	a.at_ms = 5000;
	a.subject = NULL;
	a.owner = NULL;
	a.connection = "local";
	a.outcome = "error";
	a.error = "http_404";
	CHECK(store_add_audit(s, &a, &e) == 0);
	/* Recording changes nothing anyone caches. */
	CHECK(store_data_version(s) == v);
	json_t *seen = json_array();
	CHECK(store_audit_foreach(s, 0, NULL, count_entry, seen, &e) == 0);
	CHECK(json_array_size(seen) == 2);
	json_array_clear(seen);
	CHECK(store_audit_foreach(s, 0, "alice", count_entry, seen, &e) == 0);
	CHECK(json_array_size(seen) == 1);
	json_array_clear(seen);
	CHECK(store_audit_foreach(s, 2000, NULL, count_entry, seen, &e) == 0);
	CHECK(json_array_size(seen) == 1);
	CHECK(store_prune_audit(s, 2000, &e) == 1);
	json_array_clear(seen);
	CHECK(store_audit_foreach(s, 0, NULL, count_entry, seen, &e) == 0);
	CHECK(json_array_size(seen) == 1);
	CHECK(store_prune_audit(s, 10000, &e) == 1);
	json_decref(seen);
	connection_free(before);
}

/* ---- the MCP core with callers ---- */

struct sink {
	json_t *msgs;
};

static void sink_send(const json_t *msg, const json_t *rid, void *ctx)
{
	(void)rid;
	json_array_append_new(((struct sink *)ctx)->msgs, json_deep_copy(msg));
}

/* The answer to request id among what was sent (borrowed), or NULL. */
static json_t *answer(struct sink *k, int id)
{
	size_t i;
	json_t *m;
	json_array_foreach(k->msgs, i, m) {
		if (json_integer_value(json_object_get(m, "id")) == id)
			return m;
	}
	return NULL;
}

static json_t *request(int id, const char *method, json_t *params)
{
	json_t *p = params ? params : json_object();
	json_object_set_new(p, "_meta",
			    json_pack("{s:s, s:{}}", "io.modelcontextprotocol/protocolVersion",
				      "2026-07-28", "io.modelcontextprotocol/clientCapabilities"));
	return json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method", method,
			 "params", p);
}

static int has_tool(json_t *ans, const char *name)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(json_object_get(ans, "result"), "tools"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
			return 1;
	}
	return 0;
}

static json_t *tool_schema(json_t *ans, const char *name)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(json_object_get(ans, "result"), "tools"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
			return json_object_get(t, "inputSchema");
	}
	return NULL;
}

static const char *text_of(json_t *ans)
{
	return json_string_value(json_object_get(
		json_array_get(json_object_get(json_object_get(ans, "result"), "content"), 0),
		"text"));
}

static void add_event(struct store *s, long long conn, const char *vendor_id)
{
	struct event ev = {0};
	ev.connector = "stripe";
	ev.connection_id = conn;
	ev.entity = "customers";
	ev.event_type = "created";
	ev.vendor_event_id = (char *)vendor_id;
	ev.payload = json_pack("{s:s}", "id", vendor_id);
	CHECK(store_add_event(s, &ev, NULL) == 1);
	json_decref(ev.payload);
}

static void test_core(struct store *s, long long alice_id, long long bob_id)
{
	static char *only[] = {"stripe", NULL};
	struct mcp_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.filter.connectors = only;
	opt.filter.mode = TOOLS_STATIC;
	opt.audit = 1; /* as serve --http records */
	char *path = xasprintf("%s/store.db", tmp);
	opt.store_path = path;
	struct sink k = {json_array()};
	struct mcp_transport tr = {sink_send, &k};
	struct err e;
	err_init(&e);
	add_event(s, alice_id, "evt_alice");
	add_event(s, bob_id, "evt_bob");
	struct mcp_core *core = mcp_core_new(&opt, &tr, &e);
	CHECK(core != NULL);
	if (!core) {
		fprintf(stderr, "mcp_core_new: %s\n", e.msg);
		goto out;
	}
	struct caller *alice = who("alice", NULL), *carol = who("carol", "finance"),
		      *dave = who("dave", NULL);
	json_t *m;
	/* The local user sees the connection argument with every name. */
	m = request(1, "tools/list", NULL);
	mcp_core_handle(core, m);
	json_decref(m);
	json_t *conn = json_object_get(
		json_object_get(tool_schema(answer(&k, 1), "stripe_customers_read"), "properties"),
		"connection");
	CHECK(json_array_size(json_object_get(conn, "enum")) == 3);
	/* alice: her one connection, so no connection argument at all. */
	m = request(2, "tools/list", NULL);
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	json_t *schema = tool_schema(answer(&k, 2), "stripe_customers_read");
	CHECK(schema && !json_object_get(json_object_get(schema, "properties"), "connection"));
	CHECK(has_tool(answer(&k, 2), "switchboard_events")); /* her events only (below) */
	CHECK(!has_tool(answer(&k, 2), "switchboard_connect"));
	/* dave: nothing of stripe. */
	m = request(3, "tools/list", NULL);
	mcp_core_handle_as(core, m, dave);
	json_decref(m);
	CHECK(answer(&k, 3) && !has_tool(answer(&k, 3), "stripe_customers_read"));
	CHECK(has_tool(answer(&k, 3), "switchboard_connections"));
	/* alice names bob's connection: the answer an unknown name gets. */
	m = request(4, "tools/call",
		    json_pack("{s:s, s:{s:s, s:s}}", "name", "stripe_customers_read", "arguments",
			      "id", "cus_1", "connection", "bob-acct"));
	/* Even a client that asked for every log line hears nothing of it. */
	json_object_set_new(json_object_get(json_object_get(m, "params"), "_meta"),
			    "io.modelcontextprotocol/logLevel", json_string("debug"));
	size_t before = json_array_size(k.msgs);
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	CHECK(json_array_size(k.msgs) == before + 1); /* the answer, no log line */
	char *sent = json_dumps(json_array_get(k.msgs, before), JSON_COMPACT);
	CHECK(sent && !strstr(sent, "refused") && !strstr(sent, "bob-acct"));
	free(sent);
	m = request(5, "tools/call",
		    json_pack("{s:s, s:{s:s, s:s}}", "name", "stripe_customers_read", "arguments",
			      "id", "cus_1", "connection", "nosuch"));
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	const char *t4 = text_of(answer(&k, 4)), *t5 = text_of(answer(&k, 5));
	CHECK(t4 != NULL);
	CHECK_STR(t4, t5);
	/* dave asks for a stripe tool: unknown to him. */
	m = request(6, "tools/call",
		    json_pack("{s:s, s:{s:s}}", "name", "stripe_customers_read", "arguments", "id",
			      "cus_1"));
	mcp_core_handle_as(core, m, dave);
	json_decref(m);
	CHECK(json_object_get(answer(&k, 6), "error") != NULL);
	/* carol's overview lists bob-acct alone. */
	m = request(7, "tools/call",
		    json_pack("{s:s, s:{}}", "name", "switchboard_connections", "arguments"));
	mcp_core_handle_as(core, m, carol);
	json_decref(m);
	const char *t7 = text_of(answer(&k, 7));
	CHECK(t7 && strstr(t7, "bob-acct") && !strstr(t7, "alice-acct") && !strstr(t7, "local"));
	/* Events: alice's only, and bob's connection is no name to her. */
	m = request(8, "tools/call",
		    json_pack("{s:s, s:{}}", "name", "switchboard_events", "arguments"));
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	const char *t8 = text_of(answer(&k, 8));
	CHECK(t8 && strstr(t8, "evt_alice") && !strstr(t8, "evt_bob"));
	m = request(9, "tools/call",
		    json_pack("{s:s, s:{s:s}}", "name", "switchboard_events", "arguments",
			      "connection", "bob-acct"));
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	m = request(10, "tools/call",
		    json_pack("{s:s, s:{s:s}}", "name", "switchboard_events", "arguments",
			      "connection", "nosuch"));
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	CHECK(text_of(answer(&k, 9)) && strstr(text_of(answer(&k, 9)), "no connection named"));
	char *t9 = xstrdup(text_of(answer(&k, 9)) ? text_of(answer(&k, 9)) : "");
	char *t10 = xstrdup(text_of(answer(&k, 10)) ? text_of(answer(&k, 10)) : "?");
	char *p9 = strstr(t9, "bob-acct"), *p10 = strstr(t10, "nosuch");
	CHECK(p9 && p10);
	if (p9 && p10) {
		memmove(p9, p9 + 8, strlen(p9 + 8) + 1); /* the names out */
		memmove(p10, p10 + 6, strlen(p10 + 6) + 1);
	}
	CHECK_STR(t9, t10);
	free(t9);
	free(t10);
	m = request(11, "resources/list", NULL);
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	char *res = json_dumps(answer(&k, 11), JSON_COMPACT);
	CHECK(res && strstr(res, "\"events://stripe/customers/1\""));
	CHECK(res && !strstr(res, "\"events://stripe/customers/2\""));
	free(res);
	/* bob's event by its URI: not found for alice, found for the local user. */
	char *uri = xasprintf("events://stripe/customers/%lld", (long long)2);
	m = request(12, "resources/read", json_pack("{s:s}", "uri", uri));
	mcp_core_handle_as(core, m, alice);
	json_decref(m);
	CHECK(json_object_get(answer(&k, 12), "error") != NULL);
	m = request(13, "resources/read", json_pack("{s:s}", "uri", uri));
	mcp_core_handle(core, m);
	json_decref(m);
	CHECK(json_object_get(answer(&k, 13), "result") != NULL);
	free(uri);
	tenancy_caller_free(alice);
	tenancy_caller_free(carol);
	tenancy_caller_free(dave);
	/* Written together at the end (or a second later): none yet. */
	json_t *none = json_array();
	CHECK(store_audit_foreach(s, 0, "alice", count_entry, none, &e) == 0);
	CHECK(json_array_size(none) == 0);
	json_decref(none);
	mcp_core_free(core);
	/* The audit log, once the core is done: alice's refused call, and the one that failed
	 * validation. */
	json_t *seen = json_array();
	CHECK(store_audit_foreach(s, 0, "alice", count_entry, seen, &e) == 0);
	CHECK(json_array_size(seen) == 2);
	json_t *first = json_array_get(seen, 0);
	CHECK_STR(json_string_value(json_object_get(first, "outcome")), "refused");
	CHECK_STR(json_string_value(json_object_get(first, "connection")), "bob-acct");
	CHECK_STR(json_string_value(json_object_get(first, "subject")), "alice");
	CHECK_STR(json_string_value(json_object_get(json_object_get(first, "arguments"), "id")),
		  "cus_1");
	CHECK_STR(json_string_value(json_object_get(json_array_get(seen, 1), "outcome")), "error");
	json_decref(seen);
out:
	json_decref(k.msgs);
	free(path);
}

/* A big answer kept as a results:// resource is its caller's alone. */
static void test_results(void)
{
	json_t *data = json_array();
	for (int i = 0; i < 2000; i++)
		json_array_append_new(data, json_pack("{s:i, s:s}", "id", i, "name",
						      "a name long enough to add up quickly"));
	json_t *result = json_pack("{s:[], s:{s:o}}", "content", "structuredContent", "data", data);
	struct results *rs = results_new();
	json_t *small = results_shrink(rs, "stripe_customers_list", result, "alice");
	CHECK(small != NULL);
	const char *uri = "results://stripe_customers_list/1";
	json_t *r;
	CHECK((r = results_read(rs, uri, "alice")) != NULL);
	json_decref(r);
	CHECK(results_read(rs, uri, "bob") == NULL);
	CHECK(results_read(rs, uri, NULL) == NULL);
	json_decref(small);
	small = results_shrink(rs, "stripe_customers_list", result, NULL);
	CHECK((r = results_read(rs, "results://stripe_customers_list/2", NULL)) != NULL);
	json_decref(r);
	CHECK(results_read(rs, "results://stripe_customers_list/2", "alice") == NULL);
	json_decref(small);
	json_decref(result);
	results_free(rs);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/sb-tenancy-XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	unsigned char raw[32];
	struct err e;
	err_init(&e);
	crypto_random(raw, sizeof(raw), &e);
	char *key = crypto_base64(raw, sizeof(raw), 0);
	setenv("SWITCHBOARD_KEY", key, 1);
	free(key);
	setenv("SWITCHBOARD_DATADIR", ".", 1);
	unsetenv("STRIPE_API_KEY");
	unsetenv("STRIPE_SECRET_KEY");
	struct store *s = open_store();
	CHECK(s != NULL);
	if (!s)
		return t_done();
	long long alice = add(s, "alice-acct", "alice", "sk_test_alice");
	long long bob = add(s, "bob-acct", "bob", "sk_test_bob");
	add(s, "local", NULL, "sk_test_local");
	test_store(s, alice, bob);
	test_may_use(s);
	struct registry *r = registry_new();
	registry_load_default(r, NULL, NULL, NULL);
	const struct connector *stripe = registry_find(r, "stripe");
	CHECK(stripe != NULL);
	if (stripe)
		test_resolve(s, stripe);
	test_redact();
	test_results();
	test_audit_store(s);
	test_core(s, alice, bob);
	registry_free(r);
	store_free(s);
	char *rm = xasprintf("rm -rf %s", tmp);
	if (system(rm) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	free(rm);
	return t_done();
}
