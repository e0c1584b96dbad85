/* listen.c - a loopback HTTP listener on libmicrohttpd's own thread, so a
 * slow browser or vendor never blocks us, with a hard cap on bodies and a
 * deadline for each request. */
#include "listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "listen_deadline.h"
#include "log.h"

/* Open connections at most, and seconds a connection may stay silent
 * (headers or body) before it is closed. */
#define LISTEN_MAX_CONNECTIONS 4000
#define LISTEN_IDLE_TIMEOUT_S 10
#define LISTEN_REQUEST_TIMEOUT_S 30

struct listener {
	struct MHD_Daemon *daemon;
	listen_handler_fn handler;
	void *ctx;
	size_t max_body;
	int port;
	struct listen_deadline deadlines; /* cut by the watchdog thread */
	pthread_mutex_t lock;             /* guards stopping and deferred answers */
	pthread_cond_t wake;
	int stopping;
	int watchdog_running;
	pthread_t watchdog;
};

struct upload {
	struct buf body;
	int too_big;
	int started;
	char *target; /* the request-target as sent: path and query, still escaped */
	/* listen_defer / listen_answer (the answer under the listener's lock) */
	struct listener *l;
	struct MHD_Connection *conn;
	int deferred, answered;
	struct listen_response answer;
};

/* A deferred request's ticket is its upload. */
struct listen_ticket {
	struct upload up;
};

static struct upload *upload_new(struct listener *l, const char *target)
{
	struct upload *up = xcalloc(1, sizeof(struct listen_ticket));
	up->l = l;
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

/* Shut down connections past their deadline; wake at the next deadline
 * (at most a second away) until listen_stop. */
static void *watchdog(void *arg)
{
	struct listener *l = arg;
	pthread_mutex_lock(&l->lock);
	while (!l->stopping) {
		long long now = now_ms(), next = listen_deadline_cut(&l->deadlines, now);
		if (!next || next > now + 1000)
			next = now + 1000;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long long wait_ms = next - now + 1;
		ts.tv_sec += (time_t)(wait_ms / 1000);
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&l->wake, &l->lock, &ts);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
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
	if (up->deferred) {
		/* Resumed by listen_answer (or woken early: keep waiting). */
		pthread_mutex_lock(&l->lock);
		int answered = up->answered;
		struct listen_response a = up->answer;
		up->answer.body = NULL;
		pthread_mutex_unlock(&l->lock);
		if (!answered)
			return MHD_YES;
		up->deferred = 0;
		return respond(conn, a.status, a.content_type, a.body);
	}
	/* All of the request is here: what remains is ours to answer. */
	listen_deadline_set(&l->deadlines, conn, 1);
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
				     .remote = peer,
				     .priv = up};
	up->conn = conn;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, req.query);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, req.headers);
	struct listen_response resp = {404, NULL, NULL};
	l->handler(&req, &resp, l->ctx);
	json_decref(req.query);
	json_decref(req.headers);
	if (up->deferred)
		return MHD_YES; /* suspended until listen_answer */
	return respond(conn, resp.status, resp.content_type, resp.body);
}

struct listen_ticket *listen_defer(const struct listen_request *req)
{
	struct upload *up = req->priv;
	up->deferred = 1;
	MHD_suspend_connection(up->conn);
	return (struct listen_ticket *)up;
}

void listen_answer(struct listen_ticket *t, int status, const char *content_type, char *body)
{
	struct upload *up = &t->up;
	pthread_mutex_lock(&up->l->lock);
	up->answer = (struct listen_response){status, content_type, body};
	up->answered = 1;
	pthread_mutex_unlock(&up->l->lock);
	MHD_resume_connection(up->conn);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
		    enum MHD_RequestTerminationCode code)
{
	(void)code;
	struct upload *up = *state;
	/* A kept connection's next request gets a deadline of its own. */
	listen_deadline_set(&((struct listener *)cls)->deadlines, conn, 0);
	if (up) {
		buf_release(&up->body);
		free(up->answer.body);
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
			      unsigned request_timeout_s, listen_handler_fn handler, void *ctx,
			      struct err *err)
{
	struct sockaddr_in sa4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	const struct sockaddr *sa = (const struct sockaddr *)&sa4;
	/* MHD_USE_AUTO: epoll on Linux, so open connections are not capped at
	 * select()'s FD_SETSIZE. Reading is non-blocking on one thread: a
	 * client that stalls (slowloris) holds a slot until the idle timeout,
	 * never the thread. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
			     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
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
	listen_deadline_init(
		&l->deadlines, "listener",
		1000LL * (request_timeout_s ? request_timeout_s : LISTEN_REQUEST_TIMEOUT_S));
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	/* clang-format off */
	l->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL,
		on_request, l,
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, l,
		MHD_OPTION_NOTIFY_CONNECTION, listen_deadline_notify, &l->deadlines,
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
		goto fail;
	}
	if (pthread_create(&l->watchdog, NULL, watchdog, l) != 0) {
		err_set(err, "cannot start the listener's watchdog thread");
		MHD_stop_daemon(l->daemon);
		goto fail;
	}
	l->watchdog_running = 1;
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info ? info->port : port;
	return l;
fail:
	listen_deadline_release(&l->deadlines);
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->lock);
	free(l);
	return NULL;
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
	 * no new connections, then wait up to a second for the open ones. A
	 * quiesced daemon hands its listening socket to us to close: left
	 * open, the port would keep accepting into a queue nobody serves. */
	MHD_socket lfd = MHD_quiesce_daemon(l->daemon);
	for (int i = 0; i < 100; i++) {
		const union MHD_DaemonInfo *info =
			MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || info->num_connections == 0)
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(l->daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	if (l->watchdog_running) {
		pthread_mutex_lock(&l->lock);
		l->stopping = 1;
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->watchdog, NULL);
	}
	listen_deadline_release(&l->deadlines);
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
