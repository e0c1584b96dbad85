/* http.c - HTTP through one libcurl multi handle: many transfers in flight over
 * shared keep-alive connections, retries with backoff and Retry-After for
 * idempotent requests, response caps, same-origin redirects, cancellation. */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_MAX_BODY (4u << 20)
#define DEFAULT_MAX_RETRIES 3
#define DEFAULT_MAX_RETRY_WAIT_MS 10000
#define MAX_REDIRECTS 5
/* Connections to one host at once; past it transfers queue in libcurl.
 * Large enough that hundreds of calls to one vendor run together (HTTP/2
 * vendors multiplex them on fewer); vendors' own concurrency caps are the
 * connectors' rate_limit.max_concurrent, per connection, in exec.c.
 * SWITCHBOARD_MAX_HOST_CONNECTIONS overrides it. */
#define MAX_HOST_CONNECTIONS 256
#define MAX_HEADER_BYTES (256 * 1024)
#define BACKOFF_BASE_MS 250
#define BACKOFF_CAP_MS 8000
#define USER_AGENT "User-Agent: switchboard/" SB_VERSION

enum xfer_state {
	XFER_RUNNING, /* an easy handle is in the multi handle */
	XFER_WAITING, /* between attempts: relaunched at due_ms */
	XFER_DONE     /* in the done queue, waiting for http_wait() to deliver it */
};

/* One started request, from http_start() until its done() has returned. */
struct xfer {
	struct xfer *next;
	long long id;
	enum xfer_state state;
	http_done_fn done;
	void *ctx;

	/* The request, copied. url changes when a redirect is followed. */
	char *method;
	char *url;
	char *origin; /* "scheme://host:port" of the first URL */
	char *body;   /* NULL when there is none */
	size_t body_len;
	struct curl_slist *headers;
	struct curl_slist *resolve;
	long connect_timeout_ms;
	size_t max_body;
	int idempotent;
	int max_retries;
	long max_retry_wait_ms;
	long long (*retry_wait)(const struct http_response *resp, void *ctx);

	long long start_ms, deadline_ms, due_ms;
	int retries, redirects;

	/* The current attempt; resp.headers is always an object. */
	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	size_t header_bytes;
	struct buf body_buf;
	struct http_response resp;
};

struct http_client {
	CURLM *multi;
	struct xfer *active;                /* running or waiting for a retry */
	struct xfer *done_head, *done_tail; /* finished, delivered in order */
	long long next_id;
	unsigned long long rng;
	int watch_fd; /* http_watch_fd, -1 for none */
	int kicked;   /* a transfer was added since the last curl_multi_perform */
	/* The CA bundle and folder that replace libcurl's built-in ones
	 * (http_set_ca_file; CURL_CA_BUNDLE or SSL_CERT_FILE, SSL_CERT_DIR), or
	 * NULL: libcurl reads no environment variable for them itself. */
	char *ca_file, *ca_dir;
};

static int global_inited;

void http_global_cleanup(void)
{
	if (global_inited)
		curl_global_cleanup();
	global_inited = 0;
}

/* Jitter only needs to spread clients apart, not to be unpredictable. */
static unsigned long long next_random(struct http_client *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *s)
{
	struct curl_slist *n = curl_slist_append(l, s);
	if (!n) {
		fprintf(stderr, "switchboard: out of memory (curl_slist_append)\n");
		abort();
	}
	return n;
}

static int is_tchar(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* "scheme://host:port" of an absolute http(s) URL, lowercase, or NULL. */
static char *url_origin(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *ret = NULL;
	if (!u)
		goto out;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		goto out;
	ret = xasprintf("%s://%s:%s", scheme, host, port);
	for (char *p = ret; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

/* The request's origin, worked out when first needed (a redirect, a
 * retry's log line): parsing every URL up front costs each call. Before a
 * redirect replaces x->url, so it is always the first URL's. */
static const char *xfer_origin(struct xfer *x)
{
	if (!x->origin)
		x->origin = url_origin(x->url);
	return x->origin ? x->origin : "(no origin)";
}

static enum http_error map_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return HTTP_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_ETIMEOUT;
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return HTTP_ECONNECT;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return HTTP_ERESET;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return HTTP_ETLS;
	default:
		return HTTP_EOTHER;
	}
}

/* Failures after which an idempotent request is worth sending again: the
 * connection failed or dropped, or the connect phase timed out (pretransfer
 * never reached, so the request was never sent). */
static int transient_error(CURLcode rc, curl_off_t pretransfer_us)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2_STREAM:
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		return pretransfer_us == 0;
	default:
		return 0;
	}
}

