/* listen.h - the small HTTP listener (libmicrohttpd) for the OAuth redirect
 * and for webhooks. Requests are handled one at a time on the listener's own
 * thread. */
#ifndef SB_LISTEN_H
#define SB_LISTEN_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

struct listen_request {
	const char *method;
	const char *path;
	json_t *query;   /* object name -> string (borrowed) */
	json_t *headers; /* object lowercase name -> string (borrowed) */
	const char *body;
	size_t body_len;
	const char *target; /* the request-target as received (path?query, escaped) */
	const char *remote; /* the peer's IPv4 or IPv6 address, or "" */
	void *priv;         /* the listener's own (listen_defer) */
};

struct listen_response {
	int status;
	const char *content_type;
	char *body; /* new string, freed by the listener */
};

/* Fill resp for req; runs on the listener thread. */
typedef void (*listen_handler_fn)(const struct listen_request *req, struct listen_response *resp,
				  void *ctx);

struct listener;

/* A request whose answer comes later, from any thread: the handler calls
 * listen_defer and leaves resp alone; the connection waits, suspended (no
 * timeout runs), until listen_answer, which must come before listen_stop.
 * The listener thread meanwhile serves other connections. */
struct listen_ticket;
struct listen_ticket *listen_defer(const struct listen_request *req);
/* Answer a deferred request; body is a new string (NULL: empty), owned by
 * the listener from here on; content_type is static or NULL (text). The
 * ticket is gone after this. */
void listen_answer(struct listen_ticket *t, int status, const char *content_type, char *body);

/* Listen on addr:port (port 0: any free port). addr is an IPv4 or IPv6
 * literal (no brackets); "::" also takes IPv4 (dual stack). max_body caps
 * request bodies (413 above it). A connection silent for 10 s is closed,
 * and so is one whose request (request line, headers and body) is not
 * complete request_timeout_s after the connection was accepted or its
 * previous answer sent (0: 30 s), however it trickles in. NULL with err. */
struct listener *listen_start(const char *addr, int port, size_t max_body,
			      unsigned request_timeout_s, listen_handler_fn handler, void *ctx,
			      struct err *err);
int listen_port(const struct listener *l);
/* Stop and free; accepts NULL. */
void listen_stop(struct listener *l);

#endif
