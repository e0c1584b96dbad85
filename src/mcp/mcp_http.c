/* mcp_http.c - the Streamable HTTP transport. libmicrohttpd reads and checks
 * each POST on its own threads; the core runs on the main thread, which takes
 * the messages from a queue (http_wakeup wakes it) and sends every answer
 * back on its request's own connection: one JSON object, or an SSE stream
 * when the request streams (progress, log lines, a subscription). */
#include "mcp_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "jsonrpc.h"
#include "jsonx.h"
#include "listen_deadline.h"
#include "log.h"
#include "mcp_core.h"
#include "mcp_http_check.h"

#define DEFAULT_MAX_BODY (4u << 20)
#define DEFAULT_KEEPALIVE_S 15
#define WAIT_MS 200           /* the core's loop looks around at least this often */
#define PEER_CHECK_MS 100     /* a waiting request's client is asked if it left this often */
#define IDLE_TIMEOUT_S 10     /* a connection silent this long is closed */
#define REQUEST_DEADLINE_S 30 /* a request's body must be in by then */
#define MAX_CONNECTIONS 4000
#define DRAIN_S 10          /* on SIGTERM, calls in flight get this long to finish */
#define THREADS 4           /* libmicrohttpd's, so a slow authenticator stalls few */
#define MAX_OUT (16u << 20) /* unsent bytes per stream before the client is dropped */
#define LEGACY_DEFAULT_VERSION "2025-03-26" /* no MCP-Protocol-Version header */
#define HEADER_MISMATCH -32020
#define PRM_PATH "/.well-known/oauth-protected-resource"

enum mode { MODE_NONE, MODE_JSON, MODE_SSE };

/* One HTTP request. libmicrohttpd's side owns it until the request is done
 * (mhd_ref), the core's side from the queue until its final answer or its
 * cancellation (core_ref); the last to let go frees it. */
struct hx {
	struct mcp_http *h;
	struct MHD_Connection *conn;
	int fd;
	/* libmicrohttpd's threads only, until queued */
	struct buf body;
	int uploaded;    /* the whole body is in */
	int refused;     /* an HTTP status decided from the headers alone */
	json_t *refusal; /* its JSON body, or NULL */
	char *challenge; /* WWW-Authenticate for refused, or NULL */
	/* the core's thread only, once queued */
	json_t *msg;         /* owned until handled */
	json_t *their_id;    /* owned: the client's id (NULL: a notification or response) */
	json_t *key;         /* owned: the id the core knows the request by */
	json_t *params;      /* owned: lowercase mcp-param-* header -> value */
	const char *version; /* static: an initialize-era request's version */
	int modern;
	int oneway;            /* a notification or a response: answered 202 at once */
	int release;           /* answered while take() handles it: let go after */
	struct caller *caller; /* owned, or NULL */
	long long next_keepalive_ms;
	struct hx *live_next;
	/* shared, under h->lock */
	struct buf out; /* the JSON answer, or SSE bytes not yet written */
	enum mode mode;
	int status;    /* of a JSON answer */
	int done;      /* the final answer is in out */
	int gone;      /* the client left (or the server stops) before the answer */
	int suspended; /* libmicrohttpd waits for us to resume it */
	int mhd_ref, core_ref;
	struct hx *queue_next;
};

struct mcp_http {
	const struct mcp_http_options *o;
	struct mcp_core *core;
	struct http_client *wake; /* the core's, whose http_wakeup interrupts its wait */
	struct MHD_Daemon *daemon;
	size_t max_body;
	long long keepalive_ms;
	struct listen_deadline deadlines; /* for a request's headers and body, cut by
					     look_around */
	int port;
	int loopback_only;    /* bound to a loopback address */
	pthread_mutex_t lock; /* guards queue, all, stopping and the shared part of each hx */
	struct hx *queue, **queue_tail;
	int stopping;
	/* the core's thread only */
	struct hx *live;     /* requests the core holds */
	struct hx *handling; /* the request mcp_core_handle runs for */
	long long next_key;
	long long next_peer_check_ms;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	(void)sig;
	if (stop_signal < 2)
		stop_signal++; /* a second one skips the drain */
}