static const char *resp_header(const struct xfer *x, const char *name)
{
	return json_string_value(json_object_get(x->resp.headers, name));
}

/* Seconds the vendor asked us to wait, or -1: Retry-After (delta-seconds or
 * an HTTP date), else an exhausted x-ratelimit-reset on 429/403. A reset
 * below 10^9 is read as seconds from now (some vendors send that). */
static long retry_hint_s(const struct xfer *x)
{
	const char *ra = resp_header(x, "retry-after");
	long v;
	if (ra) {
		if (parse_long(ra, &v) == 0 && v >= 0)
			return v;
		time_t t = curl_getdate(ra, NULL);
		if (t != -1)
			return t > now_s() ? (long)(t - now_s()) : 0;
	}
	const char *rem = resp_header(x, "x-ratelimit-remaining");
	const char *reset = resp_header(x, "x-ratelimit-reset");
	if ((x->resp.status == 429 || x->resp.status == 403) && rem && reset &&
	    strcmp(rem, "0") == 0 && parse_long(reset, &v) == 0 && v >= 0) {
		if (v < 1000000000L)
			return v;
		return v > now_s() ? (long)(v - now_s()) : 0;
	}
	return -1;
}

static int retriable_status(const struct xfer *x)
{
	long s = x->resp.status;
	const char *rem = resp_header(x, "x-ratelimit-remaining");
	return s == 429 || s == 502 || s == 503 || s == 504 ||
	       (s == 403 && rem && strcmp(rem, "0") == 0);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n, room = x->max_body - x->body_buf.len;
	if (len <= room) {
		buf_add(&x->body_buf, p, len);
		return len;
	}
	/* Keep what fits; the short count makes curl stop the transfer with
	 * CURLE_WRITE_ERROR, which completion turns back into a response. */
	buf_add(&x->body_buf, p, room);
	x->resp.truncated = 1;
	return room;
}

static void add_header(struct xfer *x, const char *name, const char *value, size_t vlen)
{
	json_t *v = json_stringn(value, vlen);
	if (!v) {
		/* Not UTF-8 (Latin-1 from an old server): keep the ASCII. */
		char *copy = xstrndup(value, vlen);
		for (char *p = copy; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		v = json_string(copy);
		free(copy);
	}
	const char *old = strcmp(name, "link") == 0 ? resp_header(x, name) : NULL;
	if (old && v) {
		char *joined = xasprintf("%s, %s", old, json_string_value(v));
		json_decref(v);
		v = json_string(joined);
		free(joined);
	}
	if (v)
		json_object_set_new(x->resp.headers, name, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n, i = 0;
	char name[128];
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a 1xx): collect afresh. */
		json_object_clear(x->resp.headers);
		x->header_bytes = 0;
		return len;
	}
	x->header_bytes += len;
	if (x->header_bytes > MAX_HEADER_BYTES)
		return len;
	while (i < len && i < sizeof(name) - 1 && is_tchar((unsigned char)p[i])) {
		name[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i]);
		i++;
	}
	if (i == 0 || i >= len || p[i] != ':')
		return len; /* the blank line, a folded line, or junk */
	name[i++] = '\0';
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	size_t end = len;
	while (end > i && strchr(" \t\r\n", p[end - 1]))
		end--;
	add_header(x, name, p + i, end - i);
	return len;
}

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	free(x->method);
	free(x->url);
	free(x->origin);
	free(x->body);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->resolve);
	buf_release(&x->body_buf);
	http_response_release(&x->resp);
	free(x);
}

/* Set up the request method and body on a fresh easy handle. */
static CURLcode set_method(struct xfer *x)
{
	CURL *e = x->easy;
	CURLcode rc;
	if (strcmp(x->method, "HEAD") == 0)
		return curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (strcmp(x->method, "GET") == 0 && !x->body)
		return curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	if (x->body || strcmp(x->method, "POST") == 0 || strcmp(x->method, "PUT") == 0 ||
	    strcmp(x->method, "PATCH") == 0) {
		/* An empty body still gets "Content-Length: 0", which servers
		 * want on POST/PUT/PATCH. */
		rc = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body ? x->body : "");
		if (rc != CURLE_OK)
			return rc;
	}
	if (strcmp(x->method, "POST") == 0)
		return CURLE_OK;
	return curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
}

