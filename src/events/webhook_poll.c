/* webhook_poll.c - events for entities that send no webhooks: call the
 * entity's list action through exec, filtered on its polling field from a
 * cursor kept per connection and entity, and store what is new or changed
 * as events. */
#include "webhook.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connector.h"
#include "conns.h"
#include "exec.h"
#include "jsonx.h"
#include "log.h"
#include "result.h"
#include "webhook_int.h"

/* One line of the poll's report (or of a problem with it) on stderr, through
 * the log's redaction: vendor messages and cursor values can quote a secret. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	char *red = log_redact(line);
	fputs(red, stderr);
	free(red);
}

#define POLL_EVENT "changed"
#define POLL_VENDOR_EVENT "poll"
/* The most items one oldest-first poll reads unless max_items says. */
#define POLL_MAX_ITEMS 500

/* ---- comparing polling-field values ---- */

/* A whole number or decimal ("1700000000.000100"); 0 or -1. */
static int as_number(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return *end || errno ? -1 : 0;
}

/* Microsoft JSON dates, as Xero sends them: "/Date(1573755038314+0000)/". */
static int as_ms_date(const char *s, long long *ms)
{
	char *end;
	if (!s || strncmp(s, "/Date(", 6) != 0)
		return -1;
	errno = 0;
	*ms = strtoll(s + 6, &end, 10);
	return end == s + 6 || errno ? -1 : 0;
}

/* Order two values of one field: numbers as numbers, dates as times, the
 * rest as text. */
static int cmp_values(const char *a, const char *b)
{
	double x, y;
	long long p, q;
	if (as_number(a, &x) == 0 && as_number(b, &y) == 0)
		return x < y ? -1 : x > y;
	if (as_ms_date(a, &p) == 0 && as_ms_date(b, &q) == 0)
		return p < q ? -1 : p > q;
	if (webhook_parse_since(a, 0, &p) == 0 && webhook_parse_since(b, 0, &q) == 0 && p != q &&
	    strchr(a, '-') && strchr(b, '-'))
		return p < q ? -1 : 1;
	return strcmp(a, b);
}

/* The polling block's filter template with "{value}" replaced by the
 * cursor (Shopify: "updated_at:>='{value}'"), after what the caller already
 * gave in that parameter. NULL when the value could end the quotes. */
static json_t *filter_from_template(const char *tmpl, const char *given, const char *cursor)
{
	const char *at = strstr(tmpl, "{value}");
	if (!at || strpbrk(cursor, "'\"\\"))
		return NULL;
	char *expr =
		xasprintf("%s%s%.*s%s%s", given && *given ? given : "", given && *given ? " " : "",
			  (int)(at - tmpl), tmpl, cursor, at + strlen("{value}"));
	json_t *v = json_string(expr);
	free(expr);
	return v;
}

/* The value a filter parameter takes from the cursor: a number for numeric
 * parameters, "<field> >= '<time>'" for a query-language where, the
 * cursor as it is for other strings (Xero's /Date(ms)/ as ISO 8601). NULL
 * when the parameter cannot express it (a search language without a
 * filter template in the polling block). */
static json_t *filter_value(const struct action_spec *a, const char *param, const char *field,
			    const char *cursor)
{
	struct param_spec decl;
	connector_param(a, param, &decl);
	const char *type = decl.type;
	double num;
	long long ms;
	if (!decl.declared || !*cursor || strcmp(param, "query") == 0)
		return NULL;
	if (type && (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0)) {
		if (as_number(cursor, &num) < 0)
			return NULL;
		return strcmp(type, "integer") == 0 ? json_integer((json_int_t)num)
						    : json_real(num);
	}
	char iso[32];
	if (as_ms_date(cursor, &ms) == 0) {
		time_t tt = (time_t)(ms / 1000);
		struct tm tm;
		if (!gmtime_r(&tt, &tm) || !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm))
			return NULL;
		cursor = iso;
	}
	if (strcmp(param, "where") == 0) {
		/* The value came from the vendor: never let it end the quotes. */
		if (strpbrk(cursor, "'\\"))
			return NULL;
		char *expr = xasprintf("%s >= '%s'", field, cursor);
		json_t *v = json_string(expr);
		free(expr);
		return v;
	}
	return json_string(cursor);
}

/* ---- one call, run to the end ---- */