/* ---- shared state ---- */

static void hx_free(struct hx *x)
{
	buf_release(&x->body);
	buf_release(&x->out);
	json_decref(x->refusal);
	free(x->challenge);
	json_decref(x->msg);
	json_decref(x->their_id);
	json_decref(x->key);
	json_decref(x->params);
	if (x->caller) {
		free(x->caller->subject);
		json_decref(x->caller->groups);
		json_decref(x->caller->scopes);
		free(x->caller);
	}
	free(x);
}

/* Under h->lock: the caller must resume x's connection when this says so
 * (outside the lock, as libmicrohttpd takes its own). */
static int take_resume(struct hx *x)
{
	int was = x->suspended;
	x->suspended = 0;
	return was;
}

/* The core lets go of x: it is off h->live already. */
static void core_release(struct mcp_http *h, struct hx *x)
{
	pthread_mutex_lock(&h->lock);
	x->core_ref = 0;
	int free_it = !x->mhd_ref;
	pthread_mutex_unlock(&h->lock);
	if (free_it)
		hx_free(x);
}

static void live_remove(struct mcp_http *h, struct hx *x)
{
	for (struct hx **p = &h->live; *p; p = &(*p)->live_next) {
		if (*p == x) {
			*p = x->live_next;
			return;
		}
	}
}

/* The HTTP status of a JSON answer: a 2026-07-28 error has its own
 * (404 for an unknown method, 400 for what the request got wrong). */
static int answer_status(const struct hx *x, const json_t *msg)
{
	json_t *code = json_object_get(json_object_get(msg, "error"), "code");
	if (!code)
		return 200;
	json_int_t c = json_integer_value(code);
	if (c == JSONRPC_PARSE_ERROR || c == HEADER_MISMATCH)
		return 400;
	if (!x->modern)
		return 200;
	if (c == JSONRPC_METHOD_NOT_FOUND)
		return 404;
	if (c == JSONRPC_INVALID_PARAMS || c == JSONRPC_INVALID_REQUEST ||
	    c == MCP_UNSUPPORTED_PROTOCOL_VERSION || c == -32021)
		return 400;
	return 200;
}

/* Queue msg (borrowed) on x's connection; final: it is the answer, after
 * which the core lets go of x. Core's thread. */
static void hx_put(struct mcp_http *h, struct hx *x, const json_t *msg, int final)
{
	char *text = jsonx_dumps(msg);
	int resume = 0;
	pthread_mutex_lock(&h->lock);
	if (!x->gone && !x->done && text) {
		if (x->mode == MODE_NONE)
			x->mode = final ? MODE_JSON : MODE_SSE;
		int full = x->mode == MODE_JSON
				   ? buf_adds(&x->out, text)
				   : buf_addf(&x->out, "event: message\ndata: %s\n\n", text);
		if (full < 0)
			x->gone = 1; /* a client that does not read: drop it */
		if (x->mode == MODE_JSON)
			x->status = answer_status(x, msg);
		x->done = final;
		x->next_keepalive_ms = now_ms() + h->keepalive_ms;
		resume = take_resume(x);
	}
	pthread_mutex_unlock(&h->lock);
	free(text);
	if (resume)
		MHD_resume_connection(x->conn);
	if (final) {
		live_remove(h, x);
		if (h->handling == x)
			x->release = 1; /* take() still uses x: it lets go after */
		else
			core_release(h, x);
	}
}

/* Answer x with a JSON-RPC error of our own (its id is the client's). */
static void hx_error(struct mcp_http *h, struct hx *x, int code, const char *text)
{
	json_t *msg = jsonrpc_error_new(x->their_id, code, text, NULL);
	hx_put(h, x, msg, 1);
	json_decref(msg);
}

/* ---- the core's side ---- */

static struct hx *live_find(struct mcp_http *h, const json_t *key)
{
	for (struct hx *x = h->live; x; x = x->live_next)
		if (json_equal(x->key, key))
			return x;
	return NULL;
}

/* The subscription id in out[part]._meta is the key: the client knows its
 * own id. out is a shallow copy of the core's message, so part and _meta
 * are copied before they change (the core's stay as they are). */
