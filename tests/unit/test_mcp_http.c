/* test_mcp_http.c - serve --http's header checks (mcp_http_check.c), and its
 * authenticator hook (struct mcp_auth) with a fake authenticator: 401 and 403 with its
 * WWW-Authenticate, the caller it returns (freed by the transport: ASan), the protected-resource
 * metadata at both paths, and no token in the log. Runs mcp_serve_http on a thread on 127.0.0.1 and
 * speaks raw HTTP to it; run from the repository root. */
#include "mcp_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mcp_http_check.h"
#include "t.h"
#include "util.h"

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen[256]; /* the last Authorization value the hook got */
static int calls;

static int fake_authenticate(const char *authorization, struct caller **caller, char **challenge,
			     void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&seen_lock);
	snprintf(seen, sizeof(seen), "%s", authorization ? authorization : "(none)");
	calls++;
	pthread_mutex_unlock(&seen_lock);
	if (authorization && strcmp(authorization, "Bearer good-token") == 0) {
		struct caller *c = xcalloc(1, sizeof(*c));
		c->subject = xstrdup("alice");
		c->groups = json_pack("[s]", "finance");
		c->scopes = json_pack("[s]", "mcp");
		*caller = c;
		return 0;
	}
	if (authorization && strcmp(authorization, "Bearer weak-token") == 0) {
		*challenge = xstrdup("Bearer error=\"insufficient_scope\", scope=\"mcp\"");
		return 403;
	}
	*challenge = xstrdup("Bearer resource_metadata=\"http://127.0.0.1/.well-known/"
			     "oauth-protected-resource/mcp\"");
	return 401;
}

static json_t *fake_metadata(const char *path, void *ctx)
{
	(void)ctx;
	return json_pack("{s:s, s:[s], s:s}", "resource", "http://127.0.0.1/mcp",
			 "authorization_servers", "https://issuer.example", "asked", path);
}

static const struct mcp_auth fake = {fake_authenticate, fake_metadata, NULL};

struct server {
	struct mcp_options opt;
	struct mcp_http_options http;
	int status;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	s->status = mcp_serve_http(&s->opt, &s->http);
	return NULL;
}

/* One request on a new connection; returns the whole response (new). */
static char *exchange(int port, const char *request)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	struct buf out;
	buf_init(&out, 1 << 20);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, request, strlen(request)) == (ssize_t)strlen(request)) {
		char chunk[4096];
		ssize_t n;
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			buf_add(&out, chunk, (size_t)n);
	}
	close(fd);
	return out.data ? buf_detach(&out) : xstrdup("");
}

static char *post(int port, const char *authorization)
{
	const char *body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_"
			   "meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
			   "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
	char *auth =
		authorization ? xasprintf("Authorization: %s\r\n", authorization) : xstrdup("");
	char *req = xasprintf("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
			      "Content-Type: application/json\r\nAccept: application/json, "
			      "text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
			      "Mcp-Method: tools/list\r\n%sContent-Length: %zu\r\n\r\n%s",
			      auth, strlen(body), body);
	char *resp = exchange(port, req);
	free(auth);
	free(req);
	return resp;
}

