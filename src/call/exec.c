/* exec.c - one tool call: resolve the connection, build the vendor request
 * (request.c), send it through http.c, and hand the answer to result.c to
 * normalise for a model; pages, and the work that blocks (credential
 * refresh, mail hooks) on worker threads so the main loop keeps serving. */
#include "exec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "conns.h"
#include "hooks.h"
#include "jsonx.h"
#include "log.h"
#include "request.h"
#include "result.h"
#include "store.h"

#define DEFAULT_TIMEOUT_MS 30000

struct exec_call {
	struct exec_env *env;
	const struct connector *connector; /* the target's (borrowed from the registry) */
	const struct action_spec *action;  /* the target's action (borrowed likewise) */
	json_t *output_schema;             /* the target's (borrowed), or NULL */
	json_t *args;                      /* owned copy, for the next page */
	struct connection *conn;
	const struct pagination_spec *pagination; /* &action.pg for a list, else NULL */
	char *cursor;                             /* the cursor this page was asked with */
	long limit;
	long long http_id;
	long max_items; /* fetch pages until this many items (0: one page) */
	json_t *items;  /* items gathered over pages */
	int pages;
	long status;      /* the HTTP status of the last page answered with data */
	int auth_retried; /* one refresh and retry after a 401 */
	int idempotent;   /* the last request sent may be repeated safely */
	exec_done_fn done;
	exec_progress_fn progress;
	void *ctx;

	/* Work on a worker thread: a blocking hook (mail), a credential
	 * refresh that may wait for another process's and then make a token
	 * request, or a warm of the credential apply would otherwise block on
	 * (a credential command whose answer is not cached). */
	const struct hook *hook;
	enum { JOB_NONE, JOB_HOOK, JOB_REFRESH, JOB_WARM } job;
	int force;  /* JOB_REFRESH: after a 401, not ahead of expiry */
	int job_rc; /* JOB_REFRESH, JOB_WARM: the handler's answer */
	struct call_result
		*rejected; /* the vendor's 401 as a result, for when a refresh cannot help */
	pthread_t thread;
	int cancelled; /* guarded by jobs_lock */
	json_t *job_data;
	struct err job_err;
	struct exec_call *next_job;

	/* The connection's gate (rate_limit.max_concurrent), while the call
	 * holds one of its places (in_gate) or waits in its queue (parked). */
	struct gate *gate;
	int in_gate, parked;
	struct exec_call *next_parked;
};

/* A connection's requests in flight, for vendors that cap them (Xero 5 per
 * tenant, QuickBooks 10 per realm, GitHub 100): a request past the cap
 * waits here, in order, until one of the connection's requests is answered
 * (main loop only). */
struct gate {
	char *key; /* "<connector>/<connection id>/<name>" */
	int max, in_flight;
	struct exec_call *head, **tail;
	struct gate *next;
};
static struct gate *gates;

static void gate_leave(struct exec_call *call);

static void call_free(struct exec_call *call)
{
	gate_leave(call);
	json_decref(call->args);
	connection_free(call->conn);
	free(call->cursor);
	json_decref(call->items);
	json_decref(call->job_data);
	call_result_free(call->rejected);
	free(call);
}

static void finish(struct exec_call *call, struct call_result *result)
{
	exec_done_fn done = call->done;
	void *ctx = call->ctx;
	/* A gather that fails midway keeps the pages it has. */
	if (result->error && json_array_size(call->items)) {
		result = result_partial(call->items, json_object_get(call->args, "fields"),
					json_object_get(call->args, "cursor"), call->pages, result);
		result->status = call->status;
	}
	/* Our promise to clients that read outputSchema: a mismatch is our bug,
	 * looked for where bugs are looked for (the test suite sets
	 * SWITCHBOARD_CHECK_OUTPUT=1 for every case); checking every answer
	 * would cost about a tenth of a call's CPU. */
	struct err e;
	err_init(&e);
	const char *check = getenv("SWITCHBOARD_CHECK_OUTPUT");
	if (check && strcmp(check, "1") == 0 && call->output_schema &&
	    result_check_output(result, call->output_schema, &e) < 0)
		log_error("tool %s: result does not match its outputSchema: %s", call->action->id,
			  e.msg);
	call_free(call);
	done(result, ctx);
}

