/* http.h - HTTP through one libcurl multi handle: many transfers in flight,
 * keep-alive, retries with backoff for idempotent requests, Retry-After,
 * size caps, cancellation. The only module (with mail.c) that knows libcurl. */
#ifndef SB_HTTP_H
#define SB_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

struct http_client;
struct http_response;

struct http_request {
	const char *method;         /* "GET", "POST", ... */
	const char *url;            /* absolute http(s) URL */
	const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
	const char *body;           /* may be NULL */
	size_t body_len;
	long timeout_ms;         /* total; 0 = default 30000 */
	long connect_timeout_ms; /* 0 = default 10000 */
	size_t max_body;         /* response cap in bytes; 0 = default 4 MiB */
	int idempotent;          /* may be retried on 429/5xx/connection reset */
	int max_retries;         /* retries allowed when idempotent; 0 = default 3 */
	long max_retry_wait_ms;  /* a Retry-After longer than this is not waited for;
				    0 = default 10000 */
	const char *resolve;     /* "host:port:address" to pin the host to an address
				    that was checked (generic HTTP), or NULL */
	/* Optional, for answers whose status does not say "try again": called
	 * from http_wait() with each answer before it is delivered (resp->body
	 * valid during the call), with the ctx given to http_start(). Returns
	 * the ms to wait before sending the request again, or -1 to deliver
	 * it. Only for answers that say the request was not carried out (a
	 * GraphQL THROTTLED comes with HTTP 200), so it is sent again even when
	 * not idempotent, within max_retries, max_retry_wait_ms and the timeout. */
	long long (*retry_wait)(const struct http_response *resp, void *ctx);
};

enum http_error {
	HTTP_OK = 0,     /* a response arrived (any status) */
	HTTP_ETIMEOUT,   /* connect or total timeout */
	HTTP_ECONNECT,   /* could not connect / resolve */
	HTTP_ERESET,     /* connection dropped mid-transfer */
	HTTP_ETLS,       /* certificate or TLS failure */
	HTTP_ECANCELLED, /* http_cancel() */
	HTTP_EOTHER
};

struct http_response {
	enum http_error error;
	char errmsg[256]; /* curl's words when error != HTTP_OK */
	long status;      /* HTTP status, 0 on transport error */
	json_t *headers;  /* object: lowercase name -> string (last value wins,
			     except "link" whose values are joined with ", ") */
	char *body;       /* NUL-terminated, body_len bytes */
	size_t body_len;
	int truncated;      /* body was cut at max_body */
	int attempts;       /* 1 + retries made */
	long retry_after_s; /* from Retry-After (seconds or HTTP date) or -1 */
	long long elapsed_ms;
};

/* Called once per started request, from inside http_wait(). resp is owned
 * by the client and valid only during the call (steal what you need by
 * setting its fields to NULL). done() may call http_start() and http_cancel(),
 * never http_wait(), http_perform() or http_free(). */
typedef void (*http_done_fn)(struct http_response *resp, void *ctx);

/* A new client. The first call also runs curl_global_init(CURL_GLOBAL_DEFAULT)
 * (once per process); main calls http_global_cleanup() at exit. */
struct http_client *http_new(struct err *err);
/* Aborts what is in flight (no callbacks) and frees; accepts NULL. */
void http_free(struct http_client *c);
/* Trust the CA certificates (PEM) in the file at path instead of libcurl's
 * bundle, for the requests started after this (a private CA; http_new takes
 * CURL_CA_BUNDLE, else SSL_CERT_FILE, and SSL_CERT_DIR from the environment
 * the same way). 0, or -1 with err when the file cannot be read. */
int http_set_ca_file(struct http_client *c, const char *path, struct err *err);
/* curl_global_cleanup() if http_new() initialised libcurl; after every client
 * is freed, so leak checks are clean. */
void http_global_cleanup(void);

/* Start a request; everything in req is copied. Returns a handle id > 0 or
 * -1 with err (bad URL, bad header with CR/LF). */
long long http_start(struct http_client *c, const struct http_request *req, http_done_fn done,
		     void *ctx, struct err *err);
/* Abort a started request: done() is called with HTTP_ECANCELLED from the
 * next http_wait() (never from inside http_cancel). Unknown ids are ignored. */
void http_cancel(struct http_client *c, long long id);
/* Abort a started request and forget it at once: its done() is never
 * called, so the caller may free ctx right away. Safe from inside a done().
 * Unknown ids are ignored. */
void http_drop(struct http_client *c, long long id);

/* Wait up to timeout_ms for network activity, due retries, or extra_fd
 * (may be -1) becoming readable; then run transfers and call done() for
 * every finished request. *extra_ready tells whether extra_fd is readable.
 * Returns 0, or -1 on a fatal multi-handle error. */
int http_wait(struct http_client *c, int extra_fd, int timeout_ms, int *extra_ready);
/* Make a http_wait() in progress return early; safe from any thread. */
void http_wakeup(struct http_client *c);
/* A file descriptor every later http_wait() also wakes on when it turns
 * readable (the store's change feed), whatever loop calls it; -1 for none.
 * Borrowed: the caller sets it again (or -1) before closing it. */
void http_watch_fd(struct http_client *c, int fd);
/* Number of requests started and not yet finished. */
int http_pending(const struct http_client *c);
/* Run one request to completion (for the CLI); other started requests make
 * progress meanwhile. Returns 0 when a response arrived (any status), -1 with
 * err when none did (resp->error and errmsg say why, if it was sent).
 * resp must be released either way. */
int http_perform(struct http_client *c, const struct http_request *req, struct http_response *resp,
		 struct err *err);
void http_response_release(struct http_response *resp);

#endif
