/* conntest.c - connectors test: a connector's read-only actions run one at a
 * time against a real connection (lists first, then reads with an id from a
 * list, then a second page; with writes, its create actions too), the
 * failures sorted into auth, base URL, pagination and body encoding, and
 * candidate changes to the connector's data tried until one passes (a
 * probe). Every step is a callback of the caller's HTTP loop. */
#include "conntest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conns.h"
#include "conntest_int.h"
#include "jsonx.h"
#include "result.h"

#define CONNTEST_ROUNDS 4 /* a fix may reveal the next problem */

/* ---- targets ---- */

static void target_free(struct target *g)
{
	if (!g)
		return;
	free(g->actions);
	registry_free(g->reg);
	free(g);
}

static struct target *target_new(struct conntest *t, json_t *doc, struct err *err)
{
	struct target *g = xcalloc(1, sizeof(*g));
	g->reg = registry_new();
	if (registry_add_doc(g->reg, t->path, json_deep_copy(doc), err) < 0) {
		target_free(g);
		return NULL;
	}
	g->c = registry_at(g->reg, 0);
	const struct connector_model *m = g->c->model;
	for (size_t i = 0; i < m->n_entities; i++)
		g->n += m->entities[i].n_actions;
	g->actions = xcalloc(g->n + 1, sizeof(*g->actions));
	g->n = 0;
	for (size_t i = 0; i < m->n_entities; i++)
		for (size_t j = 0; j < m->entities[i].n_actions; j++)
			g->actions[g->n++] = &m->entities[i].actions[j];
	g->next = t->all;
	t->all = g;
	return g;
}

/* The action whose tool is called name (action_spec.id), or NULL. */
const struct action_spec *conntest_target_tool(const struct target *g, const char *name)
{
	for (size_t i = 0; name && i < g->n; i++)
		if (strcmp(g->actions[i]->id, name) == 0)
			return g->actions[i];
	return NULL;
}

/* ---- documents ---- */

static int set_pointer(json_t *doc, const char *path, json_t *value)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		json_decref(value);
		return -1;
	}
	char *parent_path = xstrndup(path, (size_t)(slash - path));
	json_t *parent = *parent_path ? jsonx_pointer(doc, parent_path) : doc;
	free(parent_path);
	long idx;
	if (json_is_object(parent))
		return json_object_set_new(parent, slash + 1, value);
	if (json_is_array(parent) && parse_long(slash + 1, &idx) == 0 && idx >= 0)
		return json_array_set_new(parent, (size_t)idx, value);
	json_decref(value);
	return -1;
}

int conntest_apply(json_t *doc, json_t *changes)
{
	size_t i;
	json_t *ch;
	json_array_foreach(changes, i, ch) {
		const char *path = json_string_value(json_object_get(ch, "path"));
		json_t *to = json_object_get(ch, "to");
		if (!path || !to || set_pointer(doc, path, json_incref(to)) < 0)
			return -1;
	}
	return 0;
}

/* A change of path in doc to value (stolen), appended to list. */
void conntest_change(json_t *list, json_t *doc, const char *path, json_t *value)
{
	json_t *from = jsonx_pointer(doc, path);
	if (from && json_equal(from, value)) {
		json_decref(value);
		return; /* as it is */
	}
	json_array_append_new(
		list, json_pack("{s:s, s:O?, s:o}", "path", path, "from", from, "to", value));
}

/* ---- candidates: the changes a problem's probes try ---- */

static const char *const key_names[] = {"X-API-Key",    "Authorization", "Api-Key",
					"X-Auth-Token", "apikey",        NULL};
static const char *const key_schemes[] = {"", "Bearer ", "Token ", "token ", "Basic ", NULL};
static const char *const key_query[] = {"api_key", "key", "apikey", "access_token", "token", NULL};

/* The default method's index when it places a key (api_key); -1 otherwise. */
static int key_method(json_t *doc)
{
	json_t *auth = json_object_get(doc, "auth");
	const char *def = json_string_value(json_object_get(auth, "default"));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(auth, "methods"), i, m) {
		const char *type = json_string_value(json_object_get(m, "type"));
		if (def && type && strcmp(type, def) == 0)
			return strcmp(type, "api_key") == 0 ? (int)i : -1;
	}
	return -1;
}