struct sync_call {
	struct call_result *result;
};

static void sync_done(struct call_result *result, void *ctx)
{
	((struct sync_call *)ctx)->result = result;
}

static struct call_result *call_action(struct exec_env *env, const struct connector *c,
				       const struct action_spec *a, json_t *args)
{
	struct sync_call sc = {0};
	struct exec_target target = {.connector = c, .action = a};
	exec_start(env, NULL, &target, args, sync_done, NULL, &sc);
	while (!sc.result) {
		int jobs = exec_poll(env);
		if (sc.result || (http_pending(env->http) == 0 && jobs == 0))
			break;
		if (http_wait(env->http, -1, 1000, NULL) < 0)
			break;
	}
	return sc.result;
}

/* ---- one connection and entity ---- */

struct poll_ctx {
	const struct webhook_poll_options *opt;
	int failures;
};

/* The cursor is {"value": the newest polling-field value seen, "ids": the
 * items seen at exactly that value}: an item is new when its value is
 * later, or equal and its id not among those, so an item changed in the
 * same second as the last one seen is neither missed nor repeated. A list
 * read by id (the polling block's id_param) also keeps "last": the id of
 * the newest item seen, in the list's own order. */
#define CURSOR_MAX_IDS 1000

static json_t *cursor_parse(const char *text)
{
	json_t *c = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_object(c) || !json_is_string(json_object_get(c, "value"))) {
		json_decref(c);
		c = json_pack("{s:s, s:[]}", "value", text ? text : "", "ids");
	}
	if (!json_is_array(json_object_get(c, "ids")))
		json_object_set_new(c, "ids", json_array());
	return c;
}

/* One connection and entity (and scope) being polled. */
struct poll_job {
	struct poll_ctx *pc;
	const struct connector *c;
	const struct connection *conn;
	const struct action_spec *a;   /* the list action it calls */
	const struct polling_spec *ps; /* the entity's polling block */
	const char *entity;            /* the registry's entity: the events' entity */
	const char *key;               /* the cursor's key: entity, or entity@scope */
	const char *field;             /* ps->field, ps->param, ps->id_param, ps->scope_param */
	const char *param;
	const char *id_param;
	const char *scope_param;
	const char *scope_value; /* the scope's value in this poll, or NULL */
	int had;                 /* a cursor was stored before this poll */
	long long started;       /* unix seconds */
};

/* How to read one poll's items. */
struct scan {
	const struct poll_job *job;
	const char *epoch;         /* part of the event key when the cursor has one */
	const char *restart_field; /* after an epoch change: pick on this time */
	long long restart_after;   /* ... at or after this (unix seconds), -1 none */
};

/* The id of one listed item: its id field's value, or the values of several
 * fields joined with "+" (Cin7 Omni's stock rows: productOptionId+branchId).
 * A new string, or NULL when a part is missing. */
static char *item_id(const struct poll_job *job, json_t *item)
{
	if (!job->ps->id_fields)
		return webhook_scalar(webhook_dotted(item, job->ps->id_field));
	struct buf b;
	buf_init(&b, 0);
	size_t i;
	json_t *name;
	json_array_foreach(job->ps->id_fields, i, name) {
		char *part = webhook_scalar(webhook_dotted(item, json_string_value(name)));
		if (!part) {
			buf_release(&b);
			return NULL;
		}
		buf_addf(&b, "%s%s", i ? "+" : "", part);
		free(part);
	}
	return buf_detach(&b);
}

/* Move next's top value and ids over data; with emit, append the new items
 * (later than cur's value, or equal with an id not seen; or, in a restart,
 * those whose restart_field is at or after restart_after) to fresh as
 * {key, item}. A scoped poll adds the scope to each new item. */
