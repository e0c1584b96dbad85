/* test_auth.c - each auth handler's exact headers and query values, built
 * from small in-memory connectors and connections, and the custom handler's
 * external credential command: its output, the secret passed only in its
 * environment, caching until expiry, and its failures (exit status, bad
 * JSON, header injection, a missing program, the timeout), which never quote
 * what the command printed; and warming its answer ahead on other threads,
 * one run for many at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "store.h"
#include "t.h"

#define SECRET "sk_test_Zq8rT3sEcReT42"

static char tmp[64];

static struct connector *connector_new(const char *slug, const char *doc_text)
{
	json_error_t je;
	struct connector *c = xcalloc(1, sizeof(*c));
	c->slug = xstrdup(slug);
	c->path = xstrdup("(test)");
	c->doc = json_loads(doc_text, 0, &je);
	if (!c->doc)
		fprintf(stderr, "bad test connector %s: %s\n", slug, je.text);
	c->auth = connector_auth_load(c->doc);
	c->info = connector_info_load(c->doc);
	return c;
}

static void connector_free(struct connector *c)
{
	free(c->slug);
	free(c->path);
	connector_auth_free(c->auth);
	connector_info_free(c->info);
	json_decref(c->doc);
	free(c);
}

/* A connection; config and secrets are JSON text (NULL = empty). */
static struct connection *conn_new(long long id, const char *name, const char *auth,
				   const char *config, const char *secrets)
{
	struct connection *conn = xcalloc(1, sizeof(*conn));
	conn->id = id;
	conn->connector = xstrdup("test");
	conn->name = xstrdup(name);
	conn->auth = xstrdup(auth);
	conn->config = config ? json_loads(config, 0, NULL) : json_object();
	conn->secrets = secrets ? json_loads(secrets, 0, NULL) : json_object();
	conn->status = xstrdup("ok");
	return conn;
}

struct result {
	int rc;
	json_t *headers, *query;
	struct err err;
};

static void result_release(struct result *r)
{
	json_decref(r->headers);
	json_decref(r->query);
}

/* Apply conn's handler with the connector's method for conn->auth. */
static struct result apply(const struct connector *c, const struct connection *conn)
{
	struct result r;
	r.headers = json_array();
	r.query = json_object();
	err_init(&r.err);
	const struct auth_handler *h = auth_find(conn->auth);
	const struct auth_method *method = connector_auth_method(c, conn->auth);
	struct auth_out out = {r.headers, r.query};
	r.rc = h && method ? h->apply(c, method, conn, &out, &r.err) : -2;
	return r;
}

/* headers as one string "a|b|c" for exact comparison; a new string. */
static char *joined(json_t *headers)
{
	struct buf b;
	size_t i;
	json_t *v;
	buf_init(&b, 0);
	json_array_foreach(headers, i, v)
		buf_addf(&b, "%s%s", i ? "|" : "", json_string_value(v));
	return buf_detach(&b);
}

static void check_headers(const struct connector *c, const struct connection *conn,
			  const char *want)
{
	struct result r = apply(c, conn);
	if (r.rc != 0)
		fprintf(stderr, "apply: %s\n", r.err.msg);
	CHECK(r.rc == 0);
	char *got = joined(r.headers);
	CHECK_STR(got, want);
	CHECK(json_object_size(r.query) == 0);
	free(got);
	result_release(&r);
}