static void fix_subscription(json_t *out, const char *part, const struct hx *x)
{
	const char *k = "io.modelcontextprotocol/subscriptionId";
	json_t *p = json_object_get(out, part);
	json_t *meta = json_object_get(p, "_meta");
	if (!json_is_object(meta) || !json_equal(json_object_get(meta, k), x->key))
		return;
	p = json_copy(p);
	meta = json_copy(meta);
	json_object_set(meta, k, x->their_id);
	json_object_set_new(p, "_meta", meta);
	json_object_set_new(out, part, p);
}

static void http_send(const json_t *msg, const json_t *rid, void *ctx)
{
	struct mcp_http *h = ctx;
	struct hx *x = rid ? live_find(h, rid) : h->handling;
	if (!x || x->oneway)
		return; /* no request to carry it: the client has left, or never had one */
	/* Shallow: a tool list or a result is not copied to rename an id. */
	json_t *out = json_copy((json_t *)msg);
	json_t *id = json_object_get(out, "id");
	int final = !json_object_get(out, "method") &&
		    (json_object_get(out, "result") || json_object_get(out, "error"));
	if (final && id && json_equal(id, x->key))
		json_object_set(out, "id", x->their_id);
	fix_subscription(out, "params", x);
	fix_subscription(out, "result", x);
	hx_put(h, x, out, final);
	json_decref(out);
}

/* Cancel what x started (its stream closed) and let it go; x is off
 * h->live. */
static void hx_cancel(struct mcp_http *h, struct hx *x)
{
	json_t *msg = json_pack("{s:s, s:s, s:{s:O}}", "jsonrpc", "2.0", "method",
				"notifications/cancelled", "params", "requestId", x->key);
	mcp_core_handle(h->core, msg);
	json_decref(msg);
	core_release(h, x);
}

/* A message from the queue: the client's id renamed to a key of ours, so
 * two clients using the same id never meet in the core. */
static void take(struct mcp_http *h, struct hx *x)
{
	if (x->oneway) {
		struct mcp_origin o = {x->version, x->caller};
		mcp_core_handle_from(h->core, x->msg, &o);
		core_release(h, x);
		return;
	}
	x->key = json_integer(++h->next_key);
	x->live_next = h->live;
	h->live = x;
	x->next_keepalive_ms = now_ms() + h->keepalive_ms;
	json_t *params = json_object_get(x->msg, "params");
	const char *method = json_string_value(json_object_get(x->msg, "method"));
	if (x->modern && method && strcmp(method, "tools/call") == 0) {
		struct err e;
		err_init(&e);
		json_t *schema = mcp_core_tool_input(
			h->core, json_string_value(json_object_get(params, "name")));
		if (schema && mcp_http_check_params(schema, json_object_get(params, "arguments"),
						    x->params, &e) < 0) {
			hx_error(h, x, HEADER_MISMATCH, e.msg);
			return;
		}
	}
	/* An id the core would refuse (an object, 1.5) stays, so it does. */
	json_t *id = x->their_id;
	double d = json_real_value(id);
	if (json_is_string(id) || json_is_integer(id) ||
	    (json_is_real(id) && d > -9.2e18 && d < 9.2e18 && d == (double)(long long)d))
		json_object_set(x->msg, "id", x->key);
	struct mcp_origin o = {x->version, x->caller};
	h->handling = x;
	mcp_core_handle_from(h->core, x->msg, &o);
	h->handling = NULL;
	json_decref(x->msg);
	x->msg = NULL;
	if (x->release)
		core_release(h, x);
}

/* Has the peer of a suspended connection closed it? libmicrohttpd does
 * not look while it is suspended; a peek does not disturb it. */
static int peer_closed(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (fd < 0 || poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR))
		return 1;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Every wake-up: new messages, streams whose client left (cancelled),
 * keep-alive comments, bodies past their deadline. Whether a waiting
 * request's client left costs a poll each: asked every PEER_CHECK_MS, not
 * at every wake-up (each answer is one), which made a wake-up cost more
 * the more clients waited. */