static void scan_items(const struct scan *sc, json_t *data, int emit, json_t *cur, json_t *fresh,
		       json_t *next)
{
	const struct poll_job *job = sc->job;
	const char *since = cur ? json_string_value(json_object_get(cur, "value")) : "";
	size_t i;
	json_t *item;
	json_array_foreach(data, i, item) {
		char *id = item_id(job, item);
		char *value = webhook_scalar(webhook_dotted(item, job->field));
		if (!id || !value)
			goto next_item;
		int is_new;
		if (sc->restart_field) {
			char *at = webhook_scalar(webhook_dotted(item, sc->restart_field));
			long long t;
			is_new =
				at && webhook_parse_since(at, 0, &t) == 0 && t >= sc->restart_after;
			free(at);
		} else {
			int vs_cur = *since ? cmp_values(value, since) : 1;
			is_new = vs_cur > 0 || (vs_cur == 0 &&
						!jsonx_has_string(json_object_get(cur, "ids"), id));
		}
		if (emit && is_new) {
			char *key = sc->epoch ? xasprintf("poll:%lld:%s:%s/%s:%s", job->conn->id,
							  job->key, sc->epoch, id, value)
					      : xasprintf("poll:%lld:%s:%s:%s", job->conn->id,
							  job->key, id, value);
			if (job->scope_param && job->scope_value && json_is_object(item) &&
			    !json_object_get(item, job->scope_param))
				json_object_set_new(item, job->scope_param,
						    json_string(job->scope_value));
			json_array_append_new(fresh,
					      json_pack("{s:s, s:O}", "key", key, "item", item));
			free(key);
		}
		const char *top = json_string_value(json_object_get(next, "value"));
		int vs_top = *top ? cmp_values(value, top) : 1;
		if (vs_top > 0) {
			json_object_set_new(next, "value", json_string(value));
			json_object_set_new(next, "ids", json_pack("[s]", id));
		} else if (vs_top == 0 && !jsonx_has_string(json_object_get(next, "ids"), id) &&
			   json_array_size(json_object_get(next, "ids")) < CURSOR_MAX_IDS) {
			json_array_append_new(json_object_get(next, "ids"), json_string(id));
		}
	next_item:
		free(id);
		free(value);
	}
}

/* Call the action and keep the answer only when it is not an error: its
 * data ({data, has_more ...}; a new reference), or NULL (reported). */
static json_t *poll_call(const struct poll_job *job, json_t *args)
{
	struct call_result *result = call_action(job->pc->opt->env, job->c, job->a, args);
	if (!result || result->error) {
		char *text = result ? call_result_error_text(result) : NULL;
		say("switchboard: poll %s/%s %s: %s\n", job->c->slug, job->conn->name, job->key,
		    text ? text : "the call did not finish");
		free(text);
		call_result_free(result);
		return NULL;
	}
	json_t *data = json_incref(result->data);
	call_result_free(result);
	return data;
}

/* args without the cursor's filter and epoch, in the first poll's order
 * (newest first): a new object. */
static json_t *unfiltered_args(const struct poll_job *job, json_t *args)
{
	json_t *again = json_deep_copy(args);
	if (job->param)
		json_object_del(again, job->param);
	if (job->ps->epoch_param)
		json_object_del(again, job->ps->epoch_param);
	if (job->ps->first_args)
		json_object_update(again, job->ps->first_args);
	return again;
}

/* After the epoch changed (the mailbox was renumbered): list again without
 * the cursor's filter, newest first, narrowed by restart_param to the time
 * of the previous poll when the action has one, so what arrived since can be
 * reported and nothing older is reported again. Its data (a new
 * reference, as poll_call), or NULL (reported). */
static json_t *poll_restart(const struct poll_job *job, json_t *args, json_t *cur,
			    const char *epoch)
{
	const char *rparam = job->ps->restart_param;
	const char *rfield = job->ps->restart_field;
	const char *efield = job->ps->epoch_field;
	json_t *cur_at = json_object_get(cur, "at");
	char when[32] = "";
	if (!rfield || !json_is_integer(cur_at)) {
		say("switchboard: poll %s/%s %s: %s changed (%s -> %s) and the cursor has no "
		    "time to restart from: starting a new cursor, nothing reported\n",
		    job->c->slug, job->conn->name, job->key, efield,
		    json_string_value(json_object_get(cur, "epoch")), epoch);
		return json_pack("{s:[]}", "data");
	}
	long long at = json_integer_value(cur_at);
	webhook_format_time(at, when);
	say("%s/%s %s: %s changed (%s -> %s): the cursor no longer applies; reporting "
	    "items with %s since the previous poll (%s)\n",
	    job->c->slug, job->conn->name, job->key, efield,
	    json_string_value(json_object_get(cur, "epoch")), epoch, rfield, when);
	json_t *again = unfiltered_args(job, args);
	struct param_spec decl;
	connector_param(job->a, rparam ? rparam : "", &decl);
	if (decl.declared) {
		/* A day parameter gets the day before: servers compare the day in
		 * their own time zone (IMAP SINCE ignores time and zone). */
		const char *format = decl.format;
		int day = format && strcmp(format, "date") == 0;
		char v[32];
		webhook_format_time(day ? at - 86400 : at, v);
		if (day)
			v[10] = '\0';
		json_object_set_new(again, rparam, json_string(v));
	}
	if (job->a->list && job->a->pg.max_limit > 0)
		json_object_set_new(again, "limit", json_integer(job->a->pg.max_limit));
	json_t *result = poll_call(job, again);
	json_decref(again);
	return result;
}

