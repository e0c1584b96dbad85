/* bench_floor.c - the floors `make bench` measures switchboard against, each
 * the least a program doing the same job could do:
 *
 *   bench_floor echo        the cold-start floor: a minimal stdio JSON-RPC
 *                           server that calls https vendors, set up the way
 *                           any such server must be before its first answer:
 *                           linked with jansson and libcurl (and so OpenSSL),
 *                           curl_global_init(CURL_GLOBAL_DEFAULT) run (which
 *                           initialises OpenSSL and reads its config) and a
 *                           multi handle made; then it parses each line and
 *                           answers {"jsonrpc","id","result":{}} (tools/list:
 *                           no tools). Built without libcurl (-DFLOOR_BARE,
 *                           bench_echo) it is the bare jansson echo: a second
 *                           line, what JSON-RPC alone costs
 *   bench_floor proxy URL   a minimal MCP proxy: each request line is parsed,
 *                           answered after one GET of URL (kept alive), the
 *                           vendor's JSON parsed and sent back as a tool result
 *   bench_floor get URL N   N GETs of URL at once through one libcurl multi:
 *                           prints the wall time in us (the floor for calls
 *                           in flight: what the vendor stub itself allows)
 *   bench_floor hooks URL SECRET N CLIENTS
 *                           a load generator, not a floor: N signed Stripe
 *                           deliveries to URL from CLIENTS connections at once
 *                           (libcurl multi); prints each latency in us, one
 *                           per line, then "wall_us W"
 *   bench_floor mcp URL TOOL N CLIENTS
 *                           the same for MCP over HTTP: N tools/call TOOL
 *                           (2026-07-28, no arguments) POSTed to URL from
 *                           CLIENTS keep-alive connections at once; an answer
 *                           other than HTTP 200 without isError is a failure */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef FLOOR_BARE
#include <curl/curl.h>
#include <openssl/hmac.h>

static long long now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

struct body {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t s, size_t n, void *u)
{
	struct body *b = u;
	char *d = realloc(b->data, b->len + s * n + 1);
	if (!d)
		return 0;
	memcpy(d + b->len, p, s * n);
	b->data = d;
	b->len += s * n;
	d[b->len] = 0;
	return s * n;
}

#endif

static void answer(json_t *id, json_t *result)
{
	json_t *msg = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
	char *line = json_dumps(msg, JSON_COMPACT);
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	free(line);
	json_decref(msg);
}

#ifdef FLOOR_BARE
static int echo(void)
{
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, stdin) > 0) {
		json_t *msg = json_loads(line, 0, NULL);
		json_t *id = json_object_get(msg, "id");
		const char *m = json_string_value(json_object_get(msg, "method"));
		if (id && m)
			answer(id, strcmp(m, "tools/list") == 0 ? json_pack("{s:[]}", "tools")
								 : json_object());
		json_decref(msg);
	}
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "echo") == 0)
		return echo();
	fprintf(stderr, "usage: bench_echo echo\n");
	return 2;
}
#else
/* url NULL: the echo; a server of https vendors keeps a multi handle for its
 * transfers from the start, so the floor makes one too. */