#define SETOPT(opt, val)                                                                           \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(e, opt, val);                                        \
	} while (0)

/* Start one attempt: a fresh easy handle into the multi handle. Connections
 * live in the multi handle's cache, so a new easy handle still reuses them. */
static int xfer_launch(struct http_client *c, struct xfer *x, struct err *err)
{
	long long left = x->deadline_ms - now_ms();
	CURLcode rc = CURLE_OK;
	CURLMcode mc;
	CURL *e;
	if (left <= 0)
		return err_set(err, "request timed out before it could be sent");
	e = x->easy = curl_easy_init();
	if (!e)
		return err_set(err, "cannot create a curl handle");
	x->errbuf[0] = '\0';
	x->header_bytes = 0;
	buf_reset(&x->body_buf);
	json_object_clear(x->resp.headers);
	x->resp.status = 0;
	x->resp.truncated = 0;
	x->resp.retry_after_s = -1;

	SETOPT(CURLOPT_URL, x->url);
	/* The path goes out as the caller wrote it (and a dry run showed it):
	 * libcurl would otherwise squash dot segments, so /v1/customers/..
	 * became /v1/. */
	SETOPT(CURLOPT_PATH_AS_IS, 1L);
	SETOPT(CURLOPT_PRIVATE, (void *)x);
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, (void *)x);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, (void *)x);
	SETOPT(CURLOPT_HTTPHEADER, x->headers);
	if (x->resolve)
		SETOPT(CURLOPT_RESOLVE, x->resolve);
	/* libcurl resends a request on its own when a reused connection turns
	 * out dead; a change that may not be repeated gets a fresh one. */
	if (!x->idempotent)
		SETOPT(CURLOPT_FRESH_CONNECT, 1L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* Redirects are followed by hand, same origin only (xfer_redirect). */
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		SETOPT(CURLOPT_CAINFO, c->ca_file);
	if (c->ca_dir)
		SETOPT(CURLOPT_CAPATH, c->ca_dir);
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Wait for a connection that may multiplex rather than open another. */
	SETOPT(CURLOPT_PIPEWAIT, 1L);
	SETOPT(CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(CURLOPT_TIMEOUT_MS, (long)left);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS,
	       x->connect_timeout_ms < left ? x->connect_timeout_ms : (long)left);
	if (rc == CURLE_OK)
		rc = set_method(x);
	if (rc != CURLE_OK)
		return err_set(err, "cannot set up the request: %s", curl_easy_strerror(rc));
	mc = curl_multi_add_handle(c->multi, e);
	if (mc != CURLM_OK)
		return err_set(err, "cannot start the request: %s", curl_multi_strerror(mc));
	x->state = XFER_RUNNING;
	c->kicked = 1;
	return 0;
}

static void xfer_detach_easy(struct http_client *c, struct xfer *x)
{
	if (!x->easy)
		return;
	curl_multi_remove_handle(c->multi, x->easy);
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
}

static void unlink_active(struct http_client *c, struct xfer *x)
{
	for (struct xfer **pp = &c->active; *pp; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			x->next = NULL;
			return;
		}
	}
}

/* Move x from the active list to the done queue; delivered by http_wait(). */
static void xfer_finish(struct http_client *c, struct xfer *x)
{
	xfer_detach_easy(c, x);
	unlink_active(c, x);
	x->state = XFER_DONE;
	x->resp.attempts = x->retries + 1;
	x->resp.elapsed_ms = now_ms() - x->start_ms;
	if (c->done_tail)
		c->done_tail->next = x;
	else
		c->done_head = x;
	c->done_tail = x;
}

/* Replace whatever the attempt received with a transport error. */
static void resp_set_error(struct xfer *x, enum http_error e, const char *msg)
{
	size_t n = strnlen(msg, sizeof(x->resp.errmsg) - 1); /* cut a long one */
	x->resp.error = e;
	memcpy(x->resp.errmsg, msg, n);
	x->resp.errmsg[n] = '\0';
	x->resp.status = 0;
	x->resp.truncated = 0;
	x->resp.retry_after_s = -1;
	json_object_clear(x->resp.headers);
	buf_reset(&x->body_buf);
}