/* Store the new items of one page as events, in one transaction. */
static int store_items(struct store *s, const struct poll_job *job, json_t *fresh, struct err *err)
{
	size_t n = json_array_size(fresh);
	struct event *evs = xcalloc(n ? n : 1, sizeof(*evs));
	struct event **ptrs = xcalloc(n ? n : 1, sizeof(*ptrs));
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(fresh, i);
		evs[i].connector = job->c->slug;
		evs[i].connection_id = job->conn->id;
		evs[i].entity = (char *)job->entity;
		evs[i].event_type = (char *)POLL_EVENT;
		evs[i].vendor_type = (char *)POLL_VENDOR_EVENT;
		evs[i].vendor_event_id = (char *)json_string_value(json_object_get(f, "key"));
		evs[i].payload = json_object_get(f, "item"); /* borrowed */
		ptrs[i] = &evs[i];
	}
	int added = n ? store_add_events(s, ptrs, n, err) : 0;
	free(ptrs);
	free(evs);
	return added;
}

/* What one page did. */
struct page_out {
	json_t *next;  /* the cursor after it (new), or NULL when nothing changed */
	size_t nitems; /* items the call returned */
	size_t nfresh; /* of which new to the cursor */
	int added;     /* events stored (not duplicates) */
	int more;      /* the action said more items follow */
	int final;     /* renumbered: no further page in this poll */
	int after_id;  /* the call asked for the items just newer than the cursor's id */
};

/* A list read by id (id_param) answers newest first, the page too: the
 * next call goes on from its first item (next's "last"), and its new items
 * are stored oldest first. */
static void page_newest_first(const struct poll_job *job, json_t *data, json_t *fresh, json_t *next)
{
	char *id = item_id(job, json_array_get(data, 0));
	if (id)
		json_object_set_new(next, "last", json_string(id));
	free(id);
	size_t n = json_array_size(fresh);
	for (size_t i = 0; i < n / 2; i++) {
		json_t *a = json_incref(json_array_get(fresh, i)); /* set back just below */
		json_array_set(fresh, i, json_array_get(fresh, n - 1 - i));
		json_array_set_new(fresh, n - 1 - i, a);
	}
}

/* One call filtered from cur, its new items stored as events and the
 * cursor moved past them, so a later failure never skips what this page
 * stored. 0 (out filled), or -1 (reported). */
static int poll_page(const struct poll_job *job, json_t *base, json_t *cur, int page,
		     struct page_out *out)
{
	const char *epoch_field = job->ps->epoch_field;
	const char *epoch_param = job->ps->epoch_param;
	const char *tmpl = job->ps->filter;
	const char *since = json_string_value(json_object_get(cur, "value"));
	const char *was = json_string_value(json_object_get(cur, "epoch"));
	struct store *s = job->pc->opt->store;
	json_t *args = json_deep_copy(base), *result = NULL, *restart = NULL, *top = NULL,
	       *next = NULL, *fresh = json_array(), *fv = NULL;
	char *epoch = NULL, *next_text = NULL;
	int ret = -1;
	struct err e;
	err_init(&e);