static void key_candidate(json_t *out, json_t *doc, int mi, const char *in, const char *name,
			  const char *format)
{
	json_t *m = json_array_get(json_object_get(json_object_get(doc, "auth"), "methods"),
				   (size_t)mi);
	const char *cin = json_string_value(json_object_get(m, "in"));
	const char *cname = json_string_value(json_object_get(m, "name"));
	const char *cformat = json_string_value(json_object_get(m, "format"));
	if (strcmp(cin ? cin : "header", in) == 0 &&
	    strcasecmp(cname ? cname : "X-API-Key", name) == 0 &&
	    strcmp(cformat ? cformat : "{api_key}", format) == 0)
		return; /* what failed */
	json_t *list = json_array();
	char p[64];
	snprintf(p, sizeof(p), "/auth/methods/%d/in", mi);
	conntest_change(list, doc, p, json_string(in));
	snprintf(p, sizeof(p), "/auth/methods/%d/name", mi);
	conntest_change(list, doc, p, json_string(name));
	snprintf(p, sizeof(p), "/auth/methods/%d/format", mi);
	conntest_change(list, doc, p, json_string(format));
	json_array_append_new(out, list);
}

/* The default method's index when it is a bearer token; -1 otherwise. */
static int bearer_method(json_t *doc)
{
	json_t *auth = json_object_get(doc, "auth");
	const char *def = json_string_value(json_object_get(auth, "default"));
	size_t i;
	json_t *m;
	int found = -1;
	json_array_foreach(json_object_get(auth, "methods"), i, m) {
		const char *type = json_string_value(json_object_get(m, "type"));
		if (type && strcmp(type, "api_key") == 0)
			return -1; /* one api_key method per connector */
		if (def && type && strcmp(type, def) == 0 && strcmp(type, "bearer") == 0)
			found = (int)i;
	}
	return found;
}

/* A bearer method always sends "Authorization: Bearer TOKEN"; a vendor that
 * wants another scheme word (GitHub's "token") or header needs it as an
 * api_key method with the same fields, which becomes the default. */
static json_t *bearer_candidates(json_t *doc, int mi)
{
	static const char *const places[][3] = {
		{"header", "Authorization", "token "}, {"header", "Authorization", "Token "},
		{"header", "Authorization", ""},       {"header", "X-API-Key", ""},
		{"query", "access_token", ""},
	};
	json_t *out = json_array();
	json_t *m = json_array_get(json_object_get(json_object_get(doc, "auth"), "methods"),
				   (size_t)mi);
	json_t *fields = json_object_get(m, "fields");
	const char *field = json_object_size(fields) == 1
				    ? json_object_iter_key(json_object_iter(fields))
				    : "token";
	char p[64];
	snprintf(p, sizeof(p), "/auth/methods/%d", mi);
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		json_t *nm = json_deep_copy(m);
		char *fmt = xasprintf("%s{%s}", places[i][2], field);
		json_object_set_new(nm, "type", json_string("api_key"));
		json_object_set_new(nm, "in", json_string(places[i][0]));
		json_object_set_new(nm, "name", json_string(places[i][1]));
		json_object_set_new(nm, "format", json_string(fmt));
		free(fmt);
		json_t *list = json_array();
		conntest_change(list, doc, p, nm);
		conntest_change(list, doc, "/auth/default", json_string("api_key"));
		json_array_append_new(out, list);
	}
	return out;
}

static json_t *auth_candidates(json_t *doc)
{
	int bi = bearer_method(doc);
	if (bi >= 0)
		return bearer_candidates(doc, bi);
	json_t *out = json_array();
	int mi = key_method(doc);
	if (mi < 0)
		return out;
	json_t *m = json_array_get(json_object_get(json_object_get(doc, "auth"), "methods"),
				   (size_t)mi);
	/* The key's placeholder stays: "{api_key}" of "Bearer {api_key}". */
	const char *f = json_string_value(json_object_get(m, "format"));
	const char *open = f ? strchr(f, '{') : NULL, *close = open ? strchr(open, '}') : NULL;
	char *ph = close ? xstrndup(open, (size_t)(close - open + 1)) : xstrdup("{api_key}");
	for (size_t i = 0; key_names[i]; i++) {
		for (size_t k = 0; key_schemes[k]; k++) {
			/* A scheme word belongs in Authorization only. */
			if (*key_schemes[k] && strcmp(key_names[i], "Authorization") != 0)
				continue;
			char *fmt = xasprintf("%s%s", key_schemes[k], ph);
			key_candidate(out, doc, mi, "header", key_names[i], fmt);
			free(fmt);
		}
	}
	for (size_t i = 0; key_query[i]; i++)
		key_candidate(out, doc, mi, "query", key_query[i], ph);
	free(ph);
	return out;
}