static void test_simple_handlers(void)
{
	struct connector *c = connector_new(
		"test",
		"{\"params\": {\"version\": {\"type\": \"string\", \"default\": \"2024-01\"}},"
		" \"auth\": {\"default\": \"api_key\", \"methods\": ["
		"  {\"type\": \"none\"},"
		"  {\"type\": \"basic\", \"fields\": {\"username\": {}, \"password\": {\"secret\": "
		"true}}},"
		"  {\"type\": \"bearer\", \"fields\": {\"token\": {\"secret\": true}}},"
		"  {\"type\": \"api_key\", \"in\": \"header\", \"name\": \"X-Api-Key\","
		"   \"fields\": {\"api_key\": {\"secret\": true}}},"
		"  {\"type\": \"oauth2\"},"
		"  {\"type\": \"custom\", \"headers\": {\"api-auth-accountid\": \"{account_id}\","
		"   \"api-auth-applicationkey\": \"{application_key}\"},"
		"   \"query\": {\"v\": \"{version}\"}}]}}");
	struct connection *conn;

	conn = conn_new(1, "none", "none", NULL, NULL);
	check_headers(c, conn, "");
	connection_free(conn);

	/* base64("alice:" SECRET) */
	conn = conn_new(2, "basic", "basic", "{\"username\": \"alice\"}",
			"{\"password\": \"" SECRET "\"}");
	check_headers(c, conn, "Authorization: Basic YWxpY2U6c2tfdGVzdF9acThyVDNzRWNSZVQ0Mg==");
	connection_free(conn);

	conn = conn_new(3, "bearer", "bearer", NULL, "{\"token\": \"" SECRET "\"}");
	check_headers(c, conn, "Authorization: Bearer " SECRET);
	connection_free(conn);

	conn = conn_new(4, "key", "api_key", NULL, "{\"api_key\": \"" SECRET "\"}");
	check_headers(c, conn, "X-Api-Key: " SECRET);
	connection_free(conn);

	conn = conn_new(5, "oauth", "oauth2", NULL, "{\"access_token\": \"at-123456\"}");
	check_headers(c, conn, "Authorization: Bearer at-123456");
	connection_free(conn);

	/* No access token: an error that says what to do. */
	conn = conn_new(6, "oauth-empty", "oauth2", NULL, NULL);
	struct result r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "no access token") != NULL);
	result_release(&r);
	connection_free(conn);

	/* Cin7 Core: two headers, one from config and one secret, and a
	 * query value from the connector's param default. */
	conn = conn_new(7, "cin7", "custom", "{\"account_id\": \"acct-guid\"}",
			"{\"application_key\": \"" SECRET "\"}");
	r = apply(c, conn);
	CHECK(r.rc == 0);
	char *got = joined(r.headers);
	CHECK_STR(got, "api-auth-accountid: acct-guid|api-auth-applicationkey: " SECRET);
	CHECK_STR(json_string_value(json_object_get(r.query, "v")), "2024-01");
	free(got);
	result_release(&r);
	connection_free(conn);

	/* A missing field is named, and no secret is in the message. */
	conn = conn_new(8, "cin7-partial", "custom", NULL, "{\"application_key\": \"" SECRET "\"}");
	r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "account_id") != NULL);
	CHECK(strstr(r.err.msg, SECRET) == NULL);
	result_release(&r);
	connection_free(conn);
	connector_free(c);
}

static void test_api_key_query(void)
{
	struct connector *c = connector_new(
		"test",
		"{\"auth\": {\"default\": \"api_key\", \"methods\": ["
		"  {\"type\": \"api_key\", \"in\": \"query\", \"name\": \"key\","
		"   \"format\": \"{api_key}\", \"fields\": {\"api_key\": {\"secret\": true}}}]}}");
	struct connection *conn =
		conn_new(1, "q", "api_key", NULL, "{\"api_key\": \"" SECRET "\"}");
	struct result r = apply(c, conn);
	CHECK(r.rc == 0);
	CHECK(json_array_size(r.headers) == 0);
	CHECK(json_object_size(r.query) == 1);
	CHECK_STR(json_string_value(json_object_get(r.query, "key")), SECRET);
	result_release(&r);
	connection_free(conn);

	/* Header with a value template. */
	json_t *m = json_array_get(json_object_get(json_object_get(c->doc, "auth"), "methods"), 0);
	json_object_set_new(m, "in", json_string("header"));
	json_object_set_new(m, "name", json_string("Authorization"));
	json_object_set_new(m, "format", json_string("Token token={api_key}"));
	connector_auth_free(c->auth); /* the struct is filled from the document once */
	c->auth = connector_auth_load(c->doc);
	conn = conn_new(2, "h", "api_key", NULL, "{\"api_key\": \"" SECRET "\"}");
	check_headers(c, conn, "Authorization: Token token=" SECRET);
	connection_free(conn);
	connector_free(c);
}

/* ---- the credential command ---- */

static char *write_script(const char *name, const char *body)
{
	char *path = xasprintf("%s/%s", tmp, name);
	FILE *f = fopen(path, "w");
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	chmod(path, 0700);
	return path;
}

