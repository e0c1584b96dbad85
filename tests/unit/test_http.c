/* test_http.c - http.c against the scripted loopback stub (tests/stub/stub.py),
 * which this test starts itself; run from the repository root. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "t.h"
#include "util.h"

static const char *script =
	"{\"routes\": ["
	"{\"method\": \"GET\", \"path\": \"/json\", \"replies\": [{\"status\": 200,"
	" \"json\": {\"hello\": \"world\"}, \"headers\": {\"X-Custom\": \"Yes\","
	" \"Link\": [\"<$STUB_URL/json?page=2>; rel=\\\"next\\\"\", \"<$STUB_URL/json?page=9>; "
	"rel=\\\"last\\\"\"]}}]},"
	"{\"method\": \"POST\", \"path\": \"/echo\", \"replies\": [{\"status\": 201, \"json\": "
	"{}}]},"
	"{\"path\": \"/ratelimited\", \"replies\": [{\"status\": 429, \"headers\": "
	"{\"Retry-After\": "
	"\"1\"}, \"json\": {}}, {\"status\": 200, \"json\": {\"ok\": 1}}]},"
	"{\"path\": \"/unavailable\", \"replies\": [{\"status\": 503, \"json\": {}}]},"
	"{\"path\": \"/wait-long\", \"replies\": [{\"status\": 429, \"headers\": {\"Retry-After\": "
	"\"30\"}}]},"
	"{\"path\": \"/wait-date\", \"replies\": [{\"status\": 503, \"headers\": {\"Retry-After\": "
	"\"Wed, 21 Oct 2099 07:28:00 GMT\"}}]},"
	"{\"path\": \"/github-limit\", \"replies\": [{\"status\": 403, \"headers\": "
	"{\"X-RateLimit-Remaining\": \"0\", \"X-RateLimit-Reset\": \"4102444800\"}}]},"
	"{\"path\": \"/big\", \"replies\": [{\"size\": 10485760}]},"
	"{\"path\": \"/drop\", \"replies\": [{\"drop\": true}, {\"status\": 200, \"json\": {}}]},"
	"{\"path\": \"/drop-always\", \"replies\": [{\"drop\": true}]},"
	"{\"path\": \"/slow\", \"replies\": [{\"delay_ms\": 5000, \"json\": {}}]},"
	"{\"path\": \"/concurrent\", \"replies\": [{\"delay_ms\": 200, \"json\": {\"ok\": true}}]},"
	"{\"path\": \"/redirect-same\", \"replies\": [{\"status\": 302, \"headers\": "
	"{\"Location\": "
	"\"$STUB_URL/json\"}}]},"
	"{\"path\": \"/redirect-303\", \"replies\": [{\"status\": 303, \"headers\": {\"Location\": "
	"\"/json?from=303\"}}]},"
	"{\"path\": \"/redirect-cross\", \"replies\": [{\"status\": 302, \"headers\": "
	"{\"Location\": "
	"\"http://localhost:1/json\"}}]}"
	"]}";

static char tmpdir[64];
static char stub_url[64];
static pid_t stub_pid = -1;

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* A URL on the stub; the result lives until the 16th call after it. */
static const char *url(const char *path)
{
	static char slots[16][256];
	static int next;
	char *s = slots[next++ % 16];
	snprintf(s, sizeof(slots[0]), "%s%s", stub_url, path);
	return s;
}

