/* listen.c - a loopback HTTP listener on libmicrohttpd's own thread, so a
 * slow browser or vendor never blocks us, with a hard cap on bodies. */
#include "listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "log.h"

/* Open connections at most, and seconds a connection may stay silent
 * (headers or body) before it is closed. */
#define LISTEN_MAX_CONNECTIONS 4000
#define LISTEN_IDLE_TIMEOUT_S 10

struct listener {
	struct MHD_Daemon *daemon;
	listen_handler_fn handler;
	void *ctx;
	size_t max_body;
	int port;
};

struct upload {
	struct buf body;
	int too_big;
	int started;
	char *target; /* the request-target as sent: path and query, still escaped */
};

static struct upload *upload_new(const struct listener *l, const char *target)
{
	struct upload *up = xcalloc(1, sizeof(*up));
	buf_init(&up->body, l->max_body);
	up->target = xstrdup(target ? target : "");
	return up;
}

/* Called before the URL is unescaped and split: keep the raw target, which
 * a signature over the request URI (HubSpot) needs. Its result is the
 * request's state. */
static void *log_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	return upload_new(cls, uri);
}

/* libmicrohttpd's own complaints (a peer gone mid-request, headers too
 * big) are about clients, not us: keep them for --log-level debug. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_debug("listener: %s", line);
}

/* The peer as text; an IPv4 peer on a dual-stack socket (::ffff:a.b.c.d)
 * as plain IPv4. */
static void peer_address(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
			  (socklen_t)n);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a))
			inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)n);
		else
			inet_ntop(AF_INET6, a, out, (socklen_t)n);
	}
}

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	json_t *obj = cls;
	(void)kind;
	if (!key)
		return MHD_YES;
	char *k = xstrdup(key);
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	json_object_set_new(obj, k, json_string(value ? value : ""));
	free(k);
	return MHD_YES;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	(void)kind;
	if (key)
		json_object_set_new(cls, key, json_string(value ? value : ""));
	return MHD_YES;
}

static enum MHD_Result respond(struct MHD_Connection *conn, int status, const char *ctype,
			       char *body)
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
	MHD_add_response_header(r, "Content-Type", ctype ? ctype : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **state)
{
	struct listener *l = cls;
	struct upload *up = *state;
	(void)version;
	if (!up)
		*state = up = upload_new(l, url);
	if (!up->started) {
		up->started = 1;
		return MHD_YES;
	}
	if (*data_size) {
		if (buf_add(&up->body, data, *data_size) < 0)
			up->too_big = 1;
		*data_size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		return respond(conn, 413, NULL, xstrdup("request body too large\n"));
	char peer[INET6_ADDRSTRLEN];
	peer_address(conn, peer, sizeof(peer));
	struct listen_request req = {.method = method,
				     .path = url,
				     .query = json_object(),
				     .headers = json_object(),
				     .body = up->body.data ? up->body.data : "",
				     .body_len = up->body.len,
				     .target = up->target,
				     .remote = peer};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, req.query);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, req.headers);
	struct listen_response resp = {404, NULL, NULL};
	l->handler(&req, &resp, l->ctx);
	json_decref(req.query);
	json_decref(req.headers);
	return respond(conn, resp.status, resp.content_type, resp.body);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
		    enum MHD_RequestTerminationCode code)
{
	(void)cls, (void)conn, (void)code;
	struct upload *up = *state;
	if (up) {
		buf_release(&up->body);
		free(up->target);
		free(up);
		*state = NULL;
	}
}

/* Desktops start with a soft limit of 1024 descriptors: raise it toward
 * want (within the hard limit) so the connection limit, not EMFILE, is what
 * stalled clients run into. Failing is not an error: fewer connections. */
static void raise_fd_limit(rlim_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_debug("listener: cannot raise the descriptor limit: %s", strerror(errno));
}

struct listener *listen_start(const char *addr, int port, size_t max_body,
			      listen_handler_fn handler, void *ctx, struct err *err)
{
	struct sockaddr_in sa4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	const struct sockaddr *sa = (const struct sockaddr *)&sa4;
	/* MHD_USE_AUTO: epoll on Linux, so open connections are not capped at
	 * select()'s FD_SETSIZE. Reading is non-blocking on one thread: a
	 * client that stalls (slowloris) holds a slot until the idle timeout,
	 * never the thread. */
	unsigned int flags =
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (inet_pton(AF_INET, addr, &sa4.sin_addr) != 1) {
		if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) != 1) {
			err_set(err, "invalid listen address '%s' (an IPv4 or IPv6 address)", addr);
			return NULL;
		}
		sa = (const struct sockaddr *)&sa6;
		/* :: takes IPv4 too (IPV6_V6ONLY off); any other IPv6 address
		 * only itself. */
		flags |=
			IN6_IS_ADDR_UNSPECIFIED(&sa6.sin6_addr) ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	}
	raise_fd_limit(LISTEN_MAX_CONNECTIONS + 64);
	struct listener *l = xcalloc(1, sizeof(*l));
	l->handler = handler;
	l->ctx = ctx;
	l->max_body = max_body ? max_body : (1 << 20);
	/* clang-format off */
	l->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL,
		on_request, l,
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, log_uri, l,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LISTEN_IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)LISTEN_MAX_CONNECTIONS,
		MHD_OPTION_END);
	/* clang-format on */
	if (!l->daemon) {
		err_set(err, "cannot listen on %s%s%s:%d (in use, not allowed, or no such address)",
			sa == (const struct sockaddr *)&sa6 ? "[" : "", addr,
			sa == (const struct sockaddr *)&sa6 ? "]" : "", port);
		free(l);
		return NULL;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info ? info->port : port;
	return l;
}

int listen_port(const struct listener *l)
{
	return l->port;
}

void listen_stop(struct listener *l)
{
	if (!l)
		return;
	/* Let answers in flight (the browser's "Connected" page) finish: take
	 * no new connections, then wait up to a second for the open ones. */
	MHD_quiesce_daemon(l->daemon);
	for (int i = 0; i < 100; i++) {
		const union MHD_DaemonInfo *info =
			MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || info->num_connections == 0)
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(l->daemon);
	free(l);
}