static int count_of(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0;
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* A connection whose credential_command is [script, count_file, extra]. */
static struct connection *cmd_conn(long long id, const char *script, const char *count,
				   const char *extra)
{
	json_t *argv = json_pack("[s, s]", script, count);
	if (extra)
		json_array_append_new(argv, json_string(extra));
	json_t *config = json_pack("{s:o}", "credential_command", argv);
	char *text = json_dumps(config, JSON_COMPACT);
	struct connection *conn =
		conn_new(id, "cmd", "custom", text, "{\"api_key\": \"" SECRET "\"}");
	free(text);
	json_decref(config);
	return conn;
}

static const char counting[] = "n=$(cat \"$1\" 2>/dev/null || echo 0); echo $((n + 1)) > \"$1\"\n"
			       "echo \"$@\" >> \"$1.argv\"\n";

static void test_command(void)
{
	struct connector *c =
		connector_new("test", "{\"auth\": {\"default\": \"custom\", \"methods\": ["
				      "  {\"type\": \"custom\", \"command\": true,"
				      "   \"headers\": {\"X-Static\": \"static\"}}]}}");
	struct connector *closed = connector_new(
		"test", "{\"auth\": {\"default\": \"custom\", \"methods\": ["
			"  {\"type\": \"custom\", \"headers\": {\"X-Static\": \"static\"}}]}}");
	char *body = xasprintf(
		"%sprintf '{\"headers\": {\"X-Token\": \"tok-%%s\", \"X-Key-Seen\": \"%%s\"}, "
		"\"expires_in\": 3600}' \"$SWITCHBOARD_SECRET_API_KEY\" "
		"\"${SWITCHBOARD_KEY:-none}\"\n",
		counting);
	char *ok = write_script("ok.sh", body);
	free(body);
	char *count = xasprintf("%s/count-ok", tmp);

	/* The secret reaches the command through its environment only, and the
	 * store key does not reach it at all. */
	setenv("SWITCHBOARD_KEY", "c2VjcmV0LXN0b3JlLWtleS1zaG91bGQtbm90LWxlYWs=", 1);
	struct connection *conn = cmd_conn(1, ok, count, NULL);
	check_headers(c, conn, "X-Static: static|X-Token: tok-" SECRET "|X-Key-Seen: none");
	CHECK(count_of(count) == 1);
	/* Cached until it expires: the command does not run again. */
	check_headers(c, conn, "X-Static: static|X-Token: tok-" SECRET "|X-Key-Seen: none");
	CHECK(count_of(count) == 1);
	char *argv_file = xasprintf("%s.argv", count);
	size_t len = 0;
	char *argv_text = read_file(argv_file, 1 << 16, &len, NULL);
	CHECK(argv_text && strstr(argv_text, SECRET) == NULL);
	free(argv_text);
	free(argv_file);
	/* Another connection (another id) has its own cache entry. */
	struct connection *other = cmd_conn(2, ok, count, NULL);
	check_headers(c, other, "X-Static: static|X-Token: tok-" SECRET "|X-Key-Seen: none");
	CHECK(count_of(count) == 2);
	connection_free(other);
	/* After a rejected request, refresh forgets the cached headers. */
	CHECK(auth_custom.refresh(c, NULL, NULL, conn, 1, NULL) == 1);
	check_headers(c, conn, "X-Static: static|X-Token: tok-" SECRET "|X-Key-Seen: none");
	CHECK(count_of(count) == 3);
	connection_free(conn);
	unsetenv("SWITCHBOARD_KEY");

	/* A method without "command": true refuses one. */
	conn = cmd_conn(3, ok, count, NULL);
	struct result r = apply(closed, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "does not allow") != NULL);
	result_release(&r);
	connection_free(conn);
	CHECK(count_of(count) == 3);

	/* expires_in 0, and a flat object of headers: nothing is cached. */
	body = xasprintf("%sprintf '{\"Authorization\": \"Bearer t-%%s\", \"expires_in\": 0}' "
			 "\"$(cat \"$1\")\"\n",
			 counting);
	char *flat = write_script("flat.sh", body);
	free(body);
	char *count2 = xasprintf("%s/count-flat", tmp);
	conn = cmd_conn(4, flat, count2, NULL);
	check_headers(c, conn, "X-Static: static|Authorization: Bearer t-1");
	check_headers(c, conn, "X-Static: static|Authorization: Bearer t-2");
	CHECK(count_of(count2) == 2);
	connection_free(conn);

	/* A failing command: a clear error that never quotes its output. */
	body = xasprintf("%secho '{\"headers\": {\"X\": \"leaked-%s\"}}'\nexit 3\n", counting,
			 "Zz9");
	char *failing = write_script("fail.sh", body);
	free(body);
	char *count3 = xasprintf("%s/count-fail", tmp);
	conn = cmd_conn(5, failing, count3, NULL);
	r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "exit status 3") != NULL);
	CHECK(strstr(r.err.msg, "cmd") != NULL);
	CHECK(strstr(r.err.msg, "leaked") == NULL);
	result_release(&r);
	/* Failures are not cached. */
	r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(count_of(count3) == 2);
	result_release(&r);
	connection_free(conn);

	/* Output that is not JSON. */
	body = xasprintf("%secho 'token: leaked-Zz9'\n", counting);
	char *junk = write_script("junk.sh", body);
	free(body);
	conn = cmd_conn(6, junk, count3, NULL);
	r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "invalid JSON") != NULL);
	CHECK(strstr(r.err.msg, "leaked") == NULL);
	result_release(&r);
	connection_free(conn);

	/* A header value with a line break would inject a header. */
	body = xasprintf("%sprintf '{\"X-A\": \"a\\\\r\\\\nX-B: b\"}'\n", counting);
	char *inject = write_script("inject.sh", body);
	free(body);
	conn = cmd_conn(7, inject, count3, NULL);
	r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "bad header") != NULL);
	result_release(&r);
	connection_free(conn);

	/* A program that does not exist. */
	conn = cmd_conn(8, "/nonexistent/get-token", count3, NULL);
	r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "/nonexistent/get-token") != NULL);
	CHECK(strstr(r.err.msg, "No such file") != NULL);
	result_release(&r);
	connection_free(conn);

	/* A command that hangs is killed at the timeout, with what it started. */
	char *slow = write_script("slow.sh", "sleep 30; echo '{\"X\": \"late\"}'\n");
	conn = cmd_conn(10, slow, count3, NULL);
	long long t0 = now_ms();
	r = apply(c, conn);
	long long took = now_ms() - t0;
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "did not finish within 10 s") != NULL);
	CHECK(took >= 9000 && took < 20000);
	result_release(&r);
	connection_free(conn);
	free(slow);

	/* Not an array of strings. */
	conn = conn_new(9, "bad", "custom", "{\"credential_command\": [1, 2]}", NULL);
	r = apply(c, conn);
	CHECK(r.rc == -1);
	CHECK(strstr(r.err.msg, "array") != NULL);
	result_release(&r);
	connection_free(conn);

	free(ok);
	free(flat);
	free(failing);
	free(junk);
	free(inject);
	free(count);
	free(count2);
	free(count3);
	connector_free(c);
	connector_free(closed);
}