static void xfer_fail(struct http_client *c, struct xfer *x, enum http_error e, const char *msg)
{
	resp_set_error(x, e, msg);
	xfer_finish(c, x);
}

/* Plan another attempt after wait_ms, or return 0 when that is not allowed:
 * out of retries, a wait longer than the caller accepts, or past the deadline. */
static int xfer_schedule_retry(struct xfer *x, long long wait_ms)
{
	long long now = now_ms();
	if (x->retries >= x->max_retries || wait_ms > x->max_retry_wait_ms ||
	    now + wait_ms >= x->deadline_ms)
		return 0;
	x->retries++;
	x->due_ms = now + wait_ms;
	x->state = XFER_WAITING;
	log_debug("http: %s %s: attempt %d in %lld ms", x->method, xfer_origin(x), x->retries + 1,
		  wait_ms);
	return 1;
}

/* Exponential backoff, 250 ms * 2^n, +-25% jitter, capped at 8 s. */
static long long backoff_ms(struct http_client *c, int n)
{
	long long base = BACKOFF_BASE_MS;
	for (int i = 0; i < n && base < BACKOFF_CAP_MS; i++)
		base *= 2;
	long long jitter =
		base / 2 ? (long long)(next_random(c) % (unsigned long long)(base / 2)) : 0;
	long long ms = base - base / 4 + jitter;
	return ms > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : ms;
}

/* Follow a redirect to the same scheme, host and port; anything else is
 * returned to the caller as it came, so credentials never leave the origin. */
static int xfer_redirect(struct xfer *x, const char *location)
{
	long s = x->resp.status;
	char *origin;
	if (!location || x->redirects >= MAX_REDIRECTS ||
	    (s != 301 && s != 302 && s != 303 && s != 307 && s != 308))
		return 0;
	origin = url_origin(location);
	if (!origin || strcmp(origin, xfer_origin(x)) != 0) {
		free(origin);
		return 0;
	}
	free(origin);
	free(x->url);
	x->url = xstrdup(location);
	/* 303 means "GET the answer there"; 301/302 after a POST are turned
	 * into a GET as every browser does. 307/308 keep method and body. */
	if ((s == 303 && strcmp(x->method, "HEAD") != 0) ||
	    ((s == 301 || s == 302) && strcmp(x->method, "POST") == 0)) {
		free(x->method);
		x->method = xstrdup("GET");
		free(x->body);
		x->body = NULL;
		x->body_len = 0;
	}
	x->redirects++;
	x->due_ms = now_ms();
	x->state = XFER_WAITING;
	return 1;
}

