/* hooks.h - named C hooks for the few vendor quirks that connector data
 * cannot express, bound to actions by name ("hook": "http_request"), like
 * redis binds its command table. */
#ifndef SB_HOOKS_H
#define SB_HOOKS_H

#include <jansson.h>

#include "request.h"
#include "store.h"

/* Shapes the HTTP request of an action: r has its base URL (the connection's
 * base, no path) in r->url and an empty body. 0 or -1 with err. */
typedef int (*hook_build_fn)(const struct tool *t, json_t *args, const struct connection *conn,
			     struct request *r, struct err *err);
/* Performs the whole action, blocking, on a worker thread (SMTP, IMAP).
 * On success *data is the tool's data (new reference). 0 or -1 with err. */
typedef int (*hook_run_fn)(const struct tool *t, json_t *args, const struct connection *conn,
			   json_t **data, struct err *err);

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