static int send_request(struct exec_call *call, struct err *err);
static int start_job(struct exec_call *call, int kind, struct err *err);
static int begin_request(struct exec_call *call, struct err *err);

/* A checked answer: data (borrowed) and, for lists, the next cursor. */
static void deliver(struct exec_call *call, json_t *data, json_t *nc, int truncated)
{
	json_t *fields = json_object_get(call->args, "fields");
	if (call->pagination && call->max_items > 0) {
		/* Gathering pages: keep going while the model asked for more. */
		if (!call->items)
			call->items = json_array();
		if (json_is_array(data))
			json_array_extend(call->items, data);
		call->pages++;
		/* The last page may overshoot max_items; progress stops at total. */
		size_t got = json_array_size(call->items);
		if (got > (size_t)call->max_items)
			got = (size_t)call->max_items;
		if (call->progress)
			call->progress((double)got, (double)call->max_items, "items fetched",
				       call->ctx);
		if (nc && json_array_size(call->items) < (size_t)call->max_items) {
			struct err e;
			err_init(&e);
			json_object_set(call->args, "cursor", nc);
			json_decref(nc);
			if (begin_request(call, &e) == 0)
				return;
			finish(call, call_result_error(e.msg, NULL));
			return;
		}
		data = call->items;
	}
	json_t *shown = result_select_fields(data, fields);
	if (!call->env->keep_secrets)
		result_redact(shown, call->action->redact);
	json_t *out = json_pack("{s:o}", "data", shown);
	if (call->pagination) {
		json_object_set_new(out, "has_more", json_boolean(nc != NULL));
		if (nc)
			json_object_set_new(out, "next_cursor", nc);
		if (call->pages > 1)
			json_object_set_new(out, "pages", json_integer(call->pages));
	}
	if (truncated)
		json_object_set_new(out, "truncated", json_true());
	struct call_result *ok = call_result_ok(out);
	ok->status = call->status;
	finish(call, ok);
}

/* The handler that can renew the call's credential, or NULL. */
static const struct auth_handler *refresher(const struct exec_call *call)
{
	const struct auth_handler *h = auth_find(call->conn->auth);
	return h && h->refresh ? h : NULL;
}

static void on_response_in(struct http_response *resp, void *ctx);

static void scope(const struct exec_env *env, void *call_ctx)
{
	if (env->scope)
		env->scope(env->scope_ctx, call_ctx);
}

/* The answer to one of a call's requests (main loop). */
static void on_response(struct http_response *resp, void *ctx)
{
	struct exec_call *call = ctx;
	const struct exec_env *env = call->env; /* call may be freed below */
	scope(env, call->ctx);
	on_response_in(resp, ctx);
	scope(env, NULL);
}

static void on_response_in(struct http_response *resp, void *ctx)
{
	struct exec_call *call = ctx;
	const struct connector *c = call->connector;
	call->http_id = 0;
	gate_leave(call); /* the answer is in: the next waiting request may go */
	if (resp->error == HTTP_ECANCELLED) {
		call_free(call);
		return;
	}
	if (resp->error != HTTP_OK) {
		finish(call, result_transport_error(c, resp, call->idempotent));
		return;
	}
	json_error_t je;
	/* Any JSON value: some vendors answer a bare true or "ok". */
	json_t *body = resp->body_len
			       ? jsonx_loadb(resp->body, resp->body_len, JSON_DECODE_ANY, &je)
			       : json_null();
	if (resp->status == 401 && !call->auth_retried && refresher(call)) {
		/* The credential was rejected: renew it and try once more; if
		 * that cannot help, this answer is the result. */
		struct err e;
		err_init(&e);
		call->auth_retried = 1;
		call->force = 1;
		call->rejected = result_vendor_error(c, call->action, call->conn, resp, body);
		json_decref(body);
		if (start_job(call, JOB_REFRESH, &e) < 0)
			finish(call, call_result_error(e.msg, NULL));
		return;
	}
	if (resp->status >= 300 && resp->status < 400 && resp->status != 304) {
		finish(call, result_redirect(c, resp));
		json_decref(body);
		return;
	}
	if (resp->status >= 400) {
		finish(call, result_vendor_error(c, call->action, call->conn, resp, body));
		json_decref(body);
		return;
	}
	if (!body) {
		struct call_result *bad = result_unreadable(c, resp, &je);
		if (bad) {
			finish(call, bad);
			return;
		}
		/* Plain text answers are data too. */
		body = json_stringn(resp->body, resp->body_len);
		if (!body)
			body = json_string("(binary response)");
	}
	struct call_result *bad = result_answer_error(c, call->conn, call->action, resp, body);
	if (bad) {
		finish(call, bad);
		json_decref(body);
		return;
	}
	const char *rp = call->action->result;
	if (!rp && call->pagination)
		rp = call->pagination->items;
	json_t *data = jsonx_pointer(body, rp);
	json_t *nc = call->pagination
			     ? result_next_cursor(
				       call->pagination, call->cursor, call->limit, body, data,
				       request_pages_backward(call->pagination, call->args), resp)
			     : NULL;
	/* A list whose items key is absent is empty (QuickBooks leaves it out). */
	json_t *empty = !data && call->pagination && json_is_object(body) ? json_array() : NULL;
	call->status = resp->status;
	deliver(call, data ? data : empty ? empty : body, nc, resp->truncated);
	json_decref(empty);
	json_decref(body);
}