static const char *const prefixes[] = {"",        "/v1",     "/v2",   "/v3",      "/api", "/api/v1",
				       "/api/v2", "/api/v3", "/rest", "/rest/v1", NULL};

static void base_candidate(json_t *out, json_t *seen, json_t *doc, const char *url)
{
	if (json_object_get(seen, url))
		return;
	json_object_set_new(seen, url, json_true());
	json_t *list = json_array();
	conntest_change(list, doc, "/base_url", json_string(url));
	json_array_append_new(out, list);
}

/* The spec's servers first, then the origin under the usual prefixes and
 * the connector's slug, with the current path after each and alone. */
static json_t *base_candidates(struct conntest *t, json_t *doc)
{
	json_t *out = json_array(), *seen = json_object();
	const char *base = json_string_value(json_object_get(doc, "base_url"));
	if (!base || strchr(base, '{'))
		goto done; /* a template: its parts are the connection's */
	json_object_set_new(seen, base, json_true());
	size_t i;
	json_t *v;
	json_array_foreach(t->servers, i, v)
		if (json_is_string(v))
			base_candidate(out, seen, doc, json_string_value(v));
	const char *scheme = strstr(base, "://");
	const char *rest = scheme ? strchr(scheme + 3, '/') : NULL;
	size_t olen = rest ? (size_t)(rest - base) : strlen(base);
	const char *path = rest ? rest : "";
	size_t plen = strlen(path);
	while (plen && path[plen - 1] == '/')
		plen--;
	/* A gateway often mounts a vendor under its name: /stripe. */
	const char *slug = json_string_value(json_object_get(doc, "slug"));
	char *mount = xasprintf("/%s", slug ? slug : "api");
	for (i = 0; prefixes[i] || mount; i++) {
		const char *pre = prefixes[i] ? prefixes[i] : mount;
		char *u = xasprintf("%.*s%s", (int)olen, base, pre);
		base_candidate(out, seen, doc, u);
		free(u);
		if (plen && *pre) {
			u = xasprintf("%.*s%s%.*s", (int)olen, base, pre, (int)plen, path);
			base_candidate(out, seen, doc, u);
			free(u);
		}
		if (!prefixes[i])
			break;
	}
	free(mount);
done:
	json_decref(seen);
	return out;
}

static const char *const limit_names[] = {"limit", "per_page",    "page_size",  "pageSize",
					  "count", "max_results", "maxResults", "size",
					  "top",   NULL};
static const char *const cursor_names[] = {"starting_after", "cursor",    "after",
					   "page_token",     "pageToken", "next_page_token",
					   "continuation",   "next",      NULL};
static const char *const page_names[] = {"page", "page_number", "pageNumber", "p", NULL};
static const char *const offset_names[] = {"offset", "start", "skip", "from", NULL};

/* Rename param (limit_param or cursor_param) from `from` to `to` in every
 * pagination block of doc that uses that name: the connector's and each
 * action's, as a vendor pages all its lists alike. */
static json_t *rename_everywhere(json_t *doc, const char *param, const char *from, const char *to)
{
	json_t *list = json_array();
	char p[512];
	const char *v =
		json_string_value(json_object_get(json_object_get(doc, "pagination"), param));
	if (v && strcmp(v, from) == 0) {
		snprintf(p, sizeof(p), "/pagination/%s", param);
		conntest_change(list, doc, p, json_string(to));
	}
	const char *en, *an;
	json_t *ent, *act;
	json_object_foreach(json_object_get(doc, "entities"), en, ent) {
		json_object_foreach(json_object_get(ent, "actions"), an, act) {
			v = json_string_value(
				json_object_get(json_object_get(act, "pagination"), param));
			if (!v || strcmp(v, from) != 0)
				continue;
			snprintf(p, sizeof(p), "/entities/%s/actions/%s/pagination/%s", en, an,
				 param);
			conntest_change(list, doc, p, json_string(to));
		}
	}
	return list;
}

/* pg: the failing list's effective pagination; each candidate renames one
 * of its parameters wherever the connector uses that name. */