static char *get(int port, const char *path)
{
	char *req =
		xasprintf("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
	char *resp = exchange(port, req);
	free(req);
	return resp;
}

/* The header checks apart from any connection (mcp_http_check.c). */
static void test_checks(void)
{
	char *hosts[] = {"mcp.example.com", "gw.example.com:8443", NULL};
	CHECK(mcp_http_check_host(NULL, "localhost:8080"));
	CHECK(mcp_http_check_host(NULL, "127.0.0.1"));
	CHECK(mcp_http_check_host(NULL, "127.1.2.3:80"));
	CHECK(mcp_http_check_host(NULL, "[::1]:8080"));
	CHECK(!mcp_http_check_host(NULL, "127.0.0.1.evil.example"));
	CHECK(!mcp_http_check_host(NULL, "localhost.evil.example:80"));
	CHECK(!mcp_http_check_host(NULL, ""));
	CHECK(!mcp_http_check_host(NULL, NULL));
	CHECK(mcp_http_check_host(hosts, "MCP.example.com:443"));
	CHECK(mcp_http_check_host(hosts, "gw.example.com:8443"));
	CHECK(!mcp_http_check_host(hosts, "gw.example.com:9999"));
	char *origins[] = {"https://app.example.com", NULL};
	CHECK(mcp_http_check_origin(NULL, NULL));
	CHECK(mcp_http_check_origin(NULL, "http://localhost:3000"));
	CHECK(mcp_http_check_origin(NULL, "https://[::1]"));
	CHECK(!mcp_http_check_origin(NULL, "null"));
	CHECK(!mcp_http_check_origin(NULL, "ftp://localhost"));
	CHECK(!mcp_http_check_origin(NULL, "https://localhost.evil.example"));
	CHECK(mcp_http_check_origin(origins, "https://APP.example.com"));
	CHECK(!mcp_http_check_origin(origins, "https://app.example.com:444"));
	CHECK(mcp_http_check_accept(NULL, "text/event-stream"));
	CHECK(mcp_http_check_accept("application/json;q=0.9, text/*", "text/event-stream"));
	CHECK(!mcp_http_check_accept("application/json", "text/event-stream"));
	CHECK(!mcp_http_check_accept("text/event-streamx", "text/event-stream"));
	char *v = mcp_http_check_trim(" \tx y\t ");
	CHECK_STR(v, "x y");
	free(v);
	v = mcp_http_check_decode("=?base64?SGVsbG8=?=");
	CHECK_STR(v, "Hello");
	free(v);
	v = mcp_http_check_decode("=?base64?SGVsbG8");
	CHECK_STR(v, "=?base64?SGVsbG8"); /* no suffix: a literal */
	free(v);
	CHECK(mcp_http_check_decode("=?base64?SGVsbG8?=") == NULL);     /* padding */
	CHECK(mcp_http_check_decode("=?base64?SGVs!!!bG8=?=") == NULL); /* alphabet */
	CHECK(mcp_http_check_decode("=?base64?SGVs_G8=?=") == NULL);    /* base64url */
	CHECK(mcp_http_check_decode("=?base64?AA==?=") == NULL);        /* a NUL */

	json_t *schema =
		json_pack("{s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:{s:{s:s, s:s}}}}}", "properties",
			  "connection", "type", "string", "x-mcp-header", "Connection", "n", "type",
			  "integer", "x-mcp-header", "N", "deep", "properties", "flag", "type",
			  "boolean", "x-mcp-header", "Flag");
	json_t *args =
		json_pack("{s:s, s:i, s:{s:b}}", "connection", "two", "n", 42, "deep", "flag", 1);
	json_t *hdrs = json_pack("{s:s, s:s, s:s}", "mcp-param-connection", "two", "mcp-param-n",
				 "42.0", "mcp-param-flag", "true");
	struct err e;
	err_init(&e);
	CHECK(mcp_http_check_params(schema, args, hdrs, &e) == 0);
	json_object_set_new(hdrs, "mcp-param-flag", json_string("false"));
	CHECK(mcp_http_check_params(schema, args, hdrs, &e) < 0);
	CHECK(strstr(e.msg, "Mcp-Param-Flag") != NULL);
	json_object_set_new(hdrs, "mcp-param-flag", json_string("true"));
	json_object_set_new(hdrs, "mcp-param-connection", json_string("tw\xc3\xb6"));
	json_object_set_new(args, "connection", json_string("tw\xc3\xb6"));
	err_init(&e);
	CHECK(mcp_http_check_params(schema, args, hdrs, &e) < 0); /* not ASCII: base64 it */
	json_object_del(args, "connection");
	json_object_del(hdrs, "mcp-param-connection");
	CHECK(mcp_http_check_params(schema, args, hdrs, &e) == 0); /* absent from both */
	json_object_set_new(args, "connection", json_null());
	CHECK(mcp_http_check_params(schema, args, hdrs, &e) == 0); /* null: no header */
	json_decref(schema);
	json_decref(args);
	json_decref(hdrs);

	json_t *msg = json_pack("{s:s, s:{s:s}}", "method", "resources/read", "params", "uri",
				"events://stripe/customers");
	CHECK(mcp_http_check_names("resources/read", "events://stripe/customers", msg, 1) == NULL);
	char *why = mcp_http_check_names("resources/read", NULL, msg, 1);
	CHECK(why && strstr(why, "Mcp-Name") != NULL);
	free(why);
	CHECK(mcp_http_check_names(NULL, NULL, msg, 0) == NULL); /* optional before 2026 */
	why = mcp_http_check_names("tools/call", NULL, msg, 0);
	CHECK(why && strstr(why, "'tools/call' does not match body value 'resources/read'"));
	free(why);
	json_decref(msg);
}

int main(void)
{
	test_checks();
	char dir[] = "/tmp/test_mcp_http.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	setenv("SWITCHBOARD_DATADIR", ".", 0); /* the repository's connector files */
	char *store = xasprintf("%s/store.db", dir);
	char *port_file = xasprintf("%s/port", dir);
	static struct server s;
	s.opt.store_path = store;
	s.http = (struct mcp_http_options){
		.addr = "127.0.0.1", .path = "/mcp", .auth = &fake, .port_file = port_file};
	pthread_t t;
	pthread_create(&t, NULL, serve, &s);
	int port = 0;
	for (int i = 0; i < 200 && !port; i++) {
		FILE *f = fopen(port_file, "r");
		if (f) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		if (!port)
			nanosleep(&ts, NULL);
	}
	CHECK(port > 0);

	char *r = post(port, NULL);
	CHECK(strncmp(r, "HTTP/1.1 401", 12) == 0);
	CHECK(strstr(r, "WWW-Authenticate: Bearer resource_metadata=\"http://127.0.0.1/.well-known/"
			"oauth-protected-resource/mcp\"") != NULL);
	CHECK(strstr(r, "\"tools\"") == NULL);
	pthread_mutex_lock(&seen_lock);
	CHECK_STR(seen, "(none)");
	pthread_mutex_unlock(&seen_lock);
	free(r);

	r = post(port, "Bearer weak-token");
	CHECK(strncmp(r, "HTTP/1.1 403", 12) == 0);
	CHECK(strstr(r, "insufficient_scope") != NULL);
	free(r);

	r = post(port, "Bearer good-token");
	CHECK(strncmp(r, "HTTP/1.1 200", 12) == 0);
	CHECK(strstr(r, "\"tools\"") != NULL);
	pthread_mutex_lock(&seen_lock);
	CHECK_STR(seen, "Bearer good-token");
	CHECK(calls == 3);
	pthread_mutex_unlock(&seen_lock);
	free(r);

	/* RFC 9728 metadata, at the root and with the resource's path after it;
	 * never behind the authenticator. */
	r = get(port, "/.well-known/oauth-protected-resource");
	CHECK(strncmp(r, "HTTP/1.1 200", 12) == 0);
	CHECK(strstr(r, "application/json") != NULL);
	CHECK(strstr(r, "\"asked\":\"/.well-known/oauth-protected-resource\"") != NULL);
	free(r);
	r = get(port, "/.well-known/oauth-protected-resource/mcp");
	CHECK(strncmp(r, "HTTP/1.1 200", 12) == 0);
	CHECK(strstr(r, "\"asked\":\"/.well-known/oauth-protected-resource/mcp\"") != NULL);
	free(r);
	r = get(port, "/.well-known/oauth-protected-resourcex");
	CHECK(strncmp(r, "HTTP/1.1 404", 12) == 0);
	free(r);
	pthread_mutex_lock(&seen_lock);
	CHECK(calls == 3);
	pthread_mutex_unlock(&seen_lock);

	kill(getpid(), SIGTERM);
	pthread_join(t, NULL);
	CHECK(s.status == 0);
	static const char *suffixes[] = {"", "-wal", "-shm", "-journal", NULL};
	for (int i = 0; suffixes[i]; i++) {
		char *f = xasprintf("%s%s", store, suffixes[i]);
		unlink(f);
		free(f);
	}
	unlink(port_file);
	rmdir(dir);
	free(store);
	free(port_file);
	return t_done();
}