/* http.c asks, before delivering an answer, whether it says "throttled,
 * not run": then the same request goes again after the wait it names. */
static long long throttle_retry_wait(const struct http_response *resp, void *ctx)
{
	struct exec_call *call = ctx;
	long long wait =
		result_throttle_wait_ms(call->action->rate_limit, resp->body, resp->body_len);
	scope(call->env, call->ctx);
	if (wait >= 0)
		log_info("%s: %s was throttled (attempt %d); its answer asks for a wait of %lld ms",
			 call->connector->slug, call->action->id, resp->attempts, wait);
	scope(call->env, NULL);
	return wait;
}

static const char *const *header_array(json_t *a, json_t *b)
{
	size_t n = json_array_size(a) + json_array_size(b);
	const char **h = xcalloc(n + 1, sizeof(*h));
	size_t k = 0, i;
	json_t *v;
	json_array_foreach(a, i, v)
		h[k++] = json_string_value(v);
	json_array_foreach(b, i, v)
		h[k++] = json_string_value(v);
	return h;
}

/* What page the call's current arguments ask for, for working out the
 * next one. */
static void note_page(struct exec_call *call)
{
	json_t *limit = json_object_get(call->args, "limit");
	call->limit = limit              ? (long)json_integer_value(limit)
		      : call->pagination ? call->pagination->default_limit
					 : 0;
	free(call->cursor);
	const char *cursor = json_string_value(json_object_get(call->args, "cursor"));
	call->cursor = cursor ? xstrdup(cursor) : NULL;
}

/* The call's gate, made on first use; NULL when its connector sets no cap. */
static struct gate *gate_of(struct exec_call *call)
{
	const struct connector *c = call->connector;
	long max = call->action->rate_limit->max_concurrent;
	if (max < 1)
		return NULL;
	char *key = xasprintf("%s/%lld/%s", c->slug, call->conn->id, call->conn->name);
	struct gate *g = gates;
	while (g && strcmp(g->key, key) != 0)
		g = g->next;
	if (g) {
		free(key);
		return g;
	}
	g = xcalloc(1, sizeof(*g));
	g->key = key;
	g->max = (int)max;
	g->tail = &g->head;
	g->next = gates;
	gates = g;
	return g;
}

/* Take a place at the gate: 1 taken (or no gate), 0 parked in its queue,
 * to be sent when a place frees. */
static int gate_enter(struct exec_call *call)
{
	struct gate *g = call->gate ? call->gate : (call->gate = gate_of(call));
	if (!g || call->in_gate)
		return 1;
	if (g->in_flight < g->max && !g->head) {
		g->in_flight++;
		call->in_gate = 1;
		return 1;
	}
	call->parked = 1;
	call->next_parked = NULL;
	*g->tail = call;
	g->tail = &call->next_parked;
	log_debug("%s: %d requests in flight on this connection (its limit): waiting", g->key,
		  g->in_flight);
	return 0;
}

static int send_request(struct exec_call *call, struct err *err);

/* Give back the call's place (or its spot in the queue) and send the next
 * waiting call's request. */