static json_t *paging_candidates(json_t *doc, const struct pagination_spec *pg)
{
	json_t *out = json_array();
	const char *lim = pg->limit_param, *cur = pg->cursor_param;
	const char *const *cnames = pg->style == PAGE_CURSOR   ? cursor_names
				    : pg->style == PAGE_PAGE   ? page_names
				    : pg->style == PAGE_OFFSET ? offset_names
							       : NULL;
	for (size_t i = 0; lim && limit_names[i]; i++)
		if (strcmp(limit_names[i], lim) != 0)
			json_array_append_new(
				out, rename_everywhere(doc, "limit_param", lim, limit_names[i]));
	for (size_t i = 0; cur && cnames && cnames[i]; i++)
		if (strcmp(cnames[i], cur) != 0)
			json_array_append_new(
				out, rename_everywhere(doc, "cursor_param", cur, cnames[i]));
	return out;
}

/* ---- results ---- */

/* A failure's details, with its message as vendor_message. New reference. */
static json_t *error_details(const struct call_result *result)
{
	json_t *d = json_is_object(result->details) ? json_copy(result->details) : json_object();
	if (!json_object_get(d, "vendor_message"))
		json_object_set_new(d, "vendor_message", json_string(result->error));
	return d;
}

static json_t *result_data(const struct call_result *result)
{
	return json_object_get(result->data, "data");
}

static json_t *first_item(const struct call_result *result)
{
	return json_array_get(result_data(result), 0);
}

/* A test result entry for the job; message (may be NULL) overrides the
 * vendor's. */
json_t *conntest_entry(json_t *job, const char *outcome, const struct call_result *result,
		       const char *message)
{
	json_t *e = json_pack("{s:O, s:O, s:s}", "tool", json_object_get(job, "tool"), "check",
			      json_object_get(job, "check"), "outcome", outcome);
	if (result && result->error) {
		json_t *d = error_details(result);
		json_t *st = json_object_get(d, "status");
		if (st)
			json_object_set(e, "status", st);
		json_t *m = json_object_get(d, "vendor_message");
		if (m && !message)
			json_object_set(e, "message", m);
		json_decref(d);
	} else if (result && result->status) {
		json_object_set_new(e, "status", json_integer(result->status));
	}
	if (message)
		json_object_set_new(e, "message", json_string(message));
	json_t *req = json_object_get(job, "request");
	if (req)
		json_object_set(e, "request", req);
	json_object_set(e, "args", json_object_get(job, "args"));
	return e;
}

void conntest_enqueue(struct conntest *t, const struct action_spec *x, const char *check,
		      json_t *args)
{
	if (t->connection)
		json_object_set_new(args, "connection", json_string(t->connection));
	json_array_append_new(t->queue, json_pack("{s:s, s:s, s:o}", "tool", x->id, "check", check,
						  "args", args));
}

/* The path parameters a read needs, in order; a new array of names. */
static json_t *required_args(const struct action_spec *x)
{
	json_t *out = json_array();
	const char *pn;
	json_t *p;
	json_object_foreach(x->params, pn, p) {
		struct param_spec ps;
		connector_param(x, pn, &ps);
		if (ps.in == PLACE_PATH || ps.required)
			json_array_append_new(out, json_string(pn));
	}
	return out;
}

static int is_read(const struct action_spec *x)
{
	return strcmp(x->kind, "read") == 0;
}

/* A round's first jobs: every list, and every read that needs no id. */
static void plan_round(struct conntest *t)
{
	json_array_clear(t->queue);
	json_decref(t->results);
	t->results = json_array();
	for (size_t i = 0; i < t->cur->n; i++) {
		const struct action_spec *x = t->cur->actions[i];
		if (!is_read(x))
			continue;
		json_t *req = required_args(x);
		if (x->list)
			conntest_enqueue(t, x, "list", json_object());
		else if (json_array_size(req) == 0)
			conntest_enqueue(t, x, "read", json_object());
		json_decref(req);
	}
	conntest_writes_plan(t);
}