static void look_around(struct mcp_http *h)
{
	pthread_mutex_lock(&h->lock);
	struct hx *q = h->queue;
	h->queue = NULL;
	h->queue_tail = &h->queue;
	pthread_mutex_unlock(&h->lock);
	long long now = now_ms();
	listen_deadline_cut(&h->deadlines, now);
	int check_peers = now >= h->next_peer_check_ms;
	if (check_peers)
		h->next_peer_check_ms = now + PEER_CHECK_MS;
	while (q) {
		struct hx *x = q;
		q = x->queue_next;
		take(h, x);
	}
	struct hx *gone = NULL;
	for (struct hx *x = h->live, *next; x; x = next) {
		next = x->live_next;
		int resume = 0;
		pthread_mutex_lock(&h->lock);
		if (check_peers && !x->gone && x->suspended && peer_closed(x->fd)) {
			x->gone = 1;
			shutdown(x->fd, SHUT_RDWR);
		}
		if (x->gone) {
			resume = take_resume(x);
		} else if (x->mode == MODE_SSE && !x->done && now >= x->next_keepalive_ms) {
			x->next_keepalive_ms = now + h->keepalive_ms;
			if (buf_adds(&x->out, ":\n\n") == 0)
				resume = take_resume(x);
		}
		int left = x->gone;
		pthread_mutex_unlock(&h->lock);
		if (resume)
			MHD_resume_connection(x->conn);
		if (left) {
			live_remove(h, x);
			x->live_next = gone;
			gone = x;
		}
	}
	/* Cancelled apart from the walk: the core's answers may end others. */
	while (gone) {
		struct hx *x = gone;
		gone = x->live_next;
		log_debug("http: a client left before its answer; request cancelled");
		hx_cancel(h, x);
	}
}

/* ---- libmicrohttpd's side ---- */

static enum MHD_Result respond(struct MHD_Connection *conn, int status, const char *ctype,
			       char *body, const char *challenge)
{
	if (!body)
		body = xstrdup("");
	/* MUST_FREE: the response owns body from here on. */
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == 405)
		MHD_add_response_header(r, "Allow", "POST");
	if (challenge)
		MHD_add_response_header(r, "WWW-Authenticate", challenge);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond_json(struct MHD_Connection *conn, int status, json_t *body,
				    const char *challenge)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	return respond(conn, status, text ? "application/json" : NULL, text, challenge);
}

/* A JSON-RPC error with no id (the request was refused before its body
 * counted). New. */