static void gate_leave(struct exec_call *call)
{
	struct gate *g = call->gate;
	if (!g)
		return;
	if (call->parked) {
		struct exec_call **pp = &g->head;
		while (*pp != call)
			pp = &(*pp)->next_parked;
		*pp = call->next_parked;
		if (g->tail == &call->next_parked)
			g->tail = pp;
		call->parked = 0;
		return;
	}
	if (!call->in_gate)
		return;
	call->in_gate = 0;
	g->in_flight--;
	while (g->head && g->in_flight < g->max) {
		struct exec_call *next = g->head;
		g->head = next->next_parked;
		if (!g->head)
			g->tail = &g->head;
		next->parked = 0;
		g->in_flight++;
		next->in_gate = 1;
		struct err e;
		err_init(&e);
		if (send_request(next, &e) < 0)
			finish(next, call_result_error(e.msg, NULL));
	}
}

/* Build and start the request for the call's current arguments (when the
 * connection's gate has a place; otherwise it is sent from gate_leave). */
static int send_request(struct exec_call *call, struct err *err)
{
	struct exec_env *env = call->env;
	struct request r = {0};
	int ret = -1;
	if (!gate_enter(call))
		return 0;
	note_page(call);
	if (request_build(call->connector, call->action, call->args, call->conn, &r, err) < 0)
		goto out;
	const char *const *headers = header_array(r.headers, r.auth_headers);
	struct http_request hr = {
		.method = r.method,
		.url = r.url.data,
		.headers = headers,
		.body = r.body.len ? r.body.data : NULL,
		.body_len = r.body.len,
		.timeout_ms = env->timeout_ms ? env->timeout_ms
			      : r.timeout_ms  ? r.timeout_ms
					      : DEFAULT_TIMEOUT_MS,
		.max_body = env->max_body,
		.idempotent = r.idempotent,
		.resolve = r.resolve,
		.retry_wait = throttle_retry_wait,
	};
	call->idempotent = r.idempotent;
	call->http_id = http_start(env->http, &hr, on_response, call, err);
	free((void *)headers);
	if (call->http_id > 0)
		ret = 0;
out:
	request_release(&r);
	if (ret < 0)
		gate_leave(call);
	return ret;
}

/* Send the call's request, or first warm its credential on a worker when
 * building the request would block the main loop; the request then goes
 * from refreshed(). */
static int begin_request(struct exec_call *call, struct err *err)
{
	const struct connector *c = call->connector;
	const struct auth_handler *h = auth_find(call->conn->auth);
	if (h && h->cold && h->warm &&
	    h->cold(c, connector_auth_method(c, call->conn->auth), call->conn))
		return start_job(call, JOB_WARM, err);
	return send_request(call, err);
}

/* Worker threads: finished calls wait in a queue for exec_poll(). */
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct exec_call *jobs_running, *jobs_done;

/* Connections being refreshed by a worker of this process. The store's lock
 * keeps other processes out; this keeps our own threads to one refresh per
 * connection, the rest wait and then take its outcome (struct fresh). */
#define MAX_REFRESHING 64
static long long refreshing[MAX_REFRESHING];
static int nrefreshing;
static pthread_cond_t refresh_cond = PTHREAD_COND_INITIALIZER;

/* The last refresh a worker of this process finished, per connection (a
 * few, the oldest replaced): threads that waited for it take its tokens
 * instead of each opening the store, taking the lock and reading the row
 * again in turn, which under many calls at once held them for seconds. */
#define MAX_FRESH 16
static struct fresh {
	long long id;
	long long gen; /* fresh_gen when it was kept */
	long long expires_at;
	json_t *config, *secrets; /* deep copies (secrets wiped when freed) */
} fresh[MAX_FRESH];
static long long fresh_gen;

static int is_refreshing(long long id)
{
	for (int i = 0; i < nrefreshing; i++)
		if (refreshing[i] == id)
			return 1;
	return 0;
}

static void fresh_release(struct fresh *f)
{
	json_decref(f->config);
	store_secrets_free(f->secrets);
	memset(f, 0, sizeof(*f));
}

/* Keep conn's tokens as the outcome of its refresh (jobs_lock held). */
static void fresh_keep(const struct connection *conn)
{
	struct fresh *f = &fresh[0];
	for (int i = 0; i < MAX_FRESH; i++) {
		if (fresh[i].id == conn->id) {
			f = &fresh[i];
			break;
		}
		if (fresh[i].gen < f->gen)
			f = &fresh[i];
	}
	fresh_release(f);
	f->id = conn->id;
	f->gen = ++fresh_gen;
	f->expires_at = conn->expires_at;
	f->config = json_deep_copy(conn->config);
	f->secrets = conn->secrets ? json_deep_copy(conn->secrets) : NULL;
}

