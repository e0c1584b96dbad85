/* conntest_int.h - what conntest.c and conntest_writes.c share: the test's
 * state, and the helpers each file gives the other. Not for other modules. */
#ifndef SB_CONNTEST_INT_H
#define SB_CONNTEST_INT_H

#include <jansson.h>

#include "conntest.h"
#include "result.h"

/* A connector document loaded on its own, and its actions. */
struct target {
	struct registry *reg;
	const struct connector *c;
	const struct action_spec **actions; /* borrowed from c's model */
	size_t n;
	struct target *next; /* kept until the test ends: a call may hold an action */
};

enum phase { PH_TEST, PH_PROBE };

struct conntest {
	struct exec_env *env; /* borrowed */
	char *connection;
	int fix;
	int writes;
	const struct registry *rules;
	json_t *servers;
	char *path;
	json_t *doc;          /* the document as fixed so far */
	struct target *cur;   /* doc's */
	struct target *probe; /* the candidate's being probed */
	struct target *all;   /* every target made, freed at the end */
	enum phase phase;
	int round;
	json_t *queue;              /* jobs {tool, check, args, probe?} */
	json_t *job;                /* the one running */
	json_t *results;            /* this round's */
	json_t *first;              /* the first round's, once a fix is adopted */
	json_t *problems;           /* every round's */
	json_t *problem;            /* the one being probed (borrowed from problems) */
	json_t *candidates;         /* its candidate change lists */
	size_t cand;                /* the one being probed */
	json_t *probe_job;          /* what a probe runs: {tool, args, check} */
	struct call_result *result; /* a finished call's, not yet handled */
	json_t *made;               /* tool -> its create's passed entry: each create is
				     * sent until it passes once, then reported as that */
	json_t *created;            /* [{tool, id}]: the objects the test made */
	struct exec_call *exec;
	int starting, applied;
	int *alive; /* conntest_start's, while it runs pump */
	conntest_done_fn done;
	void *ctx;
};

/* ---- conntest.c ---- */

/* The action of g whose tool is called name (action_spec.id), or NULL. */
const struct action_spec *conntest_target_tool(const struct target *g, const char *name);
/* A change of path in doc to value (stolen), {path, from, to}, appended to
 * list; nothing when path already holds value. */
void conntest_change(json_t *list, json_t *doc, const char *path, json_t *value);
/* A test result entry for the job: outcome, the vendor's status and message
 * from result (may be NULL), message (may be NULL) overriding the vendor's.
 * New reference. */
json_t *conntest_entry(json_t *job, const char *outcome, const struct call_result *result,
		       const char *message);
/* Queue a job {tool, check, args} for x; args (stolen) gets the test's
 * connection. */
void conntest_enqueue(struct conntest *t, const struct action_spec *x, const char *check,
		      json_t *args);

/* ---- conntest_writes.c: the create actions and their bodies ---- */

/* A round's create actions: queued (with writes) with arguments made from
 * their schemas, or entered as skipped when a test may not send them. */
void conntest_writes_plan(struct conntest *t);
/* Without writes: the creates writes would send. New array of tool names. */
json_t *conntest_writes_skipped(struct conntest *t);
/* A create passed (in a round or a probe): what it made goes to t->created
 * and its entry (how, may be NULL, as its message) to t->made. */
void conntest_writes_passed(struct conntest *t, json_t *job, const struct call_result *result,
			    const char *how);
/* Whether result entry e is a create's. 1 or 0. */
int conntest_writes_is_entry(json_t *e);
/* Whether the vendor refused a create's body as encoded (a failed create
 * entry e with 415, or a 400 saying so). 1 or 0. */
int conntest_writes_refused(json_t *e);
/* The candidate change lists (a new array of at most one) that send the
 * refused creates' bodies in the other encoding: in the connector's
 * request.body when every create sent was refused (every), else per action. */
json_t *conntest_writes_body_candidates(struct conntest *t, int every);

#endif
