/* listen_deadline.h - a deadline for each request on a libmicrohttpd
 * daemon's connections, shared by the listener (listen.c) and the MCP HTTP
 * transport (mcp_http.c).
 *
 * libmicrohttpd's timeout counts from the last byte received, so a client
 * trickling a byte every few seconds would never reach it. Here a request
 * (request line, headers and body) must be complete by a deadline counted
 * from the connection's accept or its previous answer; the owner calls
 * listen_deadline_cut now and then, which shuts down the socket of a
 * connection past its deadline, and libmicrohttpd, reading end-of-file,
 * closes it. Entries live from NOTIFY_CONNECTION STARTED to CLOSED, which
 * libmicrohttpd calls before it closes the descriptor, so under the lock
 * a descriptor is never a reused one. Thread-safe. */
#ifndef SB_LISTEN_DEADLINE_H
#define SB_LISTEN_DEADLINE_H

#include <microhttpd.h>
#include <pthread.h>

struct listen_deadline_conn;

struct listen_deadline {
	const char *name; /* for the log line of a cut: "listener", "http" */
	long long timeout_ms;
	pthread_mutex_t lock; /* guards conns and every entry */
	struct listen_deadline_conn *conns;
};

/* name is static text. Release after the daemon has stopped. */
void listen_deadline_init(struct listen_deadline *d, const char *name, long long timeout_ms);
void listen_deadline_release(struct listen_deadline *d);

/* The daemon's MHD_OPTION_NOTIFY_CONNECTION callback, with cls the struct
 * listen_deadline: a new connection's deadline runs from now; a closed one
 * is dropped. It takes the connection's socket context. */
void listen_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			    enum MHD_ConnectionNotificationCode toe);

/* conn's request is complete (complete 1: no deadline while it is
 * answered), or a new one may begin on the kept connection (0: a deadline
 * from now). */
void listen_deadline_set(struct listen_deadline *d, struct MHD_Connection *conn, int complete);

/* Shut down the connections past their deadline at now (ms, now_ms()),
 * each said in a debug log line. Returns the earliest deadline still
 * running, or 0 when none is. */
long long listen_deadline_cut(struct listen_deadline *d, long long now);

#endif