/* A refresh of the call's connection finished after since (a fresh_gen):
 * take its tokens when they serve the call, a token other than the one
 * the vendor rejected, or one no longer due. 1 taken, else 0 (jobs_lock
 * held). */
static int fresh_take(struct exec_call *call, long long since)
{
	const struct auth_handler *h = refresher(call);
	struct connection *conn = call->conn;
	for (int i = 0; i < MAX_FRESH; i++) {
		struct fresh *f = &fresh[i];
		if (f->id != conn->id || f->gen <= since || !f->secrets)
			continue;
		const char *mine = connection_value(conn, "access_token");
		const char *theirs = json_string_value(json_object_get(f->secrets, "access_token"));
		if (call->force && (!theirs || (mine && strcmp(mine, theirs) == 0)))
			return 0;
		json_decref(conn->config);
		store_secrets_free(conn->secrets);
		conn->config = json_deep_copy(f->config);
		conn->secrets = json_deep_copy(f->secrets);
		conn->expires_at = f->expires_at;
		return call->force || !(h->due && h->due(conn));
	}
	return 0;
}

/* On the worker: renew the call's credential through a store handle of its
 * own (the main loop's belongs to the main thread). */
static int run_refresh(struct exec_call *call)
{
	const struct connector *c = call->connector;
	long long id = call->conn->id;
	struct store *s = NULL;
	int rc = -1;
	pthread_mutex_lock(&jobs_lock);
	long long since = fresh_gen;
	while (is_refreshing(id) || nrefreshing == MAX_REFRESHING)
		pthread_cond_wait(&refresh_cond, &jobs_lock);
	if (id && fresh_take(call, since)) {
		pthread_mutex_unlock(&jobs_lock);
		return 1;
	}
	refreshing[nrefreshing++] = id;
	pthread_mutex_unlock(&jobs_lock);
	if (!call->env->store || (s = store_open(store_path(call->env->store), &call->job_err)))
		rc = refresher(call)->refresh(c, connector_auth_method(c, call->conn->auth), s,
					      call->conn, call->force, &call->job_err);
	store_free(s);
	pthread_mutex_lock(&jobs_lock);
	if (rc > 0 && id)
		fresh_keep(call->conn);
	for (int i = 0; i < nrefreshing; i++)
		if (refreshing[i] == id) {
			refreshing[i] = refreshing[--nrefreshing];
			break;
		}
	pthread_cond_broadcast(&refresh_cond);
	pthread_mutex_unlock(&jobs_lock);
	return rc;
}

/* On the worker: what apply would block on, done ahead (the handler keeps
 * concurrent warms of one connection to one run). */
static int run_warm(struct exec_call *call)
{
	const struct connector *c = call->connector;
	const struct auth_handler *h = auth_find(call->conn->auth);
	return h->warm(c, connector_auth_method(c, call->conn->auth), call->conn, &call->job_err);
}

static void *job_main(void *arg)
{
	struct exec_call *call = arg;
	json_t *data = NULL;
	err_init(&call->job_err);
	if (call->job == JOB_REFRESH)
		call->job_rc = run_refresh(call);
	else if (call->job == JOB_WARM)
		call->job_rc = run_warm(call);
	else if (call->hook->run(call->connector, call->action, call->args, call->conn, &data,
				 &call->job_err) == 0)
		call->job_data = data;
	pthread_mutex_lock(&jobs_lock);
	for (struct exec_call **p = &jobs_running; *p; p = &(*p)->next_job)
		if (*p == call) {
			*p = call->next_job;
			break;
		}
	call->next_job = jobs_done;
	jobs_done = call;
	struct http_client *http = call->env->http;
	pthread_mutex_unlock(&jobs_lock);
	http_wakeup(http);
	return NULL;
}

static int start_job(struct exec_call *call, int kind, struct err *err)
{
	call->job = kind;
	pthread_mutex_lock(&jobs_lock);
	call->next_job = jobs_running;
	jobs_running = call;
	int rc = pthread_create(&call->thread, NULL, job_main, call);
	if (rc != 0)
		jobs_running = call->next_job;
	pthread_mutex_unlock(&jobs_lock);
	if (rc != 0)
		return err_set(err, "cannot start a worker thread: %s", strerror(rc));
	return 0;
}

