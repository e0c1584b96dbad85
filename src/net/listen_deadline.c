/* listen_deadline.c - a deadline for each request on a libmicrohttpd
 * daemon's connections (listen.c, mcp_http.c). */
#include "listen_deadline.h"

#include <stdlib.h>
#include <sys/socket.h>

#include "log.h"
#include "util.h"

struct listen_deadline_conn {
	struct listen_deadline_conn *prev, *next;
	int fd;
	long long deadline_ms; /* 0 while the request is answered */
	int cut;
};

void listen_deadline_init(struct listen_deadline *d, const char *name, long long timeout_ms)
{
	d->name = name;
	d->timeout_ms = timeout_ms;
	d->conns = NULL;
	pthread_mutex_init(&d->lock, NULL);
}

void listen_deadline_release(struct listen_deadline *d)
{
	/* libmicrohttpd notified CLOSED for every connection when it stopped. */
	while (d->conns) {
		struct listen_deadline_conn *c = d->conns;
		d->conns = c->next;
		free(c);
	}
	pthread_mutex_destroy(&d->lock);
}

void listen_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			    enum MHD_ConnectionNotificationCode toe)
{
	struct listen_deadline *d = cls;
	struct listen_deadline_conn *c = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci)
			return;
		c = xcalloc(1, sizeof(*c));
		c->fd = ci->connect_fd;
		pthread_mutex_lock(&d->lock);
		c->deadline_ms = now_ms() + d->timeout_ms;
		c->next = d->conns;
		if (d->conns)
			d->conns->prev = c;
		d->conns = c;
		pthread_mutex_unlock(&d->lock);
		*socket_context = c;
	} else if (c) {
		pthread_mutex_lock(&d->lock);
		if (c->prev)
			c->prev->next = c->next;
		else
			d->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&d->lock);
		free(c);
		*socket_context = NULL;
	}
}

void listen_deadline_set(struct listen_deadline *d, struct MHD_Connection *conn, int complete)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct listen_deadline_conn *c = ci ? ci->socket_context : NULL;
	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	c->deadline_ms = complete ? 0 : now_ms() + d->timeout_ms;
	pthread_mutex_unlock(&d->lock);
}

long long listen_deadline_cut(struct listen_deadline *d, long long now)
{
	long long next = 0;
	pthread_mutex_lock(&d->lock);
	for (struct listen_deadline_conn *c = d->conns; c; c = c->next) {
		if (!c->deadline_ms || c->cut)
			continue;
		if (c->deadline_ms <= now) {
			/* Not close(): the descriptor stays libmicrohttpd's. */
			shutdown(c->fd, SHUT_RDWR);
			c->cut = 1;
			log_debug("%s: closed a connection whose request was not complete "
				  "within %lld s",
				  d->name, d->timeout_ms / 1000);
		} else if (!next || c->deadline_ms < next) {
			next = c->deadline_ms;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return next;
}