	memset(out, 0, sizeof(*out));
	const char *last = json_string_value(json_object_get(cur, "last"));
	if (job->id_param && job->had && last && *last) {
		/* The page just newer than the newest item seen, whatever the
		 * times: nothing between two pages is skipped. */
		json_object_set_new(args, job->id_param, json_string(last));
		out->after_id = 1;
	} else if (job->param && job->had && *since)
		fv = tmpl ? filter_from_template(
				    tmpl, json_string_value(json_object_get(args, job->param)),
				    since)
			  : filter_value(job->a, job->param, job->field, since);
	if (fv)
		json_object_set_new(args, job->param, fv);
	json_t *ev = fv && epoch_param && was ? filter_value(job->a, epoch_param, job->field, was)
					      : NULL;
	if (ev)
		json_object_set_new(args, epoch_param, ev);
	if (!(result = poll_call(job, args)))
		goto out;
	json_t *sc_data = result;
	json_t *data = json_object_get(sc_data, "data");
	out->nitems = json_array_size(data);
	out->more = json_is_true(json_object_get(sc_data, "has_more"));
	if (epoch_field && out->nitems)
		epoch = webhook_scalar(webhook_dotted(json_array_get(data, 0), epoch_field));
	struct scan sc = {job, epoch, NULL, -1};
	if (job->had && epoch && was && *was && strcmp(epoch, was) != 0) {
		out->final = 1;
		out->more = 0;
		if (page > 0) {
			/* Renumbered between two pages: what this poll stored stands;
			 * the next poll restarts from its time. */
			ret = 0;
			goto out;
		}
		/* Renumbered: the old cursor says nothing about the new values.
		 * The new one starts at the newest item: data has it unless the
		 * action lists oldest first. */
		next = json_pack("{s:s, s:[]}", "value", "", "ids");
		json_t *newest = data;
		if (job->ps->oldest_first) {
			json_t *targs = unfiltered_args(job, args);
			json_object_set_new(targs, "limit", json_integer(1));
			top = poll_call(job, targs);
			json_decref(targs);
			if (!top)
				goto out;
			newest = json_object_get(top, "data");
		}
		scan_items(&sc, newest, 0, NULL, NULL, next);
		if (!(restart = poll_restart(job, args, cur, epoch)))
			goto out;
		sc.restart_field = job->ps->restart_field;
		sc.restart_after = json_integer_value(json_object_get(cur, "at"));
		scan_items(&sc, json_object_get(restart, "data"), 1, NULL, fresh, next);
	} else {
		next = json_deep_copy(cur);
		scan_items(&sc, data, job->had, cur, fresh, next);
		if (job->id_param)
			page_newest_first(job, data, fresh, next);
	}
	if (epoch)
		json_object_set_new(next, "epoch", json_string(epoch));
	json_object_set_new(next, "at", json_integer(job->started));
	out->nfresh = json_array_size(fresh);
	out->added = store_items(s, job, fresh, &e);
	next_text = json_dumps(next, JSON_COMPACT);
	if (out->added < 0 ||
	    store_set_poll_cursor(s, job->conn->id, job->key, next_text, &e) < 0) {
		say("switchboard: poll %s/%s %s: %s\n", job->c->slug, job->conn->name, job->key,
		    e.msg);
		goto out;
	}
	out->next = next;
	next = NULL;
	ret = 0;
out:
	free(epoch);
	free(next_text);
	json_decref(fresh);
	json_decref(next);
	json_decref(top);
	json_decref(restart);
	json_decref(result);
	json_decref(args);
	return ret;
}

/* The cursor's key: the entity, or "<entity>@<value>" when the polling
 * block's scope_param is given a value other than its default, so each
 * mailbox keeps its own cursor (the default keeps the bare entity: cursors
 * stored before scopes existed stay valid). A new string; *value (borrowed
 * from args or the tool) gets the scope's value, or NULL. */
static char *cursor_key(const struct action_spec *a, const char *scope_param, json_t *args,
			const char *entity, const char **value)
{
	*value = NULL;
	if (!scope_param)
		return xstrdup(entity);
	struct param_spec decl;
	connector_param(a, scope_param, &decl);
	const char *dflt = decl.dflt;
	const char *v = json_string_value(json_object_get(args, scope_param));
	*value = v ? v : dflt;
	if (!v || (dflt && strcmp(v, dflt) == 0))
		return xstrdup(entity);
	return xasprintf("%s@%s", entity, v);
}

/* The items per page of a poll after the first: what the caller gave, else
 * the action's maximum, and never more than remain (of max_items). */
static void page_limit(const struct action_spec *a, json_t *args, long long remain)
{
	json_t *lim = json_object_get(args, "limit");
	long long max = a->list ? a->pg.max_limit : 0; /* 0: not declared */
	long long want = json_is_integer(lim) ? json_integer_value(lim) : max;
	if (want <= 0 && max <= 0)
		return; /* the vendor's page size, unknown here */
	if (want <= 0 || want > remain)
		want = remain;
	json_object_set_new(args, "limit", json_integer(want));
}