static json_t *refusal(int code, const char *text)
{
	return jsonrpc_error_new(NULL, code, text, NULL);
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static int prm_path(const char *url)
{
	size_t n = strlen(PRM_PATH);
	return strncmp(url, PRM_PATH, n) == 0 && (url[n] == '\0' || url[n] == '/');
}

static void set_refusal(struct hx *x, int status, int code, const char *text)
{
	x->refused = status;
	x->refusal = code ? refusal(code, text) : NULL;
}

/* What the headers alone decide: path, method, Host, Origin, who is
 * calling, Content-Type, Accept. Leaves x->refused 0 when the body should
 * be read. The GET of protected-resource metadata is answered here too. */
static void check_headers(struct mcp_http *h, struct hx *x, const char *url, const char *method)
{
	struct MHD_Connection *conn = x->conn;
	if (!mcp_http_check_host(h->o->allow_hosts, header(conn, "Host"))) {
		set_refusal(x, 421, JSONRPC_INVALID_REQUEST,
			    "Host not allowed (DNS rebinding); "
			    "see serve --allow-host");
		return;
	}
	if (!mcp_http_check_origin(h->o->allow_origins, header(conn, "Origin"))) {
		set_refusal(x, 403, JSONRPC_INVALID_REQUEST,
			    "Origin not allowed; see serve --allow-origin");
		return;
	}
	if (prm_path(url) && strcmp(method, "GET") == 0 && h->o->auth &&
	    h->o->auth->resource_metadata) {
		json_t *doc = h->o->auth->resource_metadata(url, h->o->auth->ctx);
		x->refused = doc ? 200 : 404;
		x->refusal = doc;
		return;
	}
	if (strcmp(url, h->o->path) != 0) {
		set_refusal(x, 404, 0, NULL);
		return;
	}
	if (strcmp(method, "POST") != 0) {
		/* 2026-07-28 has no GET stream and no sessions to DELETE; a
		 * 2025-11-25 server may refuse both. */
		set_refusal(x, 405, 0, NULL);
		return;
	}
	if (h->o->auth) {
		char *challenge = NULL;
		int st = h->o->auth->authenticate(header(conn, "Authorization"), &x->caller,
						  &challenge, h->o->auth->ctx);
		if (st != 0) {
			/* 400 a malformed Authorization header, 403 a missing
			 * scope, 503 the issuer cannot be asked now (a 401 would
			 * send the client to log in again); 401 otherwise. */
			if (st != 400 && st != 403 && st != 503)
				st = 401;
			set_refusal(x, st, JSONRPC_INVALID_REQUEST,
				    st == 403   ? "forbidden"
				    : st == 503 ? "the token cannot be checked now"
				    : st == 400 ? "malformed Authorization header"
						: "unauthorized");
			x->challenge = challenge;
			return;
		}
		free(challenge);
	}
	const char *ctype = header(conn, "Content-Type");
	size_t n = ctype ? strcspn(ctype, "; ") : 0;
	if (!ctype || n != 16 || strncasecmp(ctype, "application/json", 16) != 0) {
		set_refusal(x, 415, JSONRPC_INVALID_REQUEST,
			    "Content-Type must be application/json");
		return;
	}
	const char *accept = header(conn, "Accept");
	if (!mcp_http_check_accept(accept, "application/json") ||
	    !mcp_http_check_accept(accept, "text/event-stream"))
		set_refusal(x, 406, JSONRPC_INVALID_REQUEST,
			    "Accept must list application/json and text/event-stream");
}

static enum MHD_Result collect_params(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	(void)kind;
	if (!key || strncasecmp(key, "mcp-param-", 10) != 0)
		return MHD_YES;
	char *k = xstrdup(key);
	for (char *p = k; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	const char *v = value ? value : "";
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	json_object_set_new(cls, k, json_stringn(v, n));
	free(k);
	return MHD_YES;
}

/* The whole body is in: parse it, check what the headers say about it, and
 * hand it to the core (x stays suspended until its answer), or answer now. */
static enum MHD_Result body_done(struct mcp_http *h, struct hx *x)
{
	struct MHD_Connection *conn = x->conn;
	if (x->refused) {
		json_t *body = x->refusal;
		x->refusal = NULL;
		return respond_json(conn, x->refused, body, x->challenge);
	}
	if (x->body.len >= h->max_body) {
		char *text = xasprintf("request body exceeds the limit of %zu bytes", h->max_body);
		enum MHD_Result r =
			respond_json(conn, 413, refusal(JSONRPC_INVALID_REQUEST, text), NULL);
		free(text);
		return r;
	}
	json_error_t je;
	json_t *msg =
		jsonx_loadb(x->body.data ? x->body.data : "", x->body.len, JSON_DECODE_ANY, &je);
	if (!msg) {
		char *text = xasprintf("parse error: %s", je.text);
		enum MHD_Result r =
			respond_json(conn, 400, refusal(JSONRPC_PARSE_ERROR, text), NULL);
		free(text);
		return r;
	}
	json_t *id = json_object_get(msg, "id");
	json_t *method = json_object_get(msg, "method");
	const char *m = json_string_value(method);
	json_t *meta = json_object_get(json_object_get(msg, "params"), "_meta");
	json_t *body_v = json_object_get(meta, "io.modelcontextprotocol/protocolVersion");
	char *header_v = mcp_http_check_trim(header(conn, "MCP-Protocol-Version"));
	const char *version = header_v ? mcp_core_version(header_v) : LEGACY_DEFAULT_VERSION;
	x->modern = body_v || (header_v && strcmp(header_v, MCP_MODERN_VERSION) == 0);
	char *reason = NULL;
	if (header_v && !version) {
		json_t *list = json_array();
		for (const char *const *v = mcp_core_versions(); *v; v++)
			json_array_append_new(list, json_string(*v));
		json_t *err = jsonrpc_error_new(
			id, MCP_UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version",
			json_pack("{s:o, s:s}", "supported", list, "requested", header_v));
		free(header_v);
		json_decref(msg);
		return respond_json(conn, 400, err, NULL);
	}
	if (body_v && !header_v)
		reason =
			xstrdup("Header mismatch: required MCP-Protocol-Version header is missing");
	else if (body_v &&
		 (!json_is_string(body_v) || strcmp(json_string_value(body_v), header_v) != 0))
		reason = xasprintf("Header mismatch: MCP-Protocol-Version header value '%s' does "
				   "not match body value '%s'",
				   header_v,
				   json_is_string(body_v) ? json_string_value(body_v) : "");
	if (!reason && json_is_object(msg)) {
		char *method_h = mcp_http_check_trim(header(conn, "Mcp-Method"));
		char *name_h = mcp_http_check_trim(header(conn, "Mcp-Name"));
		reason = mcp_http_check_names(method_h, name_h, msg, x->modern);
		free(method_h);
		free(name_h);
	}
	free(header_v);
	if (reason) {
		enum MHD_Result r = respond_json(
			conn, 400,
			jsonrpc_error_new(id && (json_is_string(id) || json_is_integer(id)) ? id
											    : NULL,
					  HEADER_MISMATCH, reason, NULL),
			NULL);
		free(reason);
		json_decref(msg);
		return r;
	}
	x->version = version ? version : LEGACY_DEFAULT_VERSION;
	x->params = json_object();
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_params, x->params);
	int response = json_is_object(msg) && !method &&
		       (json_object_get(msg, "result") || json_object_get(msg, "error"));
	x->oneway = response || (json_is_object(msg) && method && !id);
	if (x->oneway && m && strcmp(m, "notifications/cancelled") == 0) {
		/* Ids are renamed, and closing the stream is the cancellation
		 * over HTTP: a client may never name another's request. */
		json_decref(msg);
		return respond(conn, 202, NULL, NULL, NULL);
	}
	x->msg = msg;
	x->their_id = json_incref(id); /* dropped in hx_free */
	pthread_mutex_lock(&h->lock);
	if (h->stopping) {
		pthread_mutex_unlock(&h->lock);
		return respond_json(conn, 503, refusal(JSONRPC_INTERNAL_ERROR, "shutting down"),
				    NULL);
	}
	x->core_ref = 1;
	/* A queue that holds messages already has its wake-up on the way. */
	int wake = !h->queue;
	*h->queue_tail = x;
	h->queue_tail = &x->queue_next;
	if (!x->oneway) {
		x->suspended = 1;
		MHD_suspend_connection(conn);
	}
	pthread_mutex_unlock(&h->lock);
	if (wake)
		http_wakeup(h->wake);
	if (x->oneway)
		return respond(conn, 202, NULL, NULL, NULL);
	return MHD_YES;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct hx *x = cls;
	struct mcp_http *h = x->h;
	ssize_t ret;
	(void)pos;
	pthread_mutex_lock(&h->lock);
	if (x->out.len) {
		size_t n = x->out.len < max ? x->out.len : max;
		memcpy(buf, x->out.data, n);
		memmove(x->out.data, x->out.data + n, x->out.len - n);
		x->out.len -= n;
		ret = (ssize_t)n;
	} else if (x->gone) {
		ret = MHD_CONTENT_READER_END_WITH_ERROR;
	} else if (x->done) {
		ret = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		x->suspended = 1;
		MHD_suspend_connection(x->conn);
		ret = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* Resumed: the answer (or a first message that makes it a stream) is in. */
static enum MHD_Result answer(struct mcp_http *h, struct hx *x)
{
	pthread_mutex_lock(&h->lock);
	if (x->gone) {
		pthread_mutex_unlock(&h->lock);
		return MHD_NO;
	}
	if (x->mode == MODE_NONE) {
		x->suspended = 1;
		MHD_suspend_connection(x->conn);
		pthread_mutex_unlock(&h->lock);
		return MHD_YES;
	}
	if (x->mode == MODE_JSON) {
		char *body = buf_detach(&x->out);
		int status = x->status;
		pthread_mutex_unlock(&h->lock);
		return respond(x->conn, status, "application/json", body, NULL);
	}
	pthread_mutex_unlock(&h->lock);
	struct MHD_Response *r =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, sse_read, x, NULL);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	enum MHD_Result ret = MHD_queue_response(x->conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static struct hx *hx_new(struct mcp_http *h, struct MHD_Connection *conn)
{
	struct hx *x = xcalloc(1, sizeof(*x));
	x->h = h;
	x->conn = conn;
	x->mhd_ref = 1;
	buf_init(&x->body, h->max_body);
	buf_init(&x->out, MAX_OUT);
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	x->fd = ci ? ci->connect_fd : -1;
	return x;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **state)
{
	struct mcp_http *h = cls;
	struct hx *x = *state;
	(void)version;
	if (!x) {
		*state = x = hx_new(h, conn);
		check_headers(h, x, url, method);
		return MHD_YES;
	}
	if (*data_size) {
		/* A refused request's body is read and dropped, so the
		 * connection stays usable. One byte over the cap marks it. */
		if (!x->refused && x->body.len < h->max_body &&
		    buf_add(&x->body, data, *data_size) < 0)
			x->body.len = h->max_body;
		*data_size = 0;
		return MHD_YES;
	}
	if (!x->uploaded) {
		x->uploaded = 1;
		listen_deadline_set(&h->deadlines, conn, 1);
		return body_done(h, x);
	}
	return answer(h, x);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
		    enum MHD_RequestTerminationCode code)
{
	struct mcp_http *h = cls;
	struct hx *x = *state;
	(void)conn, (void)code;
	if (!x)
		return;
	*state = NULL;
	/* A kept connection's next request gets a deadline of its own. */
	listen_deadline_set(&h->deadlines, conn, 0);
	pthread_mutex_lock(&h->lock);
	int wake = x->core_ref && !x->done && !x->gone;
	if (wake)
		x->gone = 1; /* the stream closed: the core cancels the call */
	x->mhd_ref = 0;
	int free_it = !x->core_ref;
	pthread_mutex_unlock(&h->lock);
	if (free_it)
		hx_free(x);
	if (wake)
		http_wakeup(h->wake);
}

/* libmicrohttpd's own complaints (a peer gone mid-request) are about
 * clients: --log-level debug. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_debug("http: %s", line);
}

static int start_daemon(struct mcp_http *h, struct err *err)
{
	const struct mcp_http_options *o = h->o;
	struct sockaddr_in sa4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)o->port)};
	const struct sockaddr *sa = (const struct sockaddr *)&sa4;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
			     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (inet_pton(AF_INET, o->addr, &sa4.sin_addr) == 1) {
		h->loopback_only = (ntohl(sa4.sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, o->addr, &sa6.sin6_addr) == 1) {
		sa = (const struct sockaddr *)&sa6;
		h->loopback_only = IN6_IS_ADDR_LOOPBACK(&sa6.sin6_addr);
		flags |=
			IN6_IS_ADDR_UNSPECIFIED(&sa6.sin6_addr) ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	} else {
		return err_set(err, "invalid listen address '%s' (an IPv4 or IPv6 address)",
			       o->addr);
	}
	if (!h->loopback_only && !o->auth)
		return err_set(err,
			       "refusing to serve on %s, which is not a loopback address, without "
			       "authentication: anyone who reaches it could use every connection; "
			       "configure an authenticator, or serve on 127.0.0.1 behind a proxy "
			       "that authenticates",
			       o->addr);
	/* clang-format off */
	h->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL,
		on_request, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
		MHD_OPTION_NOTIFY_CONNECTION, listen_deadline_notify, &h->deadlines,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS,
		MHD_OPTION_END);
	/* clang-format on */
	if (!h->daemon)
		return err_set(err,
			       "cannot listen on %s%s%s:%d (in use, not allowed, or no such "
			       "address)",
			       sa == (const struct sockaddr *)&sa6 ? "[" : "", o->addr,
			       sa == (const struct sockaddr *)&sa6 ? "]" : "", o->port);
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : o->port;
	return 0;
}

/* Stop: no new requests; subscriptions end with their final result, calls
 * in flight are cancelled and their streams closed; answers already queued
 * get a second to leave. */
/* Stop taking work: no new connections (the listening socket closes, so a
 * load balancer fails over), and requests on open ones get 503. */
static void quiesce(struct mcp_http *h)
{
	pthread_mutex_lock(&h->lock);
	int was = h->stopping;
	h->stopping = 1;
	pthread_mutex_unlock(&h->lock);
	if (was)
		return;
	MHD_socket lfd = MHD_quiesce_daemon(h->daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
}

static void stop_daemon(struct mcp_http *h)
{
	quiesce(h);
	pthread_mutex_lock(&h->lock);
	struct hx *q = h->queue;
	h->queue = NULL;
	h->queue_tail = &h->queue;
	pthread_mutex_unlock(&h->lock);
	while (q) {
		struct hx *x = q;
		q = x->queue_next;
		x->live_next = h->live;
		h->live = x;
	}
	mcp_core_free(h->core); /* subscriptions answer through h->live */
	h->core = NULL;
	while (h->live) {
		struct hx *x = h->live;
		h->live = x->live_next;
		pthread_mutex_lock(&h->lock);
		x->gone = !x->done;
		int resume = take_resume(x);
		pthread_mutex_unlock(&h->lock);
		if (resume)
			MHD_resume_connection(x->conn);
		core_release(h, x);
	}
	for (int i = 0; i < 100; i++) {
		const union MHD_DaemonInfo *info =
			MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || info->num_connections == 0)
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(h->daemon);
}

/* Written whole or not at all (a rename), so a reader never sees half. */
static int write_port_file(const char *path, int port, struct err *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ok = f && fprintf(f, "%d\n", port) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) < 0)
		ok = 0;
	if (!ok) {
		err_set(err, "cannot write port file '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

int mcp_serve_http(struct mcp_options *opt, const struct mcp_http_options *o)
{
	struct mcp_http h = {.o = o};
	struct mcp_transport tr = {http_send, &h};
	struct err e;
	err_init(&e);
	if (!opt->max_message)
		opt->max_message = DEFAULT_MAX_BODY;
	h.max_body = opt->max_message;
	h.keepalive_ms = 1000LL * (o->keepalive_s > 0 ? o->keepalive_s : DEFAULT_KEEPALIVE_S);
	listen_deadline_init(
		&h.deadlines, "http",
		1000LL * (o->request_timeout_s > 0 ? o->request_timeout_s : REQUEST_DEADLINE_S));
	h.queue_tail = &h.queue;
	opt->filter.header_params = 1;
	opt->audit = 1;
	pthread_mutex_init(&h.lock, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	h.core = mcp_core_new(opt, &tr, &e);
	if (!h.core)
		goto out;
	h.wake = mcp_core_http(h.core);
	if (start_daemon(&h, &e) < 0) {
		mcp_core_free(h.core);
		goto out;
	}
	if (o->port_file && write_port_file(o->port_file, h.port, &e) < 0) {
		stop_daemon(&h);
		goto out;
	}
	fprintf(stderr, "switchboard: serving MCP on http://%s%s%s:%d%s\n",
		strchr(o->addr, ':') ? "[" : "", o->addr, strchr(o->addr, ':') ? "]" : "", h.port,
		o->path);
	/* Serve until a signal; then drain: calls in flight get DRAIN_S to
	 * finish (a second signal cuts that short). */
	long long until = 0;
	while (!until || (stop_signal < 2 && mcp_core_busy(h.core) && now_ms() < until)) {
		if (stop_signal && !until) {
			quiesce(&h);
			until = now_ms() + DRAIN_S * 1000LL;
			continue;
		}
		int ready = 0;
		if (http_wait(h.wake, -1, WAIT_MS, &ready) < 0) {
			err_set(&e, "network loop failed");
			break;
		}
		look_around(&h);
		mcp_core_tick(h.core);
	}
	stop_daemon(&h);
out:
	listen_deadline_release(&h.deadlines);
	pthread_mutex_destroy(&h.lock);
	if (err_is_set(&e))
		log_error("%s", e.msg);
	return err_is_set(&e) ? 1 : 0;
}