/* An attempt ended: follow a redirect, plan a retry, or finish. */
static void xfer_complete(struct http_client *c, struct xfer *x, CURLcode rc)
{
	long status = 0;
	curl_off_t pretransfer = 0;
	char *loc = NULL, *location = NULL;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
	if (curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
		location = xstrdup(loc);
	xfer_detach_easy(c, x);

	if (rc == CURLE_WRITE_ERROR && x->resp.truncated)
		rc = CURLE_OK;
	if (rc != CURLE_OK) {
		if (x->idempotent && transient_error(rc, pretransfer) &&
		    xfer_schedule_retry(x, backoff_ms(c, x->retries)))
			goto out;
		xfer_fail(c, x, map_error(rc), x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		goto out;
	}
	x->resp.status = status;
	x->resp.error = HTTP_OK;
	x->resp.errmsg[0] = '\0';
	if (xfer_redirect(x, location))
		goto out;
	x->resp.retry_after_s = retry_hint_s(x);
	if (x->idempotent && retriable_status(x)) {
		long long wait = x->resp.retry_after_s >= 0
					 ? (long long)x->resp.retry_after_s * 1000
					 : backoff_ms(c, x->retries);
		if (xfer_schedule_retry(x, wait))
			goto out;
	}
	if (x->retry_wait && !x->resp.truncated) {
		/* The answer itself may say "not done, come back later". */
		struct http_response view = x->resp;
		char none = '\0';
		view.body = x->body_buf.data ? x->body_buf.data : &none;
		view.body_len = x->body_buf.len;
		view.attempts = x->retries + 1;
		long long wait = x->retry_wait(&view, x->ctx);
		if (wait >= 0 && xfer_schedule_retry(x, wait))
			goto out;
	}
	xfer_finish(c, x);
out:
	free(location);
}

/* Launch every attempt whose time has come. */
static void launch_due(struct http_client *c)
{
	long long now = now_ms();
	struct xfer *x = c->active, *next;
	for (; x; x = next) {
		next = x->next;
		if (x->state != XFER_WAITING || x->due_ms > now)
			continue;
		struct err e;
		err_init(&e);
		if (xfer_launch(c, x, &e) < 0) {
			xfer_detach_easy(c, x);
			xfer_fail(c, x, x->deadline_ms <= now ? HTTP_ETIMEOUT : HTTP_EOTHER, e.msg);
		}
	}
}

/* Call done() for every finished request. done() may start or cancel
 * requests; those land on the lists and are handled here or next time. */
static void deliver(struct http_client *c)
{
	struct xfer *x;
	while ((x = c->done_head) != NULL) {
		c->done_head = x->next;
		if (!c->done_head)
			c->done_tail = NULL;
		x->next = NULL;
		x->resp.body_len = x->body_buf.len;
		x->resp.body = buf_detach(&x->body_buf);
		if (x->done)
			x->done(&x->resp, x->ctx);
		xfer_free(x);
	}
}

struct http_client *http_new(struct err *err)
{
	struct http_client *c = NULL;
	CURLMcode mc = CURLM_OK;
	if (!global_inited) {
		CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
		if (rc != CURLE_OK) {
			err_set(err, "cannot initialise libcurl: %s", curl_easy_strerror(rc));
			return NULL;
		}
		global_inited = 1;
	}
	c = xcalloc(1, sizeof(*c));
	c->watch_fd = -1;
	/* A private CA the way curl and OpenSSL's tools take it. */
	const char *ca = getenv("CURL_CA_BUNDLE");
	if (!ca || !*ca)
		ca = getenv("SSL_CERT_FILE");
	const char *dir = getenv("SSL_CERT_DIR");
	c->ca_file = ca && *ca ? xstrdup(ca) : NULL;
	c->ca_dir = dir && *dir ? xstrdup(dir) : NULL;
	c->multi = curl_multi_init();
	if (!c->multi) {
		err_set(err, "cannot create a curl multi handle");
		goto fail;
	}
	long per_host = MAX_HOST_CONNECTIONS;
	const char *env = getenv("SWITCHBOARD_MAX_HOST_CONNECTIONS");
	if (env && (parse_long(env, &per_host) < 0 || per_host < 1 || per_host > 100000)) {
		log_warn("SWITCHBOARD_MAX_HOST_CONNECTIONS='%s' is not a number from 1 to 100000; "
			 "using %d",
			 env, MAX_HOST_CONNECTIONS);
		per_host = MAX_HOST_CONNECTIONS;
	}
	mc = curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, per_host);
	if (mc == CURLM_OK)
		mc = curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	if (mc != CURLM_OK) {
		err_set(err, "cannot set up the curl multi handle: %s", curl_multi_strerror(mc));
		goto fail;
	}
	c->rng = (unsigned long long)now_ms() * 6364136223846793005ULL ^
		 (unsigned long long)getpid() ^ (unsigned long long)(uintptr_t)c;
	if (!c->rng)
		c->rng = 1;
	return c;
fail:
	http_free(c);
	return NULL;
}

void http_free(struct http_client *c)
{
	struct xfer *x, *next;
	if (!c)
		return;
	for (x = c->active; x; x = next) {
		next = x->next;
		xfer_detach_easy(c, x);
		xfer_free(x);
	}
	for (x = c->done_head; x; x = next) {
		next = x->next;
		xfer_free(x);
	}
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->ca_file);
	free(c->ca_dir);
	free(c);
}

int http_set_ca_file(struct http_client *c, const char *path, struct err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return err_set(err, "cannot read the CA file '%s': %s", path, strerror(errno));
	fclose(f);
	free(c->ca_file);
	c->ca_file = xstrdup(path);
	return 0;
}

static int valid_method(const char *m)
{
	if (!m || !*m)
		return 0;
	for (; *m; m++)
		if (!is_tchar((unsigned char)*m))
			return 0;
	return 1;
}

/* A header line for CURLOPT_HTTPHEADER: "Name: value", "Name:" (remove a
 * curl default) or "Name;" (send it empty). Never CR or LF, which would let
 * a value smuggle in headers of its own. */
static int valid_header(const char *h)
{
	size_t n = 0;
	if (strpbrk(h, "\r\n"))
		return 0;
	while (is_tchar((unsigned char)h[n]))
		n++;
	return n > 0 && (h[n] == ':' || h[n] == ';');
}