/* ---- warming the command's answer ahead (on a worker, off the main loop) ---- */

struct warm_arg {
	const struct connector *c;
	const struct auth_method *method;
	const struct connection *conn;
	int rc;
	struct err err;
};

static void *warm_main(void *p)
{
	struct warm_arg *a = p;
	err_init(&a->err);
	a->rc = auth_custom.warm(a->c, a->method, a->conn, &a->err);
	return NULL;
}

/* n warms of conn at the same time; 1 when each returned want_rc. */
static int warm_together(const struct connector *c, const struct auth_method *method,
			 const struct connection *conn, int n, int want_rc, const char *want_err)
{
	struct warm_arg a[4];
	pthread_t t[4];
	int ok = 1;
	for (int i = 0; i < n; i++) {
		a[i] = (struct warm_arg){c, method, conn, 0, {{0}}};
		if (pthread_create(&t[i], NULL, warm_main, &a[i]) != 0)
			return 0;
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (a[i].rc != want_rc || (want_err && !strstr(a[i].err.msg, want_err)))
			ok = 0;
	}
	return ok;
}

static void test_warm(void)
{
	struct connector *c =
		connector_new("test", "{\"auth\": {\"default\": \"custom\", \"methods\": ["
				      "  {\"type\": \"custom\", \"command\": true,"
				      "   \"headers\": {\"X-Static\": \"static\"}}]}}");
	struct connector *closed = connector_new(
		"test", "{\"auth\": {\"default\": \"custom\", \"methods\": ["
			"  {\"type\": \"custom\", \"headers\": {\"X-Static\": \"static\"}}]}}");
	const struct auth_method *method = &c->auth->methods[0];
	const struct auth_method *closed_method = &closed->auth->methods[0];

	/* Handlers that never block have nothing to warm. */
	CHECK(!auth_none.cold && !auth_basic.cold && !auth_bearer.cold && !auth_api_key.cold);
	CHECK(!auth_none.warm && !auth_basic.warm && !auth_bearer.warm && !auth_api_key.warm);

	/* Cold until warmed; three warms at once run the command once, and
	 * apply then finds the answer without running it. */
	char *body = xasprintf("%ssleep 1\nprintf '{\"headers\": {\"X-Token\": \"w-%%s\"}, "
			       "\"expires_in\": 3600}' \"$(cat \"$1\")\"\n",
			       counting);
	char *slow = write_script("warm.sh", body);
	free(body);
	char *count = xasprintf("%s/count-warm", tmp);
	struct connection *conn = cmd_conn(20, slow, count, NULL);
	CHECK(auth_custom.cold(c, method, conn) == 1);
	CHECK(auth_custom.cold(closed, closed_method, conn) == 0);
	CHECK(warm_together(c, method, conn, 3, 0, NULL));
	CHECK(count_of(count) == 1);
	CHECK(auth_custom.cold(c, method, conn) == 0);
	check_headers(c, conn, "X-Static: static|X-Token: w-1");
	CHECK(count_of(count) == 1);
	/* After a 401, refresh forgets the answer and fetches the next one
	 * itself (it runs on a worker too), so apply does not block. */
	struct err e;
	err_init(&e);
	CHECK(auth_custom.refresh(c, method, NULL, conn, 1, &e) == 1);
	CHECK(count_of(count) == 2);
	CHECK(auth_custom.cold(c, method, conn) == 0);
	check_headers(c, conn, "X-Static: static|X-Token: w-2");
	CHECK(count_of(count) == 2);
	connection_free(conn);

	/* An answer not to be kept ("expires_in": 0) is booked for the applies
	 * that warmed it, one each, and stays cold for everyone else. */
	body = xasprintf(
		"%sprintf '{\"X-Once\": \"o-%%s\", \"expires_in\": 0}' \"$(cat \"$1\")\"\n",
		counting);
	char *once = write_script("once.sh", body);
	free(body);
	char *count2 = xasprintf("%s/count-once", tmp);
	conn = cmd_conn(21, once, count2, NULL);
	CHECK(auth_custom.warm(c, method, conn, &e) == 0);
	CHECK(auth_custom.warm(c, method, conn, &e) == 0);
	CHECK(count_of(count2) == 1);
	CHECK(auth_custom.cold(c, method, conn) == 1);
	check_headers(c, conn, "X-Static: static|X-Once: o-1");
	check_headers(c, conn, "X-Static: static|X-Once: o-1");
	CHECK(count_of(count2) == 1);
	check_headers(c, conn, "X-Static: static|X-Once: o-2");
	CHECK(count_of(count2) == 2);
	connection_free(conn);

	/* A failure reaches every thread that waited for it, and is not kept. */
	body = xasprintf("%ssleep 1\nexit 3\n", counting);
	char *failing = write_script("warm-fail.sh", body);
	free(body);
	char *count3 = xasprintf("%s/count-warm-fail", tmp);
	conn = cmd_conn(22, failing, count3, NULL);
	CHECK(warm_together(c, method, conn, 2, -1, "exit status 3"));
	CHECK(count_of(count3) == 1);
	CHECK(auth_custom.cold(c, method, conn) == 1);
	connection_free(conn);

	/* At exit, a running command is stopped rather than waited for. */
	char *hang = write_script("warm-hang.sh", "sleep 30; echo '{\"X\": \"late\"}'\n");
	conn = cmd_conn(23, hang, count3, NULL);
	auth_stop(1);
	long long t0 = now_ms();
	err_init(&e);
	CHECK(auth_custom.warm(c, method, conn, &e) == -1);
	CHECK(now_ms() - t0 < 10000); /* not the command's 30 s */
	CHECK(strstr(e.msg, "stopped") != NULL);
	auth_stop(0);
	connection_free(conn);

	free(slow);
	free(once);
	free(failing);
	free(hang);
	free(count);
	free(count2);
	free(count3);
	connector_free(c);
	connector_free(closed);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/sb-auth-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_simple_handlers();
	test_api_key_query();
	test_command();
	test_warm();
	char *rm = xasprintf("rm -rf '%s'", tmp);
	if (system(rm) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	free(rm);
	return t_done();
}