static int poll_entity(struct poll_ctx *pc, const struct connector *c,
		       const struct connection *conn, const char *entity,
		       const struct polling_spec *ps)
{
	/* Read page after page: lists sorted oldest change first, and lists
	 * whose next page is the one just newer than an id. */
	int oldest_first = (ps->oldest_first && ps->args) || ps->id_param;
	long long max_items = ps->max_items > 0 ? ps->max_items : POLL_MAX_ITEMS;
	struct store *s = pc->opt->store;
	char *stored = NULL, *name = NULL, *key = NULL;
	json_t *args = NULL, *cur = NULL;
	size_t nitems = 0, pages = 0;
	int ret = -1, added = 0, stopped = 0;
	struct err e;
	err_init(&e);
	struct poll_job job = {
		.pc = pc,
		.c = c,
		.conn = conn,
		.ps = ps,
		.entity = entity,
		.key = entity,
		.field = ps->field,
		.param = ps->param,
		.id_param = ps->id_param,
		.scope_param = ps->scope_param,
		.started = (long long)time(NULL),
	};

	name = xasprintf("%s_%s_%s", c->slug, entity, ps->action);
	job.a = entity_action(connector_entity(c, entity), ps->action);
	if (!job.a || !job.field) {
		say("switchboard: poll %s/%s %s: no %s tool to poll with\n", c->slug, conn->name,
		    entity, name);
		goto out;
	}
	args = pc->opt->args ? json_deep_copy(pc->opt->args) : json_object();
	json_object_set_new(args, "connection", json_string(conn->name));
	size_t k;
	json_t *req;
	json_t *required = action_required_args(job.a);
	json_array_foreach(required, k, req) {
		const char *rn = json_string_value(req);
		json_t *set = rn ? json_object_get(conn->config, rn) : NULL;
		if (!rn || json_object_get(args, rn))
			continue;
		if (!set) {
			say("%s/%s %s: skipped: %s needs %s (pass it with --args)\n", c->slug,
			    conn->name, entity, job.a->id, rn);
			ret = 0;
			json_decref(required);
			goto out;
		}
		json_object_set(args, rn, set);
	}
	json_decref(required);
	key = cursor_key(job.a, job.scope_param, args, entity, &job.scope_value);
	job.key = key;
	job.had = store_get_poll_cursor(s, conn->id, key, &stored, &e);
	if (job.had < 0) {
		say("switchboard: poll %s/%s %s: %s\n", c->slug, conn->name, key, e.msg);
		goto out;
	}
	cur = cursor_parse(stored);
	/* The polling block's fixed arguments (a sort order the cursor relies
	 * on) win over --args; the first poll only needs the newest items. */
	json_t *fixed = job.had ? ps->args : ps->first_args ? ps->first_args : ps->args;
	if (fixed)
		json_object_update(args, fixed);
	for (;;) {
		struct page_out po;
		/* The largest page: a list that is not oldest first gets one call,
		 * and an oldest-first one fewer. */
		if (job.had)
			page_limit(job.a, args,
				   oldest_first ? max_items - (long long)nitems : LLONG_MAX);
		if (poll_page(&job, args, cur, (int)pages, &po) < 0)
			break;
		pages++;
		nitems += po.nitems;
		added += po.added;
		if (po.next) {
			json_decref(cur);
			cur = po.next;
		}
		if (!job.had || po.final || !po.more) {
			ret = 0;
			break;
		}
		if (!oldest_first || (ps->id_param && !po.after_id)) {
			/* One call: what did not fit in it may be lost, for a list
			 * that is not oldest first cannot go on from the cursor. */
			say("%s/%s %s: the list has more than one page of changes; this "
			    "connector's list is not oldest first, so changes beyond the "
			    "page may be missed (poll more often)\n",
			    c->slug, conn->name, key);
			ret = 0;
			break;
		}
		if (po.nfresh == 0) {
			say("%s/%s %s: a full page brought nothing new (more items share "
			    "one %s than fit in a page); stopping here\n",
			    c->slug, conn->name, key, job.field);
			ret = 0;
			break;
		}
		if ((long long)nitems >= max_items) {
			stopped = 1;
			ret = 0;
			break;
		}
		if (pc->opt->stop && *pc->opt->stop) {
			stopped = 1;
			ret = 0;
			break;
		}
	}
	const char *top = json_string_value(json_object_get(cur, "value"));
	if (!job.had && pages) {
		say("%s/%s %s: first poll: %zu item%s seen, no events; the next poll reports "
		    "changes after %s\n",
		    c->slug, conn->name, key, nitems, nitems == 1 ? "" : "s", *top ? top : "now");
	} else if (pages) {
		char in_pages[48] = "";
		if (pages > 1)
			snprintf(in_pages, sizeof(in_pages), " in %zu pages", pages);
		say("%s/%s %s: %d new event%s (%zu item%s%s, cursor %s)%s\n", c->slug, conn->name,
		    key, added, added == 1 ? "" : "s", nitems, nitems == 1 ? "" : "s", in_pages,
		    *top ? top : "none",
		    ret < 0 ? "; the poll failed after them, the cursor is past them only" : "");
		if (stopped)
			say("%s/%s %s: stopped after %zu items (max_items %lld); the rest "
			    "come with the next poll\n",
			    c->slug, conn->name, key, nitems, (long long)max_items);
	}
out:
	if (ret < 0)
		pc->failures++;
	json_decref(args);
	json_decref(cur);
	free(stored);
	free(name);
	free(key);
	return ret;
}