/* After a list of entity passed: its reads, with an id from the first item. */
static void plan_reads(struct conntest *t, const struct action_spec *list, json_t *item)
{
	for (size_t i = 0; i < t->cur->n; i++) {
		const struct action_spec *x = t->cur->actions[i];
		if (x->list || !is_read(x) || x->entity != list->entity)
			continue;
		json_t *req = required_args(x);
		if (json_array_size(req) == 1) {
			const char *pn = json_string_value(json_array_get(req, 0));
			json_t *id = json_object_get(item, pn);
			if (!id)
				id = json_object_get(item, "id");
			if (json_is_string(id) || json_is_integer(id))
				conntest_enqueue(t, x, "read", json_pack("{s:O}", pn, id));
		}
		json_decref(req);
	}
	/* Then paging: one item a page, and the second page. */
	if (list->list && list->pg.limit_param)
		conntest_enqueue(t, list, "page1", json_pack("{s:i}", "limit", 1));
}

/* Reads never run (no list gave an id, or they need arguments). */
static void add_skipped(struct conntest *t)
{
	for (size_t i = 0; i < t->cur->n; i++) {
		const struct action_spec *x = t->cur->actions[i];
		if (!is_read(x) || x->list)
			continue;
		int ran = 0;
		size_t k;
		json_t *e;
		json_array_foreach(t->results, k, e)
			ran |= strcmp(json_string_value(json_object_get(e, "tool")), x->id) == 0;
		if (ran)
			continue;
		json_t *req = required_args(x);
		json_array_append_new(
			t->results,
			json_pack("{s:s, s:s, s:s, s:s}", "tool", x->id, "check", "read", "outcome",
				  "skipped", "message",
				  json_array_size(req) == 1
					  ? "no id to read: its entity's list failed or was empty"
					  : "needs arguments a test cannot choose"));
		json_decref(req);
	}
}

/* ---- diagnosis ---- */

static int status_of(json_t *e)
{
	return (int)json_integer_value(json_object_get(e, "status"));
}

/* Does a list's error message name one of its paging parameters? */
static int names_paging_param(struct conntest *t, json_t *e, const char *msg)
{
	const struct action_spec *x =
		conntest_target_tool(t->cur, json_string_value(json_object_get(e, "tool")));
	if (!x || !x->list)
		return 0;
	return (x->pg.limit_param && strstr(msg, x->pg.limit_param)) ||
	       (x->pg.cursor_param && strstr(msg, x->pg.cursor_param));
}

/* Sort a round's failures; sets t->problem and t->candidates when one has
 * candidate fixes. Returns 1 when there is something to probe. */