/* When the failed renewal left the connection needing reconnecting: how
 * the client reconnects it (conns_connect_details), else NULL. */
static json_t *reconnect_details(const struct exec_call *call)
{
	struct err e;
	err_init(&e);
	struct connection *now =
		call->env->store && call->conn->id
			? store_get_connection(call->env->store, call->conn->connector,
					       call->conn->name, 0, &e)
			: NULL;
	int needs = now && now->status && strcmp(now->status, "needs_reconnect") == 0;
	connection_free(now);
	return needs ? conns_connect_details(call->connector, call->conn->name) : NULL;
}

/* Back on the main loop after a refresh or a warm: send (again), or say
 * why not. */
static void refreshed(struct exec_call *call)
{
	struct err e;
	err_init(&e);
	int warmed = call->job == JOB_WARM;
	call->job = JOB_NONE;
	if (call->job_rc < 0) {
		if (!warmed) /* a warm's failure is the call's answer, as apply's was */
			log_warn("%s", call->job_err.msg);
		char *msg = call->rejected ? xasprintf("%s rejected the credential (HTTP 401) and "
						       "it could not be renewed: %s",
						       call->connector->slug, call->job_err.msg)
					   : xstrdup(call->job_err.msg);
		finish(call, call_result_error(msg, reconnect_details(call)));
		free(msg);
		return;
	}
	if (call->rejected && call->job_rc == 0) {
		struct call_result *rejected =
			call->rejected; /* nothing new to try: the 401 stands */
		call->rejected = NULL;
		finish(call, rejected);
		return;
	}
	call_result_free(call->rejected);
	call->rejected = NULL;
	/* Once warmed, send even if the warm answer is cold again already (a
	 * credential not to be kept): no endless round of warms. */
	if ((warmed ? send_request(call, &e) : begin_request(call, &e)) < 0)
		finish(call, call_result_error(e.msg, NULL));
}

int exec_poll(struct exec_env *env)
{
	(void)env;
	pthread_mutex_lock(&jobs_lock);
	struct exec_call *done = jobs_done;
	jobs_done = NULL;
	int running = 0;
	for (struct exec_call *c = jobs_running; c; c = c->next_job)
		running++;
	pthread_mutex_unlock(&jobs_lock);
	while (done) {
		struct exec_call *call = done;
		done = call->next_job;
		pthread_join(call->thread, NULL);
		if (call->cancelled) {
			call_free(call);
		} else if (call->job == JOB_REFRESH || call->job == JOB_WARM) {
			refreshed(call);
		} else if (call->job_data) {
			/* A list hook answers {data, next_cursor?}; others just data. */
			json_t *jd = call->job_data;
			int paged = call->pagination && json_is_object(jd) &&
				    json_object_get(jd, "data");
			json_t *data = json_incref(paged ? json_object_get(jd, "data") : jd);
			json_t *nc = paged ? json_object_get(jd, "next_cursor") : NULL;
			nc = json_is_string(nc) ? json_incref(nc) : NULL; /* stolen by deliver */
			call->max_items = 0;                              /* a hook pages itself */
			deliver(call, data, nc, 0);
			json_decref(data);
		} else {
			char *msg = xasprintf("%s", call->job_err.msg);
			finish(call, call_result_error(msg, NULL));
			free(msg);
		}
	}
	return running;
}