static int header_named(const char *h, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(h, name, n) == 0 && (h[n] == ':' || h[n] == ';');
}

long long http_start(struct http_client *c, const struct http_request *req, http_done_fn done,
		     void *ctx, struct err *err)
{
	struct xfer *x = NULL;
	long long ret = -1;
	int has_ua = 0, has_expect = 0;
	if (!valid_method(req->method)) {
		err_set(err, "invalid HTTP method");
		goto out;
	}
	x = xcalloc(1, sizeof(*x));
	x->resp.headers = json_object();
	x->resp.retry_after_s = -1;
	/* The URL is not quoted here: its query may hold a key. libcurl
	 * refuses a malformed one when the transfer starts. */
	if (!req->url || (strncasecmp(req->url, "http://", 7) != 0 &&
			  strncasecmp(req->url, "https://", 8) != 0)) {
		err_set(err, "invalid URL: not an absolute http or https URL");
		goto out;
	}
	for (size_t i = 0; req->headers && req->headers[i]; i++) {
		const char *h = req->headers[i];
		/* Name the header by position only: its value may be a secret. */
		if (!valid_header(h)) {
			err_set(err, "invalid request header %zu: %s", i + 1,
				strpbrk(h, "\r\n") ? "contains CR or LF" : "not \"Name: value\"");
			goto out;
		}
		has_ua |= header_named(h, "user-agent");
		has_expect |= header_named(h, "expect");
		x->headers = slist_add(x->headers, h);
	}
	if (!has_ua)
		x->headers = slist_add(x->headers, USER_AGENT);
	if (!has_expect)
		x->headers = slist_add(x->headers, "Expect:");

	x->id = ++c->next_id;
	x->done = done;
	x->ctx = ctx;
	x->method = xstrdup(req->method);
	x->url = xstrdup(req->url);
	if (req->resolve)
		x->resolve = slist_add(NULL, req->resolve);
	if (req->body) {
		x->body = xstrndup(req->body, req->body_len);
		x->body_len = req->body_len;
	}
	x->connect_timeout_ms =
		req->connect_timeout_ms > 0 ? req->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	x->max_body = req->max_body ? req->max_body : DEFAULT_MAX_BODY;
	x->idempotent = req->idempotent;
	x->retry_wait = req->retry_wait;
	x->max_retries = req->max_retries > 0 ? req->max_retries : DEFAULT_MAX_RETRIES;
	x->max_retry_wait_ms =
		req->max_retry_wait_ms > 0 ? req->max_retry_wait_ms : DEFAULT_MAX_RETRY_WAIT_MS;
	buf_init(&x->body_buf, x->max_body);
	x->start_ms = now_ms();
	x->deadline_ms = x->start_ms + (req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS);
	if (xfer_launch(c, x, err) < 0)
		goto out;
	x->next = c->active;
	c->active = x;
	ret = x->id;
	x = NULL;
out:
	if (x)
		xfer_detach_easy(c, x);
	xfer_free(x);
	return ret;
}

void http_cancel(struct http_client *c, long long id)
{
	struct xfer *x;
	if (!c)
		return;
	for (x = c->active; x; x = x->next) {
		if (x->id == id) {
			xfer_fail(c, x, HTTP_ECANCELLED, "cancelled");
			return;
		}
	}
	/* Finished but not yet delivered: the caller no longer wants it. */
	for (x = c->done_head; x; x = x->next) {
		if (x->id == id) {
			resp_set_error(x, HTTP_ECANCELLED, "cancelled");
			return;
		}
	}
}

void http_drop(struct http_client *c, long long id)
{
	struct xfer *x, **pp;
	if (!c)
		return;
	for (x = c->active; x; x = x->next) {
		if (x->id == id) {
			xfer_detach_easy(c, x);
			unlink_active(c, x);
			xfer_free(x);
			return;
		}
	}
	for (pp = &c->done_head, x = NULL; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			x = *pp;
			*pp = x->next;
			break;
		}
	}
	if (!x)
		return;
	if (c->done_tail == x) {
		c->done_tail = NULL;
		for (struct xfer *t = c->done_head; t; t = t->next)
			c->done_tail = t;
	}
	xfer_free(x);
}