static int stub_start(void)
{
	char *script_path = tmp_path("script.json"), *record = tmp_path("record.jsonl");
	char *port_file = tmp_path("port");
	int ret = -1;
	FILE *f = fopen(script_path, "w");
	if (!f)
		goto out;
	fputs(script, f);
	fclose(f);
	stub_pid = fork();
	if (stub_pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execlp("python3", "python3", "tests/stub/stub.py", "--script", script_path,
		       "--record", record, "--port-file", port_file, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1500 && stub_pid > 0; i++) {
		char *port = read_file(port_file, 64, NULL, NULL);
		long p = 0;
		if (port) {
			port[strcspn(port, "\n")] = '\0';
			if (parse_long(port, &p) == 0)
				snprintf(stub_url, sizeof(stub_url), "http://127.0.0.1:%ld", p);
			free(port);
		}
		if (p > 0) {
			ret = 0;
			break;
		}
		if (waitpid(stub_pid, NULL, WNOHANG) == stub_pid) {
			stub_pid = -1;
			break;
		}
		usleep(20000);
	}
out:
	free(script_path);
	free(record);
	free(port_file);
	return ret;
}

static void stub_stop(void)
{
	const char *names[] = {"script.json", "record.jsonl", "port"};
	if (stub_pid > 0) {
		kill(stub_pid, SIGTERM);
		waitpid(stub_pid, NULL, 0);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = tmp_path(names[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
}

/* The nth (from 0) recorded request for path, as a new reference, or NULL. */
static json_t *stub_request(const char *path, int nth)
{
	char *rec = tmp_path("record.jsonl");
	char *text = read_file(rec, 64 << 20, NULL, NULL);
	json_t *found = NULL;
	for (char *line = text, *nl; line && *line && !found; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		json_t *r = json_loads(line, 0, NULL);
		if (r && strcmp(json_string_value(json_object_get(r, "path")), path) == 0 &&
		    nth-- == 0)
			found = json_incref(r); /* dropped by the caller */
		json_decref(r);
	}
	free(text);
	free(rec);
	return found;
}

static int stub_count(const char *path)
{
	int n = 0;
	json_t *r;
	while ((r = stub_request(path, n)) != NULL) {
		json_decref(r);
		n++;
	}
	return n;
}

static const char *rec_header(json_t *rec, const char *name)
{
	return json_string_value(json_object_get(json_object_get(rec, "headers"), name));
}

/* What an asynchronous test keeps of its response. */
struct result {
	int calls;
	enum http_error error;
	long status;
	int attempts;
	int truncated;
	long retry_after_s;
	long long elapsed_ms;
	size_t body_len;
};

static void on_done(struct http_response *r, void *ctx)
{
	struct result *res = ctx;
	res->calls++;
	res->error = r->error;
	res->status = r->status;
	res->attempts = r->attempts;
	res->truncated = r->truncated;
	res->retry_after_s = r->retry_after_s;
	res->elapsed_ms = r->elapsed_ms;
	res->body_len = r->body_len;
}

static void wait_all(struct http_client *c)
{
	long long deadline = now_ms() + 10000;
	while (http_pending(c) > 0 && now_ms() < deadline)
		CHECK(http_wait(c, -1, 100, NULL) == 0);
}

static int do_request(struct http_client *c, const struct http_request *req,
		      struct http_response *resp)
{
	struct err e;
	err_init(&e);
	return http_perform(c, req, resp, &e);
}

static void test_get_json(struct http_client *c)
{
	struct http_request req = {.method = "GET", .url = url("/json?q=a%20b&q=2")};
	struct http_response resp;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.error == HTTP_OK);
	CHECK(resp.status == 200);
	CHECK(resp.attempts == 1);
	CHECK(resp.retry_after_s == -1);
	CHECK(!resp.truncated);
	json_t *body = json_loadb(resp.body, resp.body_len, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(body, "hello")), "world");
	json_decref(body);
	/* Headers: lowercase names, repeated Link joined. */
	CHECK_STR(json_string_value(json_object_get(resp.headers, "x-custom")), "Yes");
	CHECK_STR(json_string_value(json_object_get(resp.headers, "content-type")),
		  "application/json");
	char *link = xasprintf("<%s/json?page=2>; rel=\"next\", <%s/json?page=9>; rel=\"last\"",
			       stub_url, stub_url);
	CHECK_STR(json_string_value(json_object_get(resp.headers, "link")), link);
	free(link);
	CHECK(json_object_get(resp.headers, "X-Custom") == NULL);
	http_response_release(&resp);

	json_t *rec = stub_request("/json", 0);
	CHECK(rec != NULL);
	CHECK_STR(rec_header(rec, "user-agent"), "switchboard/" SB_VERSION);
	json_t *q = json_object_get(json_object_get(rec, "query"), "q");
	CHECK(json_array_size(q) == 2);
	CHECK_STR(json_string_value(json_array_get(q, 0)), "a b");
	json_decref(rec);
}

static void test_post_body(struct http_client *c)
{
	/* body_len, not strlen: the trailing junk must not be sent. */
	const char body[] = "{\"name\":\"Zo\xc3\xab \\\"q\\\"\",\"tags\":[1,2]}JUNK";
	const char *hdrs[] = {"Content-Type: application/json", "User-Agent: custom/1",
			      "Authorization: Bearer sk_test_123", NULL};
	struct http_request req = {.method = "POST",
				   .url = url("/echo"),
				   .headers = hdrs,
				   .body = body,
				   .body_len = sizeof(body) - 1 - 4};
	struct http_response resp;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 201);
	http_response_release(&resp);

	json_t *rec = stub_request("/echo", 0);
	CHECK(rec != NULL);
	CHECK_STR(json_string_value(json_object_get(rec, "method")), "POST");
	char *sent = xstrndup(body, sizeof(body) - 1 - 4);
	CHECK_STR(json_string_value(json_object_get(rec, "raw_body")), sent);
	free(sent);
	CHECK_STR(json_string_value(json_object_get(json_object_get(rec, "body"), "name")),
		  "Zo\xc3\xab \"q\"");
	CHECK_STR(rec_header(rec, "user-agent"), "custom/1");
	CHECK_STR(rec_header(rec, "authorization"), "Bearer sk_test_123");
	CHECK(rec_header(rec, "expect") == NULL);
	json_decref(rec);
}

static void test_no_retry_unless_idempotent(struct http_client *c)
{
	struct http_request req = {
		.method = "POST", .url = url("/unavailable"), .body = "{}", .body_len = 2};
	struct http_response resp;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 503);
	CHECK(resp.attempts == 1);
	http_response_release(&resp);
	CHECK(stub_count("/unavailable") == 1);
}