static int diagnose(struct conntest *t)
{
	size_t i, ran = 0, auth = 0, missing = 0, failed = 0, writes = 0, refused = 0;
	json_t *e, *first = NULL, *paging = NULL, *body = NULL;
	json_array_foreach(t->results, i, e) {
		const char *outcome = json_string_value(json_object_get(e, "outcome"));
		const char *check = json_string_value(json_object_get(e, "check"));
		if (strcmp(outcome, "skipped") == 0)
			continue;
		int page = strcmp(check, "page1") == 0 || strcmp(check, "page2") == 0;
		if (strcmp(outcome, "failed") == 0 && page && !paging)
			paging = e;
		if (page)
			continue;
		ran++;
		writes += conntest_writes_is_entry(e);
		if (strcmp(outcome, "failed") != 0)
			continue;
		failed++;
		/* A probe repeats the first failure: a read rather than a create,
		 * which would make an object at each try that passes. */
		if (!first || (conntest_writes_is_entry(first) && !conntest_writes_is_entry(e)))
			first = e;
		if (conntest_writes_refused(e)) {
			refused++;
			if (!body)
				body = e;
		}
		int s = status_of(e);
		auth += s == 401 || s == 403;
		missing += s == 404;
		/* A list refused for its paging parameter is a paging problem. */
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (!paging && (s == 400 || s == 422) && msg && strcmp(check, "list") == 0 &&
		    names_paging_param(t, e, msg))
			paging = e;
	}
	const char *kind = NULL, *summary = NULL;
	json_t *cand = NULL, *probe = NULL;
	if (ran && auth == ran) {
		kind = "auth";
		summary = "every action was refused (401/403): the key goes in another header, "
			  "scheme word or query parameter";
		cand = auth_candidates(t->doc);
		probe = first;
	} else if (ran && missing == ran) {
		kind = "base_url";
		summary = "every path answered 404: the base URL or its base path is wrong";
		cand = base_candidates(t, t->doc);
		probe = first;
	} else if (paging) {
		kind = "pagination";
		summary = "the vendor ignored or refused a paging parameter: it pages with "
			  "other parameter names";
		const struct action_spec *x = conntest_target_tool(
			t->cur, json_string_value(json_object_get(paging, "tool")));
		cand = x ? paging_candidates(t->doc, &x->pg) : json_array();
		probe = paging;
	} else if (body) {
		kind = "body_encoding";
		summary = "the vendor could not read a create's body (415, or 400 about its "
			  "content type or parsing): it takes the other encoding (json or form)";
		cand = conntest_writes_body_candidates(t, refused == writes);
		probe = body;
	} else if (failed) {
		kind = "other";
		summary = "some actions failed for reasons a change to the connector's auth, "
			  "base URL, paging or body encoding does not explain: read each one's "
			  "message";
	}
	if (!kind)
		return 0;
	json_t *p = json_pack("{s:s, s:s, s:i, s:b}", "problem", kind, "summary", summary, "round",
			      t->round + 1, "verified", 0);
	json_array_append_new(t->problems, p);
	t->problem = p;
	json_decref(t->candidates);
	t->candidates = cand;
	t->cand = 0;
	json_decref(t->probe_job);
	t->probe_job = NULL;
	if (!cand || !json_array_size(cand)) {
		json_object_set_new(p, "changes", json_array());
		return 0;
	}
	const char *check = json_string_value(json_object_get(probe, "check"));
	int page = strcmp(check, "list") == 0 || strcmp(check, "page1") == 0 ||
		   strcmp(check, "page2") == 0;
	/* The probe repeats the failed call (a paging probe, both pages). */
	json_t *args = json_object();
	json_t *req = json_object_get(probe, "args");
	if (req)
		json_object_update(args, req);
	if (strcmp(kind, "pagination") == 0 && page) {
		json_object_set_new(args, "limit", json_integer(1));
		json_object_del(args, "cursor");
	}
	if (t->connection)
		json_object_set_new(args, "connection", json_string(t->connection));
	t->probe_job = json_pack("{s:O, s:s, s:o}", "tool", json_object_get(probe, "tool"), "check",
				 strcmp(kind, "pagination") == 0 ? "page1" : check, "args", args);
	return 1;
}

/* ---- the loop ---- */

static void finish(struct conntest *t);
static void pump(struct conntest *t);

static void on_done(struct call_result *result, void *ctx)
{
	struct conntest *t = ctx;
	t->exec = NULL;
	t->result = result;
	if (!t->starting)
		pump(t);
}

/* Start the job on g; 0 when started (or finished at once), -1 when its
 * tool is gone (the job is dropped). */
static int run_job(struct conntest *t, struct target *g, json_t *job)
{
	const struct action_spec *x =
		conntest_target_tool(g, json_string_value(json_object_get(job, "tool")));
	if (!x)
		return -1;
	/* No output schema: that is the MCP tool's promise, checked where
	 * the tools are served. */
	struct exec_target target = {.connector = g->c, .action = x};
	json_t *args = json_object_get(job, "args");
	struct err e;
	err_init(&e);
	json_t *req = exec_dry_run(t->env, NULL, &target, args, &e);
	if (req)
		json_object_set_new(job, "request", req);
	json_decref(t->job);
	t->job = json_incref(job); /* dropped when the next job starts, or at the end */
	t->starting = 1;
	t->exec = exec_start(t->env, NULL, &target, args, on_done, NULL, t);
	t->starting = 0;
	return 0;
}