/* How long poll may sleep: the caller's limit, cut to the next retry. */
static int poll_timeout(const struct http_client *c, int timeout_ms)
{
	long long t = timeout_ms < 0 ? INT_MAX : timeout_ms;
	long long now = now_ms();
	if (c->done_head)
		return 0;
	for (const struct xfer *x = c->active; x; x = x->next) {
		if (x->state == XFER_WAITING && x->due_ms - now < t)
			t = x->due_ms > now ? x->due_ms - now : 0;
	}
	return (int)t;
}

void http_wakeup(struct http_client *c)
{
	curl_multi_wakeup(c->multi);
}

void http_watch_fd(struct http_client *c, int fd)
{
	c->watch_fd = fd;
}

int http_wait(struct http_client *c, int extra_fd, int timeout_ms, int *extra_ready)
{
	struct curl_waitfd wfd[2];
	unsigned nfd = 0;
	CURLMsg *m;
	CURLMcode mc;
	int running = 0, left = 0, events = 0, finished = 0;
	if (extra_ready)
		*extra_ready = 0;
	if (extra_fd >= 0)
		wfd[nfd++] = (struct curl_waitfd){extra_fd, CURL_WAIT_POLLIN, 0};
	if (c->watch_fd >= 0)
		wfd[nfd++] = (struct curl_waitfd){c->watch_fd, CURL_WAIT_POLLIN, 0};
	/* A transfer just added has work to do at once (libcurl's timeout is
	 * 0): run it without asking poll first; the next wait looks at the fds. */
	if (!c->kicked) {
		mc = curl_multi_poll(c->multi, nfd ? wfd : NULL, nfd, poll_timeout(c, timeout_ms),
				     &events);
		if (mc != CURLM_OK) {
			log_error("http: curl_multi_poll: %s", curl_multi_strerror(mc));
			return -1;
		}
	}
	if (extra_fd >= 0 && extra_ready && (wfd[0].revents & CURL_WAIT_POLLIN))
		*extra_ready = 1;
	launch_due(c);
	c->kicked = 0;
	mc = curl_multi_perform(c->multi, &running);
	if (mc != CURLM_OK) {
		log_error("http: curl_multi_perform: %s", curl_multi_strerror(mc));
		return -1;
	}
	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		char *priv = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		CURLcode rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		xfer_complete(c, (struct xfer *)(void *)priv, rc);
		finished++;
	}
	/* curl reports only POLLIN, and a closed pipe shows POLLHUP alone,
	 * which the caller must see to read EOF: ask poll() itself when some
	 * fd woke the wait and no transfer finished (a hang-up wakes the next
	 * wait at once, which asks then). */
	if (extra_fd >= 0 && extra_ready && !*extra_ready && events > 0 && !finished) {
		struct pollfd p = {.fd = extra_fd, .events = POLLIN, .revents = 0};
		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
			*extra_ready = 1;
	}
	/* Redirects are due at once; start them before sleeping again. */
	launch_due(c);
	deliver(c);
	return 0;
}

int http_pending(const struct http_client *c)
{
	int n = 0;
	if (!c)
		return 0;
	for (const struct xfer *x = c->active; x; x = x->next)
		n++;
	for (const struct xfer *x = c->done_head; x; x = x->next)
		n++;
	return n;
}

struct perform_ctx {
	struct http_response *out;
	int done;
};

static void perform_done(struct http_response *resp, void *ctx)
{
	struct perform_ctx *p = ctx;
	*p->out = *resp;
	resp->headers = NULL;
	resp->body = NULL;
	p->done = 1;
}

int http_perform(struct http_client *c, const struct http_request *req, struct http_response *resp,
		 struct err *err)
{
	struct perform_ctx p = {.out = resp, .done = 0};
	long long id;
	memset(resp, 0, sizeof(*resp));
	resp->retry_after_s = -1;
	id = http_start(c, req, perform_done, &p, err);
	if (id < 0)
		return -1;
	while (!p.done) {
		if (http_wait(c, -1, 1000, NULL) < 0) {
			/* p lives on this stack: make sure done() has run. */
			http_cancel(c, id);
			deliver(c);
			return err_set(err, "HTTP transfer loop failed");
		}
	}
	if (resp->error != HTTP_OK)
		return err_set(err, "%s", resp->errmsg);
	return 0;
}

void http_response_release(struct http_response *resp)
{
	if (!resp)
		return;
	json_decref(resp->headers);
	resp->headers = NULL;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}