static void test_retry_wait_too_long(struct http_client *c)
{
	struct http_request req = {.method = "GET", .url = url("/wait-long"), .idempotent = 1};
	struct http_response resp;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 429);
	CHECK(resp.attempts == 1);
	CHECK(resp.retry_after_s == 30);
	CHECK(resp.elapsed_ms < 10000); /* not the 30 s asked for */
	http_response_release(&resp);

	/* An HTTP date far ahead. */
	req.url = url("/wait-date");
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 503);
	CHECK(resp.attempts == 1);
	CHECK(resp.retry_after_s > 1000000);
	http_response_release(&resp);

	/* GitHub's exhausted quota: the reset is an epoch time. */
	req.url = url("/github-limit");
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 403);
	CHECK(resp.attempts == 1);
	CHECK(resp.retry_after_s > 1000000);
	http_response_release(&resp);
}

static void test_truncated(struct http_client *c)
{
	struct http_request req = {.method = "GET", .url = url("/big"), .max_body = 1 << 20};
	struct http_response resp;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.error == HTTP_OK);
	CHECK(resp.status == 200);
	CHECK(resp.truncated == 1);
	CHECK(resp.body_len == 1 << 20);
	CHECK(resp.body && resp.body[resp.body_len] == '\0');
	http_response_release(&resp);

	/* Within the cap (default 4 MiB is too small for 10 MiB; 16 MiB is not). */
	req.max_body = 16 << 20;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(!resp.truncated);
	CHECK(resp.body_len == 10485760);
	http_response_release(&resp);
}

static void test_dropped(struct http_client *c)
{
	struct http_request req = {
		.method = "POST", .url = url("/drop-always"), .body = "x", .body_len = 1};
	struct http_response resp;
	struct err e;
	err_init(&e);
	CHECK(http_perform(c, &req, &resp, &e) == -1);
	CHECK(resp.error == HTTP_ERESET);
	CHECK(resp.status == 0);
	CHECK(resp.errmsg[0] != '\0');
	CHECK(err_is_set(&e));
	http_response_release(&resp);

	/* Idempotent: sent again after a backoff. A fresh client, because on
	 * a reused connection curl itself resends once, hiding our retry. */
	struct http_client *fresh = http_new(&e);
	req.method = "GET";
	req.url = url("/drop");
	req.body = NULL;
	req.body_len = 0;
	req.idempotent = 1;
	CHECK(do_request(fresh, &req, &resp) == 0);
	CHECK(resp.error == HTTP_OK);
	CHECK(resp.status == 200);
	CHECK(resp.attempts == 2);
	CHECK(stub_count("/drop") == 2);
	http_response_release(&resp);
	http_free(fresh);
}