/* A test job's answer: its entry, and the jobs it makes possible. */
static void handle_test(struct conntest *t, json_t *job, const struct call_result *result)
{
	const char *check = json_string_value(json_object_get(job, "check"));
	const struct action_spec *x =
		conntest_target_tool(t->cur, json_string_value(json_object_get(job, "tool")));
	int ok = !result->error;
	json_t *data = result_data(result);
	if (!ok) {
		json_array_append_new(t->results, conntest_entry(job, "failed", result, NULL));
	} else if (strcmp(check, "page1") == 0 && json_array_size(data) > 1) {
		json_array_append_new(
			t->results,
			conntest_entry(job, "failed", result,
				       "asked for 1 item a page, got more: the vendor ignores "
				       "the page size parameter"));
	} else if (strcmp(check, "page1") == 0) {
		const char *nc = json_string_value(json_object_get(result->data, "next_cursor"));
		json_array_append_new(t->results, conntest_entry(job, "passed", result, NULL));
		if (nc && x) {
			json_t *args = json_pack("{s:i, s:s}", "limit", 1, "cursor", nc);
			conntest_enqueue(t, x, "page2", args);
			json_t *last = json_array_get(t->queue, json_array_size(t->queue) - 1);
			json_object_set(last, "first", first_item(result));
		}
	} else if (strcmp(check, "page2") == 0 &&
		   json_equal(first_item(result), json_object_get(job, "first"))) {
		json_array_append_new(
			t->results,
			conntest_entry(job, "failed", result,
				       "the second page repeats the first: the vendor ignores "
				       "the cursor parameter"));
	} else if (strcmp(check, "create") == 0) {
		conntest_writes_passed(t, job, result, NULL);
		json_array_append(
			t->results,
			json_object_get(t->made, json_string_value(json_object_get(job, "tool"))));
	} else {
		json_array_append_new(t->results, conntest_entry(job, "passed", result, NULL));
		if (strcmp(check, "list") == 0 && x && json_is_object(first_item(result)))
			plan_reads(t, x, first_item(result));
	}
}

/* A probe's answer: does the candidate pass? */
static int probe_passed(struct conntest *t, json_t *job, const struct call_result *result)
{
	const char *check = json_string_value(json_object_get(job, "check"));
	if (result->error)
		return 0;
	if (strcmp(check, "create") == 0) {
		conntest_writes_passed(t, job, result, "sent once, to try the fix: not sent again");
		return 1;
	}
	if (strcmp(check, "page1") == 0) {
		if (json_array_size(result_data(result)) > 1)
			return 0;
		const char *nc = json_string_value(json_object_get(result->data, "next_cursor"));
		if (!nc)
			return 1;
		json_t *args = json_deep_copy(json_object_get(job, "args"));
		json_object_set_new(args, "cursor", json_string(nc));
		json_t *next =
			json_pack("{s:O, s:s, s:o, s:O}", "tool", json_object_get(job, "tool"),
				  "check", "page2", "args", args, "first", first_item(result));
		json_array_append_new(t->queue, next);
		return -1; /* not decided yet */
	}
	if (strcmp(check, "page2") == 0)
		return !json_equal(first_item(result), json_object_get(job, "first"));
	return 1;
}

/* The next candidate's target and first job; 0 when none is left. */
static int next_probe(struct conntest *t)
{
	struct err e;
	err_init(&e);
	while (t->cand < json_array_size(t->candidates)) {
		json_t *doc = json_deep_copy(t->doc);
		int ok = conntest_apply(doc, json_array_get(t->candidates, t->cand)) == 0;
		t->probe = ok ? target_new(t, doc, &e) : NULL;
		json_decref(doc);
		if (t->probe) {
			json_array_clear(t->queue);
			json_array_append(t->queue, t->probe_job);
			return 1;
		}
		t->cand++;
	}
	return 0;
}

/* The candidate passed: record it, and with --fix adopt it and test again. */
static int adopt(struct conntest *t)
{
	json_t *changes = json_array_get(t->candidates, t->cand);
	json_object_set(t->problem, "changes", changes);
	json_object_set_new(t->problem, "verified", json_true());
	if (!t->fix || t->round + 1 >= CONNTEST_ROUNDS)
		return 0;
	conntest_apply(t->doc, changes);
	if (!t->first)
		t->first = json_incref(t->results); /* dropped in conntest_release */
	struct err e;
	err_init(&e);
	struct target *g = target_new(t, t->doc, &e);
	if (!g)
		return 0;
	t->applied = 1;
	t->cur = g;
	t->round++;
	t->phase = PH_TEST;
	plan_round(t);
	return 1;
}

