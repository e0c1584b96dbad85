/* conntest.h - connectors test: run a connector's read-only actions (and,
 * when asked, its create actions) against a real connection, tell the common
 * failures apart (auth placement, base URL, pagination, body encoding), find
 * the change to the connector's data that makes them pass, and apply it when
 * asked. Runs on the caller's HTTP loop. */
#ifndef SB_CONNTEST_H
#define SB_CONNTEST_H

#include <jansson.h>

#include "exec.h"

struct conntest_opts {
	const char *connection;       /* NULL: the connector's default connection */
	int fix;                      /* apply verified fixes and test again */
	int writes;                   /* also send the create actions that are not
				       * destructive, each until it passes once (a real
				       * object at the vendor per create) */
	json_t *servers;              /* borrowed array of base URLs to try (a spec's
				       * servers), or NULL */
	const struct registry *rules; /* borrowed: the loaded registry, whose verb
				       * rules say which actions are destructive;
				       * must outlive the test; NULL: none */
};

/* Called once with the report (stolen):
 * {connector, connection, passed, failed, skipped, results: [{tool, check,
 *  outcome: passed|failed|skipped, status?, message?, request?, created?}],
 *  problems: [{problem, summary, changes: [{path, from, to}], verified}],
 *  fixed: bool, rounds} and, when fixed, "connector_doc": the fixed document
 *  and "before": the first round's results. Without writes, "writes_skipped"
 *  names the create actions writes would send; with it, "created" lists the
 *  objects made at the vendor [{tool, id}]. check is list, read, page1, page2
 *  or create; status the HTTP status the vendor answered (a success's is
 *  the last page's: 201 for a create that answered so; none when a hook
 *  answered); problem auth, base_url, pagination, body_encoding or other. */
typedef void (*conntest_done_fn)(json_t *report, void *ctx);

struct conntest;

/* Start testing doc (borrowed; copied), the connector file at path (used
 * in messages). env (borrowed) gives the HTTP client and the store; it
 * must outlive the test's last answer, and its scope hook, if any, must
 * expect a struct conntest as its call context (best: none). done() is called once from the HTTP
 * loop's callbacks, or before this returns when nothing could be sent; the test frees itself after
 * calling it. Returns the test while it runs; NULL with err set when doc is not a valid connector
 * (done() not called), NULL with err empty when it has already finished. */
struct conntest *conntest_start(struct exec_env *env, json_t *doc, const char *path,
				const struct conntest_opts *o, conntest_done_fn done, void *ctx,
				struct err *err);
/* Stop a running test and free it; done() is not called. Accepts NULL. */
void conntest_cancel(struct conntest *t);

/* Apply changes [{path, to}] (JSON pointers) to doc in place. 0 or -1. */
int conntest_apply(json_t *doc, json_t *changes);

#endif