static void test_redirects(struct http_client *c)
{
	const char *hdrs[] = {"Authorization: Bearer secret-token", NULL};
	struct http_request req = {.method = "GET", .url = url("/redirect-same"), .headers = hdrs};
	struct http_response resp;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 200);
	CHECK(json_object_get(resp.headers, "x-custom") != NULL);
	http_response_release(&resp);
	json_t *rec = stub_request("/json", 1);
	CHECK_STR(rec_header(rec, "authorization"), "Bearer secret-token");
	json_decref(rec);

	/* 303 after a POST: GET the new place, without the body. */
	req.method = "POST";
	req.url = url("/redirect-303");
	req.body = "a=1";
	req.body_len = 3;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 200);
	http_response_release(&resp);
	rec = stub_request("/json", 2);
	CHECK_STR(json_string_value(json_object_get(rec, "method")), "GET");
	CHECK_STR(json_string_value(json_object_get(json_object_get(rec, "query"), "from")), "303");
	CHECK_STR(json_string_value(json_object_get(rec, "raw_body")), "");
	json_decref(rec);

	/* Another host: handed back as it came. */
	req.method = "GET";
	req.url = url("/redirect-cross");
	req.body = NULL;
	req.body_len = 0;
	CHECK(do_request(c, &req, &resp) == 0);
	CHECK(resp.status == 302);
	CHECK_STR(json_string_value(json_object_get(resp.headers, "location")),
		  "http://localhost:1/json");
	http_response_release(&resp);
}

static void test_bad_requests(struct http_client *c)
{
	const char *crlf[] = {"X-Ok: 1", "X-Evil: a\r\nX-Injected: b", NULL};
	const char *lf[] = {"X-Evil: a\nb", NULL};
	const char *noname[] = {": value", NULL};
	struct http_request req = {.method = "GET", .url = url("/json"), .headers = crlf};
	struct err e;
	int before = stub_count("/json");
	err_init(&e);
	CHECK(http_start(c, &req, on_done, NULL, &e) == -1);
	CHECK(strstr(e.msg, "CR or LF") != NULL);
	CHECK(strstr(e.msg, "Injected") == NULL);
	req.headers = lf;
	err_init(&e);
	CHECK(http_start(c, &req, on_done, NULL, &e) == -1);
	req.headers = noname;
	err_init(&e);
	CHECK(http_start(c, &req, on_done, NULL, &e) == -1);
	req.headers = NULL;
	req.method = "GET /x";
	err_init(&e);
	CHECK(http_start(c, &req, on_done, NULL, &e) == -1);
	req.method = "GET";
	req.url = "ftp://127.0.0.1/x";
	err_init(&e);
	CHECK(http_start(c, &req, on_done, NULL, &e) == -1);
	req.url = "not a url";
	err_init(&e);
	CHECK(http_start(c, &req, on_done, NULL, &e) == -1);
	CHECK(http_pending(c) == 0);
	CHECK(stub_count("/json") == before);
}

/* A port nobody listens on: bind, note it, close. */
static int closed_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void test_connect_refused(struct http_client *c)
{
	char *u = xasprintf("http://127.0.0.1:%d/", closed_port());
	struct http_request req = {.method = "GET", .url = u};
	struct http_response resp;
	CHECK(do_request(c, &req, &resp) == -1);
	CHECK(resp.error == HTTP_ECONNECT);
	CHECK(resp.attempts == 1);
	http_response_release(&resp);
	req.idempotent = 1;
	req.max_retries = 1;
	CHECK(do_request(c, &req, &resp) == -1);
	CHECK(resp.error == HTTP_ECONNECT);
	CHECK(resp.attempts == 2);
	http_response_release(&resp);
	free(u);
}

