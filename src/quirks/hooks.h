/* hooks.h - named C hooks for the few vendor quirks that connector data
 * cannot express, bound to actions by name ("hook": "http_request"), like
 * redis binds its command table. */
#ifndef SB_HOOKS_H
#define SB_HOOKS_H

#include <jansson.h>

#include "util.h"

struct connection;
struct connector;
struct action_spec;

/* A vendor request being built. It is defined here, with the contract of
 * the hooks that shape it, so hooks need not include the builder that calls
 * them (request.h). Zero it before request_build(); every member is owned,
 * and request_release() frees them all. */
struct request {
	char *method;
	struct buf url;
	json_t *headers;      /* "Name: value" strings, owned */
	json_t *auth_headers; /* the ones holding secrets, kept apart for redaction */
	json_t *auth_query;   /* secret query values: name -> value */
	struct buf body;      /* wiped on release: it may hold credentials */
	int idempotent;
	long timeout_ms;    /* the connector's request.timeout_ms; 0: the caller's */
	char *resolve;      /* "host:port:address" pin, or NULL */
	int dry_run;        /* set before request_build: look nothing up on the
			       network (a hook then leaves its check to the send) */
	char *dry_run_note; /* what a dry run left unchecked, or NULL */
};

/* Shapes the HTTP request of an action: r has its base URL (the connection's
 * base, no path) in r->url and an empty body. 0 or -1 with err. */
typedef int (*hook_build_fn)(const struct connector *c, const struct action_spec *a, json_t *args,
			     const struct connection *conn, struct request *r, struct err *err);
/* Performs the whole action, blocking, on a worker thread (SMTP, IMAP).
 * On success *data is the tool's data (new reference). 0 or -1 with err. */
typedef int (*hook_run_fn)(const struct connector *c, const struct action_spec *a, json_t *args,
			   const struct connection *conn, json_t **data, struct err *err);

struct hook {
	const char *name;
	hook_build_fn build; /* exactly one of build and run is set */
	hook_run_fn run;
};

/* The Email connector's hooks (hooks_mail.c), ended by a NULL name. */
extern const struct hook hooks_mail[];

/* NULL when no hook has that name. */
const struct hook *hook_find(const char *name);

#endif