static void pump(struct conntest *t)
{
	for (;;) {
		if (t->result) {
			struct call_result *result = t->result;
			t->result = NULL;
			if (t->phase == PH_TEST) {
				handle_test(t, t->job, result);
			} else {
				int verdict = probe_passed(t, t->job, result);
				if (verdict == 1 && adopt(t)) {
					call_result_free(result);
					continue;
				}
				if (verdict == 1) {
					call_result_free(result);
					finish(t);
					return;
				}
				if (verdict == 0) {
					t->cand++;
					json_array_clear(t->queue);
					if (!next_probe(t)) {
						call_result_free(result);
						finish(t);
						return;
					}
				}
			}
			call_result_free(result);
		}
		if (json_array_size(t->queue) == 0 && t->phase == PH_TEST) {
			add_skipped(t);
			if (!diagnose(t) || !next_probe(t)) {
				finish(t);
				return;
			}
			t->phase = PH_PROBE;
		}
		if (json_array_size(t->queue) == 0) {
			finish(t);
			return;
		}
		json_t *job = json_incref(json_array_get(t->queue, 0));
		json_array_remove(t->queue, 0);
		json_t *made =
			t->phase == PH_TEST
				? json_object_get(t->made,
						  json_string_value(json_object_get(job, "tool")))
				: NULL;
		if (made) {
			json_array_append(t->results, made);
			json_decref(job);
			continue;
		}
		int r = run_job(t, t->phase == PH_TEST ? t->cur : t->probe, job);
		json_decref(job);
		if (r == 0 && !t->result)
			return; /* on_done goes on */
	}
}

static void conntest_release(struct conntest *t)
{
	while (t->all) {
		struct target *g = t->all;
		t->all = g->next;
		target_free(g);
	}
	json_decref(t->queue);
	json_decref(t->job);
	json_decref(t->results);
	json_decref(t->first);
	json_decref(t->problems);
	json_decref(t->candidates);
	json_decref(t->probe_job);
	call_result_free(t->result);
	json_decref(t->made);
	json_decref(t->created);
	json_decref(t->doc);
	json_decref(t->servers);
	free(t->connection);
	free(t->path);
	free(t);
}

static void finish(struct conntest *t)
{
	size_t i, passed = 0, failed = 0, skipped = 0;
	json_t *e;
	json_array_foreach(t->results, i, e) {
		const char *o = json_string_value(json_object_get(e, "outcome"));
		passed += strcmp(o, "passed") == 0;
		failed += strcmp(o, "failed") == 0;
		skipped += strcmp(o, "skipped") == 0;
	}
	json_t *report =
		json_pack("{s:s, s:I, s:I, s:I, s:O, s:O, s:b, s:i}", "connector", t->cur->c->slug,
			  "passed", (json_int_t)passed, "failed", (json_int_t)failed, "skipped",
			  (json_int_t)skipped, "results", t->results, "problems", t->problems,
			  "fixed", t->applied, "rounds", t->round + 1);
	if (t->connection)
		json_object_set_new(report, "connection", json_string(t->connection));
	if (t->writes) {
		json_object_set(report, "created", t->created);
	} else {
		json_t *skipped_writes = conntest_writes_skipped(t);
		if (json_array_size(skipped_writes))
			json_object_set(report, "writes_skipped", skipped_writes);
		json_decref(skipped_writes);
	}
	if (t->applied) {
		json_object_set(report, "connector_doc", t->doc);
		json_object_set(report, "before", t->first);
	}
	conntest_done_fn done = t->done;
	void *ctx = t->ctx;
	if (t->alive)
		*t->alive = 0;
	conntest_release(t);
	done(report, ctx);
}

struct conntest *conntest_start(struct exec_env *env, json_t *doc, const char *path,
				const struct conntest_opts *o, conntest_done_fn done, void *ctx,
				struct err *err)
{
	struct conntest *t = xcalloc(1, sizeof(*t));
	t->env = env;
	t->connection = o->connection ? xstrdup(o->connection) : NULL;
	t->fix = o->fix;
	t->writes = o->writes;
	t->rules = o->rules;
	t->made = json_object();
	t->created = json_array();
	t->servers = json_incref(o->servers); /* dropped in conntest_release */
	t->path = xstrdup(path ? path : "draft");
	t->doc = json_deep_copy(doc);
	t->queue = json_array();
	t->problems = json_array();
	t->results = json_array();
	t->done = done;
	t->ctx = ctx;
	t->cur = target_new(t, t->doc, err);
	if (!t->cur) {
		conntest_release(t);
		return NULL;
	}
	plan_round(t);
	/* pump may finish (and free t) before the first request goes out:
	 * finish() clears alive then. */
	int alive = 1;
	t->alive = &alive;
	pump(t);
	if (!alive)
		return NULL;
	t->alive = NULL;
	return t;
}

void conntest_cancel(struct conntest *t)
{
	if (!t)
		return;
	exec_cancel(t->exec);
	conntest_release(t);
}