static void test_concurrent(struct http_client *c)
{
	enum { N = 64 };
	struct result res[N];
	struct err e;
	int ok = 0, calls = 0;
	memset(res, 0, sizeof(res));
	long long t0 = now_ms();
	for (int i = 0; i < N; i++) {
		struct http_request req = {
			.method = "GET", .url = url("/concurrent"), .idempotent = 1};
		err_init(&e);
		CHECK(http_start(c, &req, on_done, &res[i], &e) > 0);
	}
	CHECK(http_pending(c) == N);
	wait_all(c);
	for (int i = 0; i < N; i++) {
		calls += res[i].calls;
		ok += res[i].calls == 1 && res[i].error == HTTP_OK && res[i].status == 200;
	}
	CHECK(calls == N);
	CHECK(ok == N);
	fprintf(stderr, "test_http: %d concurrent requests (200 ms each) took %lld ms\n", N,
		now_ms() - t0);
}

/* The slow cases side by side, so the test stays quick. */
static void test_async(struct http_client *c)
{
	struct result rl = {0}, tmo = {0}, cancel = {0}, cancel_wait = {0};
	struct http_request r_rl = {.method = "GET", .url = url("/ratelimited"), .idempotent = 1};
	struct http_request r_tmo = {.method = "GET", .url = url("/slow"), .timeout_ms = 300};
	struct http_request r_cancel = {.method = "GET", .url = url("/slow"), .idempotent = 1};
	/* Parked on a 30 s retry timer when cancelled. */
	struct http_request r_cancel_wait = {.method = "GET",
					     .url = url("/wait-long"),
					     .idempotent = 1,
					     .max_retry_wait_ms = 60000,
					     .timeout_ms = 120000};
	struct err e;
	err_init(&e);
	CHECK(http_start(c, &r_rl, on_done, &rl, &e) > 0);
	CHECK(http_start(c, &r_tmo, on_done, &tmo, &e) > 0);
	long long cid = http_start(c, &r_cancel, on_done, &cancel, &e);
	long long wid = http_start(c, &r_cancel_wait, on_done, &cancel_wait, &e);
	CHECK(cid > 0 && wid > 0);
	long long t0 = now_ms();
	while (now_ms() - t0 < 100)
		http_wait(c, -1, 20, NULL);
	http_cancel(c, cid);
	http_cancel(c, wid);
	CHECK(cancel.calls == 0); /* delivered by http_wait, not from http_cancel */
	http_cancel(c, cid);      /* twice is harmless */
	http_cancel(c, 999999);   /* unknown ids are ignored */
	wait_all(c);

	CHECK(rl.calls == 1);
	CHECK(rl.error == HTTP_OK);
	CHECK(rl.status == 200);
	CHECK(rl.attempts == 2);
	CHECK(rl.elapsed_ms >= 1000);
	CHECK(stub_count("/ratelimited") == 2);

	CHECK(tmo.calls == 1);
	CHECK(tmo.error == HTTP_ETIMEOUT);
	CHECK(tmo.attempts == 1);
	CHECK(tmo.elapsed_ms < 4000); /* 300 ms, not /slow's 5 s (a loaded machine's margin) */

	CHECK(cancel.calls == 1);
	CHECK(cancel.error == HTTP_ECANCELLED);
	CHECK(cancel.elapsed_ms < 3000);
	CHECK(cancel_wait.calls == 1);
	CHECK(cancel_wait.error == HTTP_ECANCELLED);
}

/* http_drop forgets a request at once, in flight, parked for a retry, or
 * finished and waiting to be delivered: its done() never runs, so the
 * caller may free ctx right away (exec_cancel does). */