static int serve(const char *url)
{
	CURLM *multi = curl_multi_init();
	CURL *e = url ? curl_easy_init() : NULL;
	struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer sk_test_bench");
	char *line = NULL;
	size_t cap = 0;
	if (e) {
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	}
	while (getline(&line, &cap, stdin) > 0) {
		json_t *msg = json_loads(line, 0, NULL);
		json_t *id = json_object_get(msg, "id");
		const char *m = json_string_value(json_object_get(msg, "method"));
		if (!id || !m) {
			json_decref(msg);
			continue;
		}
		if (strcmp(m, "tools/list") == 0) {
			answer(id, json_pack("{s:[]}", "tools"));
			json_decref(msg);
			continue;
		}
		if (!e || strcmp(m, "tools/call") != 0) {
			answer(id, json_object());
			json_decref(msg);
			continue;
		}
		struct body b = {0};
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
		json_t *data = curl_easy_perform(e) == CURLE_OK ? json_loadb(b.data, b.len, 0, NULL)
								 : NULL;
		char *text = json_dumps(data ? data : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
		answer(id, json_pack("{s:[{s:s, s:s}], s:{s:o}}", "content", "type", "text", "text",
				     text, "structuredContent", "data", data ? data : json_null()));
		free(text);
		free(b.data);
		json_decref(msg);
	}
	free(line);
	curl_slist_free_all(h);
	if (e)
		curl_easy_cleanup(e);
	curl_multi_cleanup(multi);
	return multi ? 0 : 1;
}

struct delivery {
	CURL *e;
	struct curl_slist *h;
	char *payload;
	struct body answer;
	long long started;
};

static long next_event;

static void delivery_start(CURLM *m, struct delivery *d, const char *url, const char *secret)
{
	char sig[256], hex[65];
	unsigned char mac[32];
	unsigned len = 0;
	long t = (long)time(NULL);
	long i = ++next_event;
	free(d->payload);
	if (asprintf(&d->payload,
		     "{\"id\":\"evt_floor_%ld\",\"object\":\"event\",\"type\":\"customer.updated\","
		     "\"data\":{\"object\":{\"id\":\"cus_%ld\",\"object\":\"customer\"}}}",
		     i, i) < 0)
		abort();
	char *signed_part = NULL;
	if (asprintf(&signed_part, "%ld.%s", t, d->payload) < 0)
		abort();
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)signed_part,
	     strlen(signed_part), mac, &len);
	free(signed_part);
	for (unsigned k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", mac[k]);
	snprintf(sig, sizeof(sig), "Stripe-Signature: t=%ld,v1=%s", t, hex);
	curl_slist_free_all(d->h);
	d->h = curl_slist_append(NULL, sig);
	d->h = curl_slist_append(d->h, "Content-Type: application/json");
	curl_easy_setopt(d->e, CURLOPT_URL, url);
	curl_easy_setopt(d->e, CURLOPT_HTTPHEADER, d->h);
	curl_easy_setopt(d->e, CURLOPT_POSTFIELDS, d->payload);
	curl_easy_setopt(d->e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(d->e, CURLOPT_WRITEDATA, &d->answer);
	curl_easy_setopt(d->e, CURLOPT_PRIVATE, d);
	d->started = now_us();
	curl_multi_add_handle(m, d->e);
}

/* A tools/call of arg (the tool), as a 2026-07-28 client sends it. */
static void mcp_start(CURLM *m, struct delivery *d, const char *url, const char *tool)
{
	long i = ++next_event;
	char name[300];
	free(d->payload);
	if (asprintf(&d->payload,
		     "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{"
		     "\"name\":\"%s\",\"arguments\":{},\"_meta\":{"
		     "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
		     "\"io.modelcontextprotocol/clientCapabilities\":{},"
		     "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}}",
		     i, tool) < 0)
		abort();
	snprintf(name, sizeof(name), "Mcp-Name: %s", tool);
	curl_slist_free_all(d->h);
	d->h = curl_slist_append(NULL, "Content-Type: application/json");
	d->h = curl_slist_append(d->h, "Accept: application/json, text/event-stream");
	d->h = curl_slist_append(d->h, "MCP-Protocol-Version: 2026-07-28");
	d->h = curl_slist_append(d->h, "Mcp-Method: tools/call");
	d->h = curl_slist_append(d->h, name);
	curl_easy_setopt(d->e, CURLOPT_URL, url);
	curl_easy_setopt(d->e, CURLOPT_HTTPHEADER, d->h);
	curl_easy_setopt(d->e, CURLOPT_POSTFIELDS, d->payload);
	curl_easy_setopt(d->e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(d->e, CURLOPT_WRITEDATA, &d->answer);
	curl_easy_setopt(d->e, CURLOPT_PRIVATE, d);
	d->started = now_us();
	curl_multi_add_handle(m, d->e);
}

typedef void (*start_fn)(CURLM *m, struct delivery *d, const char *url, const char *arg);

/* N requests from CLIENTS connections at once, each started by start. */
static int load(const char *url, const char *arg, long n, long clients, start_fn start)
{
	CURLM *m = curl_multi_init();
	struct delivery *ds = calloc((size_t)clients, sizeof(*ds));
	long started = 0, done = 0, failed = 0;
	long long t0 = now_us();
	for (long c = 0; c < clients && started < n; c++, started++) {
		ds[c].e = curl_easy_init();
		start(m, &ds[c], url, arg);
	}
	while (done < n) {
		int running = 0, left = 0;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		while ((msg = curl_multi_info_read(m, &left))) {
			struct delivery *d = NULL;
			long status = 0;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
			if (msg->data.result != CURLE_OK || status != 200 ||
			    (d->answer.data && strstr(d->answer.data, "\"isError\":true")))
				failed++;
			printf("%lld\n", now_us() - d->started);
			done++;
			curl_multi_remove_handle(m, d->e);
			free(d->answer.data);
			d->answer = (struct body){0};
			if (started < n) {
				started++;
				start(m, d, url, arg);
			}
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	printf("wall_us %lld\n", now_us() - t0);
	for (long c = 0; c < clients; c++) {
		curl_easy_cleanup(ds[c].e);
		curl_slist_free_all(ds[c].h);
		free(ds[c].payload);
	}
	free(ds);
	curl_multi_cleanup(m);
	if (failed)
		fprintf(stderr, "bench_floor: %ld requests failed\n", failed);
	return failed ? 1 : 0;
}

static size_t discard(char *p, size_t s, size_t n, void *u);

static int get_many(const char *url, long n)
{
	CURLM *m = curl_multi_init();
	CURL **es = calloc((size_t)n, sizeof(*es));
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, n);
	long long t0 = now_us();
	for (long i = 0; i < n; i++) {
		es[i] = curl_easy_init();
		curl_easy_setopt(es[i], CURLOPT_URL, url);
		curl_easy_setopt(es[i], CURLOPT_WRITEFUNCTION, discard);
		curl_multi_add_handle(m, es[i]);
	}
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	printf("%lld\n", now_us() - t0);
	for (long i = 0; i < n; i++) {
		curl_multi_remove_handle(m, es[i]);
		curl_easy_cleanup(es[i]);
	}
	free(es);
	curl_multi_cleanup(m);
	return 0;
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p, (void)u;
	return s * n;
}

int main(int argc, char **argv)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = 2;
	if (argc == 2 && strcmp(argv[1], "echo") == 0)
		rc = serve(NULL);
	else if (argc == 3 && strcmp(argv[1], "proxy") == 0)
		rc = serve(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "get") == 0)
		rc = get_many(argv[2], strtol(argv[3], NULL, 10));
	else if (argc == 6 && strcmp(argv[1], "hooks") == 0)
		rc = load(argv[2], argv[3], strtol(argv[4], NULL, 10), strtol(argv[5], NULL, 10),
			  delivery_start);
	else if (argc == 6 && strcmp(argv[1], "mcp") == 0)
		rc = load(argv[2], argv[3], strtol(argv[4], NULL, 10), strtol(argv[5], NULL, 10),
			  mcp_start);
	else
		fprintf(stderr, "usage: bench_floor echo | proxy URL | get URL N | hooks URL SECRET N "
				"CLIENTS | mcp URL TOOL N CLIENTS\n");
	curl_global_cleanup();
	return rc;
}
#endif