void exec_shutdown(void)
{
	/* A credential command still running gives up rather than keep the
	 * process for its whole timeout. */
	auth_stop(1);
	for (;;) {
		pthread_mutex_lock(&jobs_lock);
		int running = jobs_running != NULL;
		struct exec_call *done = jobs_done;
		jobs_done = NULL;
		pthread_mutex_unlock(&jobs_lock);
		while (done) {
			struct exec_call *call = done;
			done = call->next_job;
			pthread_join(call->thread, NULL);
			call_free(call);
		}
		if (!running)
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	auth_stop(0);
	for (int i = 0; i < MAX_FRESH; i++)
		fresh_release(&fresh[i]);
	while (gates) {
		struct gate *g = gates;
		gates = g->next;
		free(g->key);
		free(g);
	}
}

struct exec_call *exec_start(struct exec_env *env, const struct caller *who,
			     const struct exec_target *t, json_t *args, exec_done_fn done,
			     exec_progress_fn progress, void *ctx)
{
	struct err e;
	json_t *details = NULL; /* how to connect, when the connection is missing */
	err_init(&e);
	struct exec_call *call = xcalloc(1, sizeof(*call));
	call->env = env;
	call->connector = t->connector;
	call->action = t->action;
	call->output_schema = t->output_schema;
	call->done = done;
	call->progress = progress;
	call->ctx = ctx;
	call->args = json_deep_copy(args);
	call->pagination = call->action->list ? &call->action->pg : NULL;
	json_t *max = json_object_get(args, "max_items");
	call->max_items = max ? (long)json_integer_value(max) : 0;
	const char *hook_name = call->action->hook;
	call->hook = hook_find(hook_name);
	if (hook_name && !call->hook) {
		err_set(&e, "%s is not available in this build: hook '%s' is missing",
			t->action->id, hook_name);
		goto fail;
	}
	/* Arguments the vendor always refuses fail here, before any I/O. */
	if (request_check_choices(call->action, args, &e) < 0)
		goto fail;
	call->conn = conns_resolve(env->store, t->connector,
				   json_string_value(json_object_get(args, "connection")), who, &e);
	if (!call->conn) {
		const char *name = json_string_value(json_object_get(args, "connection"));
		/* A caller connects nothing itself: its administrator does. */
		if (!who && (!name || strcmp(name, "env") != 0))
			details = conns_connect_details(t->connector, name);
		goto fail;
	}
	const struct auth_handler *h = refresher(call);
	if (call->hook && call->hook->run) {
		if (start_job(call, JOB_HOOK, &e) < 0)
			goto fail;
	} else if (h && h->due && h->due(call->conn)) {
		if (start_job(call, JOB_REFRESH, &e) < 0)
			goto fail;
	} else if (begin_request(call, &e) < 0) {
		goto fail;
	}
	/* last_used is shown to people in minutes: one write a minute is enough,
	 * and spares every call a write transaction. */
	if (env->store && call->conn->id && call->conn->last_used_at < now_s() - 60)
		store_touch_connection(env->store, call->conn->id);
	return call;
fail:
	call_free(call);
	done(call_result_error(e.msg, details), ctx);
	return NULL;
}

void exec_cancel(struct exec_call *call)
{
	if (!call)
		return;
	if (call->job != JOB_NONE) {
		/* The worker cannot be interrupted; its result is dropped. */
		pthread_mutex_lock(&jobs_lock);
		call->cancelled = 1;
		pthread_mutex_unlock(&jobs_lock);
		return;
	}
	/* Freed now, not when the transfer's end is delivered: a server that
	 * reads EOF next stops polling and would never deliver it. A call
	 * waiting at its connection's gate has nothing in flight. */
	if (!call->parked)
		http_drop(call->env->http, call->http_id);
	call_free(call);
}

json_t *exec_dry_run(struct exec_env *env, const struct caller *who, const struct exec_target *t,
		     json_t *args, struct err *err)
{
	struct request r = {.dry_run = 1};
	const struct action_spec *a = t->action;
	json_t *out = NULL;
	if (request_check_choices(a, args, err) < 0)
		return NULL;
	struct connection *conn =
		conns_resolve(env->store, t->connector,
			      json_string_value(json_object_get(args, "connection")), who, err);
	if (!conn)
		return NULL;
	const struct hook *hook = hook_find(a->hook);
	if (hook && hook->run) {
		err_set(err, "%s does not make an HTTP request; nothing to show", a->id);
	} else if (request_build(t->connector, a, args, conn, &r, err) == 0) {
		json_t *headers = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(r.headers, i, v)
			json_array_append(headers, v);
		json_array_foreach(r.auth_headers, i, v) {
			const char *h = json_string_value(v);
			const char *colon = strchr(h, ':');
			char *red = xasprintf("%.*s: [redacted]", (int)(colon - h), h);
			json_array_append_new(headers, json_string(red));
			free(red);
		}
		char *url = log_redact(r.url.data);
		out = json_pack("{s:s, s:s, s:o, s:s%, s:s}", "method", r.method, "url", url,
				"headers", headers, "body", r.body.data ? r.body.data : "",
				r.body.len, "connection", conn->name);
		if (r.dry_run_note)
			json_object_set_new(out, "not_checked", json_string(r.dry_run_note));
		free(url);
	}
	request_release(&r);
	connection_free(conn);
	return out;
}