static void test_drop(struct http_client *c)
{
	struct result slow = {0}, parked = {0}, finished = {0};
	struct http_request r_slow = {.method = "GET", .url = url("/slow")};
	struct http_request r_parked = {.method = "GET",
					.url = url("/wait-long"),
					.idempotent = 1,
					.max_retry_wait_ms = 60000,
					.timeout_ms = 120000};
	struct http_request r_fin = {.method = "GET", .url = url("/json")};
	struct err e;
	err_init(&e);
	long long sid = http_start(c, &r_slow, on_done, &slow, &e);
	long long pid = http_start(c, &r_parked, on_done, &parked, &e);
	CHECK(sid > 0 && pid > 0);
	long long t0 = now_ms();
	while (now_ms() - t0 < 100)
		http_wait(c, -1, 20, NULL);
	long long fid = http_start(c, &r_fin, on_done, &finished, &e);
	CHECK(fid > 0);
	http_cancel(c, fid); /* finished: in the done queue until the next http_wait */
	CHECK(http_pending(c) == 3);
	http_drop(c, pid);
	http_drop(c, fid);
	http_drop(c, sid);
	http_drop(c, sid);    /* twice is harmless */
	http_drop(c, 999999); /* unknown ids are ignored */
	CHECK(http_pending(c) == 0);
	for (int i = 0; i < 3; i++)
		http_wait(c, -1, 10, NULL);
	CHECK(slow.calls == 0 && parked.calls == 0 && finished.calls == 0);
	/* The client goes on working. */
	struct result after = {0};
	CHECK(http_start(c, &r_fin, on_done, &after, &e) > 0);
	wait_all(c);
	CHECK(after.calls == 1 && after.status == 200);
}

static void test_extra_fd(struct http_client *c)
{
	int fds[2], ready = -1;
	CHECK(pipe(fds) == 0);
	CHECK(http_wait(c, fds[0], 10, &ready) == 0);
	CHECK(ready == 0);
	CHECK(write(fds[1], "x", 1) == 1);
	CHECK(http_wait(c, fds[0], 1000, &ready) == 0);
	CHECK(ready == 1);
	char ch;
	CHECK(read(fds[0], &ch, 1) == 1);
	/* EOF: a closed pipe must count as readable, or stdin's end is missed. */
	close(fds[1]);
	long long t0 = now_ms();
	CHECK(http_wait(c, fds[0], 5000, &ready) == 0);
	CHECK(ready == 1);
	CHECK(now_ms() - t0 < 2500); /* at once, not at the 5 s timeout */
	close(fds[0]);
}

/* http_free with transfers in flight: no callbacks, no leaks. */
static void test_free_in_flight(void)
{
	struct err e;
	struct result r = {0};
	err_init(&e);
	struct http_client *c = http_new(&e);
	struct http_request req = {.method = "GET", .url = url("/slow")};
	struct http_request retry = {.method = "GET",
				     .url = url("/wait-long"),
				     .idempotent = 1,
				     .max_retry_wait_ms = 60000,
				     .timeout_ms = 120000};
	CHECK(http_start(c, &req, on_done, &r, &e) > 0);
	CHECK(http_start(c, &retry, on_done, &r, &e) > 0);
	for (int i = 0; i < 5; i++)
		http_wait(c, -1, 20, NULL);
	http_free(c);
	CHECK(r.calls == 0);
}

int main(void)
{
	struct err e;
	struct http_client *c;
	/* Loopback must never go through a proxy from the environment. */
	setenv("NO_PROXY", "*", 1);
	setenv("no_proxy", "*", 1);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_http.XXXXXX");
	if (!mkdtemp(tmpdir) || stub_start() < 0) {
		fprintf(stderr,
			"test_http: cannot start tests/stub/stub.py (run from the repo root)\n");
		stub_stop();
		return 1;
	}
	err_init(&e);
	c = http_new(&e);
	CHECK(c != NULL);
	if (c) {
		test_get_json(c);
		test_post_body(c);
		test_no_retry_unless_idempotent(c);
		test_retry_wait_too_long(c);
		test_truncated(c);
		test_dropped(c);
		test_redirects(c);
		test_bad_requests(c);
		test_connect_refused(c);
		test_extra_fd(c);
		test_concurrent(c);
		test_async(c);
		test_drop(c);
		CHECK(http_pending(c) == 0);
		test_free_in_flight();
	}
	http_free(c);
	http_free(NULL);
	http_global_cleanup();
	stub_stop();
	return t_done();
}