/* Entities of conn to poll: those with a polling block; without an explicit
 * entity, not those whose webhooks this connection can verify (it has the
 * secret), since deliveries already bring their events. */
static void poll_connection(struct poll_ctx *pc, const struct connection *listed)
{
	const struct webhook_poll_options *opt = pc->opt;
	const struct connector *c = registry_find(opt->reg, listed->connector);
	struct err e;
	err_init(&e);
	if (!c) {
		say("switchboard: poll %s/%s: no connector '%s' in the registry\n",
		    listed->connector, listed->name, listed->connector);
		pc->failures++;
		return;
	}
	struct connection *conn = store_get_connection(opt->store, c->slug, listed->name, 1, &e);
	if (!conn) {
		say("switchboard: poll %s/%s: %s\n", c->slug, listed->name, e.msg);
		pc->failures++;
		return;
	}
	const struct webhook_spec *wh = &c->info->webhooks;
	int hooked = wh->scheme && strcmp(wh->scheme, "none") != 0 && wh->secret_field &&
		     connection_value(conn, wh->secret_field);
	int polled = 0;
	for (size_t i = 0; c->model && i < c->model->n_entities; i++) {
		const struct entity_spec *es = &c->model->entities[i];
		if (opt->stop && *opt->stop)
			break;
		if (!es->polls)
			continue;
		if (opt->entity ? strcmp(opt->entity, es->name) != 0 : hooked && es->n_events > 0)
			continue;
		polled++;
		poll_entity(pc, c, conn, es->name, &es->polling);
	}
	if (!polled && opt->only)
		say("%s/%s: nothing to poll%s\n", c->slug, conn->name,
		    opt->entity ? " for that entity" : "");
	connection_free(conn);
}

int webhook_poll(const struct webhook_poll_options *opt, struct err *err)
{
	struct connection **list = NULL;
	struct poll_ctx pc = {opt, 0};
	int ret = -1;

	if (!opt->store) {
		err_set(err, "polling needs the store: the cursors and events are kept there");
		return -1;
	}
	if (opt->only) {
		size_t n = 0;
		while (opt->only[n])
			n++;
		list = xcalloc(n + 1, sizeof(*list));
		for (size_t i = 0; i < n; i++) {
			if (strcmp(opt->only[i], "env") == 0) {
				err_set(err,
					"environment connections cannot be polled (a cursor needs "
					"a stored connection): add one with 'switchboard "
					"connections add'");
				goto out;
			}
			list[i] = store_get_connection(opt->store, NULL, opt->only[i], 0, err);
			if (!list[i])
				goto out;
		}
	} else if (store_list_connections(opt->store, NULL, &list, err) < 0) {
		goto out;
	}
	for (size_t i = 0; list[i] && !(opt->stop && *opt->stop); i++)
		poll_connection(&pc, list[i]);
	ret = pc.failures;
out:
	connections_free(list);
	return ret;
}
