/* registry.c - loads connector files, validates them against the connector
 * schema plus the checks a schema cannot say, and keeps them by slug. */
#include "registry.h"
#include "registry_cache.h"

#include "connector.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat.h"
#include "jsonx.h"
#include "log.h"
#include "schema.h"

#define MAX_CONNECTOR_FILE (4 << 20)
#define TOOL_NAME_MAX 64
#define TOOL_NAME_GOOD 40

struct registry {
	struct connector **items;
	size_t n, alloc;
	struct registry_cache *cache;    /* while registry_load_default runs */
	int outlines;                    /* registry_use_outlines */
	struct registry_outlines *store; /* the folder's outlines, while it loads */
	struct connector **spent;        /* replaced by registry_expand, freed with r */
	size_t nspent;
	json_t *verbs;     /* "verbs" of the _canonical.json files: defaults per action name */
	json_t *canonical; /* _canonical.json, merged over the folders; owned */
};

static json_t *connector_schema; /* loaded once, freed by registry_free */
static int registries_alive;

struct registry *registry_new(void)
{
	registries_alive++;
	return xcalloc(1, sizeof(struct registry));
}

static void connector_free(struct connector *c)
{
	if (!c)
		return;
	free(c->slug);
	free(c->path);
	free(c->outline);
	connector_model_free(c->model);
	connector_auth_free(c->auth);
	connector_info_free(c->info);
	json_decref(c->doc);
	free(c);
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		connector_free(r->items[i]);
	free(r->items);
	for (size_t i = 0; i < r->nspent; i++)
		connector_free(r->spent[i]);
	free(r->spent);
	json_decref(r->verbs);
	json_decref(r->canonical);
	free(r);
	if (--registries_alive == 0) {
		json_decref(connector_schema);
		connector_schema = NULL;
	}
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *registry_datadir(void)
{
	static char dir[PATH_MAX + 64];
	if (dir[0])
		return dir;
	const char *env = getenv("SWITCHBOARD_DATADIR");
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	/* Found from the binary, so an install under any PREFIX (or an unpacked
	 * bundle) needs no rebuild: PREFIX/bin/switchboard reads
	 * PREFIX/share/switchboard, and build/switchboard the checkout. */
	static const char *const beside_exe[] = {"/../share/switchboard", "/.."};
	char exe[PATH_MAX];
	char *slash = compat_exe_path(exe, sizeof(exe)) == 0 ? strrchr(exe, '/') : NULL;
	if (slash) {
		*slash = '\0';
		for (size_t i = 0; i < sizeof(beside_exe) / sizeof(beside_exe[0]); i++) {
			char probe[PATH_MAX + 64];
			snprintf(probe, sizeof(probe), "%s%s/schemas", exe, beside_exe[i]);
			if (is_dir(probe)) {
				snprintf(dir, sizeof(dir), "%s%s", exe, beside_exe[i]);
				return dir;
			}
		}
	}
	snprintf(dir, sizeof(dir), "%s", SB_DATADIR);
	return dir;
}

static json_t *load_schema(struct err *err)
{
	if (connector_schema)
		return connector_schema;
	char *path = xasprintf("%s/schemas/connector.schema.json", registry_datadir());
	json_error_t je;
	connector_schema = json_load_file(path, 0, &je);
	if (!connector_schema)
		err_set(err, "cannot load connector schema '%s': %s", path, je.text);
	free(path);
	return connector_schema;
}

/* "/v1/customers/{id}/items/{item}": each {name} must be a declared path
 * parameter of the action. */
static int check_path_params(json_t *action, const char *where, struct err *err)
{
	const char *path = json_string_value(json_object_get(action, "path"));
	json_t *params = json_object_get(action, "params");
	if (!path)
		return 0;
	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		if (!end)
			return err_set(err, "%s/path: unclosed '{' in \"%s\"", where, path);
		char *name = xstrndup(p + 1, (size_t)(end - p - 1));
		json_t *decl = json_object_get(params, name);
		const char *in = json_string_value(json_object_get(decl, "in"));
		int bad = !decl || !in || strcmp(in, "path") != 0;
		if (bad)
			err_set(err,
				"%s/params: path parameter \"%s\" is not declared with \"in\": "
				"\"path\"",
				where, name);
		free(name);
		if (bad)
			return -1;
	}
	return 0;
}

/* Whether name is an argument of the action: one of its params, or an
 * entity field when the action takes the fields as its body. */
static int action_takes(json_t *entity, json_t *action, const char *name)
{
	const char *body = json_string_value(json_object_get(action, "body"));
	return json_object_get(json_object_get(action, "params"), name) ||
	       (body && strcmp(body, "fields") == 0 &&
		json_object_get(json_object_get(entity, "fields"), name));
}

/* Every name in the action's at_least_one rules is one of its arguments. */
static int check_rules(json_t *entity, json_t *action, const char *where, struct err *err)
{
	size_t i, j, k;
	json_t *rule, *choice, *name;
	json_array_foreach(json_object_get(action, "at_least_one"), i, rule) {
		json_array_foreach(rule, j, choice) {
			json_t *one = json_is_string(choice) ? json_pack("[O]", choice)
							     : json_incref(choice);
			const char *bad = NULL;
			json_array_foreach(one, k, name) {
				if (!bad && !action_takes(entity, action, json_string_value(name)))
					bad = json_string_value(name);
			}
			if (bad)
				err_set(err,
					"%s/at_least_one/%zu: \"%s\" is not an argument of the "
					"action (a param, or an entity field with body fields)",
					where, i, bad);
			json_decref(one);
			if (bad)
				return -1;
		}
	}
	return 0;
}

static int check_doc(json_t *doc, struct err *err)
{
	const char *slug = json_string_value(json_object_get(doc, "slug"));
	json_t *auth = json_object_get(doc, "auth");
	const char *def = json_string_value(json_object_get(auth, "default"));
	json_t *methods = json_object_get(auth, "methods"), *m;
	size_t i;
	int found = 0;
	json_array_foreach(methods, i, m) {
		const char *type = json_string_value(json_object_get(m, "type"));
		for (size_t j = 0; j < i; j++)
			if (strcmp(type, json_string_value(json_object_get(
						 json_array_get(methods, j), "type"))) == 0)
				return err_set(err,
					       "/auth/methods/%zu: method \"%s\" is declared twice",
					       i, type);
		if (strcmp(type, def) == 0)
			found = 1;
	}
	if (!found)
		return err_set(err, "/auth/default: \"%s\" is not one of the declared methods",
			       def);
	json_t *wh = json_object_get(doc, "webhooks");
	const char *scheme = json_string_value(json_object_get(wh, "scheme"));
	if (scheme && strcmp(scheme, "hmac_sha256") == 0 &&
	    !json_object_get(wh, "signature_header"))
		return err_set(err, "/webhooks: the hmac_sha256 scheme needs signature_header (the "
				    "header the vendor sends the signature in)");

	const char *ename;
	json_t *entity;
	json_t *seen = json_object(); /* tool name -> where, to refuse duplicates */
	int ret = 0;
	json_object_foreach(json_object_get(doc, "entities"), ename, entity) {
		const char *aname;
		json_t *action;
		json_object_foreach(json_object_get(entity, "actions"), aname, action) {
			char where[256];
			char *tool = xasprintf("%s_%s_%s", slug, ename, aname);
			json_t *first = json_object_get(seen, tool);
			snprintf(where, sizeof(where), "/entities/%s/actions/%s", ename, aname);
			if (first)
				ret = err_set(err, "%s: tool name %s is also made by %s", where,
					      tool, json_string_value(first));
			json_object_set_new(seen, tool, json_string(where));
			free(tool);
			if (ret < 0)
				goto out;
			snprintf(where, sizeof(where), "/entities/%s/actions/%s", ename, aname);
			size_t len = strlen(slug) + strlen(ename) + strlen(aname) + 2;
			if (len > TOOL_NAME_MAX) {
				ret = err_set(
					err,
					"%s: tool name %s_%s_%s is %zu characters (at most %d)",
					where, slug, ename, aname, len, TOOL_NAME_MAX);
				goto out;
			}
			if (len > TOOL_NAME_GOOD)
				log_warn("tool name %s_%s_%s is %zu characters; some clients cut "
					 "names "
					 "above %d",
					 slug, ename, aname, len, TOOL_NAME_GOOD);
			if (check_path_params(action, where, err) < 0 ||
			    check_rules(entity, action, where, err) < 0) {
				ret = -1;
				goto out;
			}
			const char *kind = json_string_value(json_object_get(action, "kind"));
			if (!kind && strcmp(action_kind(aname, action), "write") == 0 &&
			    strcmp(aname, "create") != 0 && strcmp(aname, "update") != 0 &&
			    !json_object_get(action, "kind"))
				log_debug(
					"%s: custom action without \"kind\" is treated as a write",
					where);
		}
	}
out:
	json_decref(seen);
	return ret;
}

int registry_check_doc(const char *path, json_t *doc, struct err *err)
{
	struct err e;
	err_init(&e);
	json_t *schema = load_schema(&e);
	if (!schema)
		return err_set(err, "%s", e.msg);
	if (schema_validate(schema, doc, &e) < 0 || check_doc(doc, &e) < 0 ||
	    schema_check_patterns(doc, &e) < 0)
		return err_set(err, "%s: %s", path, e.msg);
	return 0;
}

static void set_default(json_t *obj, const char *key, json_t *value)
{
	if (!json_object_get(obj, key))
		json_object_set_new(obj, key, value);
	else
		json_decref(value);
}

static void fill_defaults(json_t *doc)
{
	set_default(doc, "visibility", json_string("public"));
	set_default(doc, "request", json_object());
	set_default(json_object_get(doc, "request"), "body", json_string("json"));
	set_default(doc, "pagination", json_pack("{s:s}", "style", "none"));
}

static int cmp_connector(const void *a, const void *b)
{
	return strcmp((*(struct connector *const *)a)->slug, (*(struct connector *const *)b)->slug);
}

/* Keys of a connector, an action and an entity that only a tool's
 * definition, a search, a poll, a webhook or a call read: an outline has
 * none of them. Everything else stays, so what building a tool list reads
 * is the document's own. */
static const char *const connector_only[] = {"webhooks", "errors",  "rate_limit", "hooks",
					     "docs_url", "request", NULL};
static const char *const auth_only[] = {
	"notes",          "description",        "label", "revoke", "scopes",
	"default_scopes", "default_scopes_why", NULL};
static const char *const action_only[] = {
	"params",       "description", "notes",    "graphql",   "path",
	"title",        "method",      "x-result", "result",    "user_errors",
	"at_least_one", "required",    "aliases",  "multipart", "headers",
	"wrap",         "wrap_array",  "redact",   NULL};
static const char *const entity_only[] = {"fields", "description", "polling", "canonical_fields",
					  "events", "aliases",     NULL};

static void drop_keys(json_t *obj, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		json_object_del(obj, keys[i]);
}

/* The outline of a loaded document (registry.h), as compact JSON; new. */
static char *outline_text(json_t *doc)
{
	json_t *o = json_copy(doc), *entities = json_object(), *auth = json_object_get(doc, "auth");
	drop_keys(o, connector_only);
	if (json_is_object(auth)) {
		json_t *a = json_copy(auth), *methods = json_array(), *m;
		size_t i;
		json_array_foreach(json_object_get(auth, "methods"), i, m) {
			json_t *mc = json_copy(m);
			drop_keys(mc, auth_only);
			json_array_append_new(methods, mc);
		}
		if (json_object_get(a, "methods"))
			json_object_set_new(a, "methods", methods);
		else
			json_decref(methods);
		json_object_set_new(o, "auth", a);
	}
	const char *ename, *aname;
	json_t *entity, *action;
	json_object_foreach(json_object_get(doc, "entities"), ename, entity) {
		json_t *e = json_copy(entity), *actions = json_object();
		drop_keys(e, entity_only);
		json_object_foreach(json_object_get(entity, "actions"), aname, action) {
			json_t *a = json_copy(action);
			drop_keys(a, action_only);
			json_object_set_new(actions, aname, a);
		}
		if (json_object_get(e, "actions"))
			json_object_set_new(e, "actions", actions);
		else
			json_decref(actions);
		json_object_set_new(entities, ename, e);
	}
	if (json_object_get(o, "entities"))
		json_object_set_new(o, "entities", entities);
	else
		json_decref(entities);
	char *text = jsonx_dumps(o);
	json_decref(o);
	return text;
}

/* A connector file read and parsed, not yet checked or added: what the
 * loading threads hand back. */
struct parsed {
	char *path;
	json_t *doc;                      /* NULL when err says why */
	int known;                        /* the cache knows these bytes valid */
	int outline;                      /* doc is the outline kept for the file's stat key */
	const char *expect;               /* expanding: the stat key its outline was kept for */
	char stat[REGISTRY_STAT_KEY_MAX]; /* the file's stat key when first looked at */
	char skey[REGISTRY_STAT_KEY_MAX]; /* the same, when the file had settled
					     and held still while read */
	char key[REGISTRY_CACHE_KEY_LEN + 1];
	struct err err;
};

/* The outline stored for key, parsed, when it looks like one (a store
 * written by anything else is not taken on trust). */
static json_t *stored_outline(const struct registry_outlines *store, const char *key)
{
	size_t len = 0;
	const char *text = registry_outlines_find(store, key, &len);
	json_error_t je;
	json_t *doc = text ? jsonx_loadb(text, len, JSON_REJECT_DUPLICATES, &je) : NULL;
	json_t *entities = json_object_get(doc, "entities");
	if (doc && (!json_is_string(json_object_get(doc, "slug")) ||
		    (entities && !json_is_object(entities)))) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Take p's outline from store when it has one for the file's stat key:
 * 1, else 0. */
static int take_outline(const struct registry_outlines *store, struct parsed *p)
{
	int settled;
	if (registry_stat_key(p->path, p->stat, &settled) < 0)
		return 0;
	p->doc = stored_outline(store, p->stat);
	if (!p->doc)
		return 0;
	p->outline = 1;
	p->known = 1; /* only a file that passed the checks has one */
	snprintf(p->skey, sizeof(p->skey), "%s", p->stat);
	return 1;
}

/* Read and parse p->path, unless its outline was taken (any thread:
 * touches nothing shared but the cache, which is only read here). */
static void parse_file(struct registry_cache *cache, struct parsed *p)
{
	char after[REGISTRY_STAT_KEY_MAX];
	int settled = 0;
	size_t len = 0;
	if (p->outline)
		return;
	if (!p->stat[0] && registry_stat_key(p->path, p->stat, &settled) < 0)
		p->stat[0] = '\0';
	char *text = read_file(p->path, MAX_CONNECTOR_FILE, &len, &p->err);
	if (!text)
		return;
	/* The same key before and after: these are the bytes it names. */
	int still = p->stat[0] && registry_stat_key(p->path, after, &settled) == 0 &&
		    strcmp(p->stat, after) == 0;
	if (still && settled)
		snprintf(p->skey, sizeof(p->skey), "%s", p->stat);
	/* Expanding an outline: bytes unchanged since it was kept passed
	 * this build's checks then. */
	if (still && p->expect && strcmp(p->stat, p->expect) == 0)
		p->known = 1;
	else
		p->known = registry_cache_known(cache, text, len, p->key);
	json_error_t je;
	p->doc = jsonx_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!p->doc)
		err_set(&p->err, "%s:%d:%d: %s", p->path, je.line, je.column, je.text);
}

/* Check (unless known valid) and add a parsed file; takes p->doc. */
static int add_parsed(struct registry *r, struct parsed *p, struct err *err)
{
	json_t *doc = p->doc;
	p->doc = NULL;
	if (!doc)
		return err_set(err, "%s", p->err.msg);
	/* These exact bytes passed this build's checks before: not again. */
	if (!p->known && registry_check_doc(p->path, doc, err) < 0) {
		json_decref(doc);
		return -1;
	}
	if (!p->known)
		registry_cache_add(r->cache, p->key);
	if (p->outline) {
		registry_outlines_keep(r->store, p->skey);
	} else {
		fill_defaults(doc);
		if (r->store && p->skey[0])
			registry_outlines_put(r->store, p->skey, outline_text(doc));
	}
	struct connector *c = xcalloc(1, sizeof(*c));
	c->outline = p->outline ? xstrdup(p->skey) : NULL;
	c->slug = xstrdup(json_string_value(json_object_get(doc, "slug")));
	c->path = xstrdup(p->path);
	c->doc = doc;
	c->auth = connector_auth_load(doc);
	c->info = connector_info_load(doc);
	c->model = connector_model_load(c);
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->items[i]->slug, c->slug) == 0) {
			log_info("%s replaces connector '%s' from %s", p->path, c->slug,
				 r->items[i]->path);
			connector_free(r->items[i]);
			r->items[i] = c;
			return 0;
		}
	}
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 16;
		r->items = xrealloc(r->items, r->alloc * sizeof(*r->items));
	}
	r->items[r->n++] = c;
	qsort(r->items, r->n, sizeof(*r->items), cmp_connector);
	return 0;
}

int registry_load_file(struct registry *r, const char *path, struct err *err)
{
	struct parsed p = {.path = (char *)path};
	err_init(&p.err);
	parse_file(r->cache, &p);
	return add_parsed(r, &p, err);
}

int registry_add_doc(struct registry *r, const char *path, json_t *doc, struct err *err)
{
	struct parsed p = {.path = (char *)path, .doc = doc};
	err_init(&p.err);
	return add_parsed(r, &p, err);
}

/* Parsing is most of loading a large registry: a few threads parse the
 * files of a folder at once, each taking the next unparsed file. */
#define PARSE_THREADS 4

struct parse_work {
	struct registry_cache *cache;
	struct parsed *files;
	size_t n, next; /* next under lock */
	pthread_mutex_t lock;
};

static void *parse_main(void *arg)
{
	struct parse_work *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		size_t i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->n)
			return NULL;
		parse_file(w->cache, &w->files[i]);
	}
}

static void parse_all(struct registry_cache *cache, const struct registry_outlines *store,
		      struct parsed *files, size_t n)
{
	struct parse_work w = {cache, files, n, 0, PTHREAD_MUTEX_INITIALIZER};
	pthread_t threads[PARSE_THREADS];
	size_t started = 0, left = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	json_object_seed(0); /* before any thread makes an object */
	/* Outlines are small: taken here, the threads left the full files. */
	for (size_t i = 0; i < n; i++) {
		err_init(&files[i].err);
		left += !(store && take_outline(store, &files[i]));
	}
	size_t want = left / 4; /* a thread is worth it for 4 files or more */
	if (cpus > 0 && want > (size_t)cpus)
		want = (size_t)cpus;
	if (want > PARSE_THREADS)
		want = PARSE_THREADS;
	while (started + 1 < want && pthread_create(&threads[started], NULL, parse_main, &w) == 0)
		started++;
	parse_main(&w);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&w.lock);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir/_canonical.json read and parsed once for the verb rules and the
 * canonical entities: NULL when the folder has none or it is bad (reported;
 * a file that cannot be read counts in *failed). */
static json_t *read_canonical(const char *path, registry_report_fn report, void *ctx, int *failed)
{
	size_t len;
	struct err e;
	json_error_t je;
	if (access(path, F_OK) != 0)
		return NULL; /* a folder of connectors needs none */
	err_init(&e);
	char *text = read_file(path, 4u << 20, &len, &e);
	if (!text) {
		report(e.msg, ctx);
		(*failed)++;
		return NULL;
	}
	json_t *doc = jsonx_loadb(text, len, 0, &je);
	free(text);
	if (!doc) {
		char *msg = xasprintf("%s:%d:%d: %s", path, je.line, je.column, je.text);
		report(msg, ctx);
		free(msg);
	}
	return doc;
}

/* The verb rules ("verbs") of a folder's _canonical.json (doc, borrowed),
 * when it declares them: a later folder's rule for a verb replaces an
 * earlier one's, the others stay. A file without rules is not ours to
 * judge (coverage reads its entities). */
static void load_verbs(struct registry *r, json_t *doc, const char *path, registry_report_fn report,
		       void *ctx)
{
	json_t *verbs = json_object_get(doc, "verbs");
	if (verbs && !json_is_object(verbs)) {
		char *msg = xasprintf("%s: \"verbs\" must be an object", path);
		report(msg, ctx);
		free(msg);
	} else if (verbs) {
		if (!r->verbs)
			r->verbs = json_object();
		json_object_update(r->verbs, verbs);
	}
}

/* Merge a folder's _canonical.json (doc, borrowed) into the registry's (for
 * search: its entities' aliases, synonyms): a later folder adds keys or
 * replaces those of the same name. */
static int load_canonical(struct registry *r, json_t *doc, const char *path, struct err *err)
{
	const char *key;
	json_t *v;
	if (!json_is_object(doc))
		return err_set(err, "%s: not a JSON object", path);
	json_object_foreach(json_object_get(doc, "synonyms"), key, v) {
		size_t i;
		json_t *w;
		int ok = json_is_array(v);
		json_array_foreach(v, i, w)
			ok &= json_is_string(w);
		if (!ok)
			return err_set(err, "%s: synonyms/%s: expected an array of strings", path,
				       key);
	}
	if (!r->canonical)
		r->canonical = json_object();
	json_object_foreach(doc, key, v) {
		json_t *have = json_object_get(r->canonical, key);
		if (json_is_object(have) && json_is_object(v))
			json_object_update(have, v);
		else
			json_object_set(r->canonical, key, v);
	}
	return 0;
}

int registry_canonical_entity(const struct registry *r, const char *name,
			      struct canonical_entity *out)
{
	json_t *entities = json_object_get(r->canonical, "entities");
	const char *k = json_object_iter_key(json_object_iter_at(entities, name));
	json_t *e;
	if (!k)
		json_object_foreach(entities, k, e)
			if (jsonx_has_string(json_object_get(e, "aliases"), name))
				break;
	e = k ? json_object_get(entities, k) : NULL;
	if (!json_is_object(e))
		return 0;
	out->name = k;
	out->aliases = json_object_get(e, "aliases");
	out->fields = json_object_get(e, "fields");
	if (!json_is_array(out->aliases))
		out->aliases = NULL;
	if (!json_is_object(out->fields))
		out->fields = NULL;
	return 1;
}

json_t *registry_canonical_names(const struct registry *r)
{
	json_t *out = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(r->canonical, "entities"), k, v)
		json_array_append_new(out, json_string(k));
	return out;
}

json_t *registry_synonyms(const struct registry *r)
{
	return json_object_get(r->canonical, "synonyms");
}

int registry_load_dir(struct registry *r, const char *dir, int missing_ok,
		      registry_report_fn report, void *ctx)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (missing_ok && errno == ENOENT)
			return 0;
		char *msg = xasprintf("%s: cannot read folder: %s", dir, strerror(errno));
		report(msg, ctx);
		free(msg);
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '_' || de->d_name[0] == '.' || l < 6 ||
		    strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	int failed = 0;
	char *canon = xasprintf("%s/_canonical.json", dir);
	json_t *cdoc = read_canonical(canon, report, ctx, &failed);
	load_verbs(r, cdoc, canon, report, ctx);
	/* A stable order makes "a later file wins" mean something. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	struct err ce;
	err_init(&ce);
	if (cdoc && load_canonical(r, cdoc, canon, &ce) < 0) {
		report(ce.msg, ctx);
		failed++;
	}
	json_decref(cdoc);
	free(canon);
	struct parsed *files = xcalloc(n ? n : 1, sizeof(*files));
	for (size_t i = 0; i < n; i++)
		files[i].path = xasprintf("%s/%s", dir, names[i]);
	char *schema = xasprintf("%s/schemas/connector.schema.json", registry_datadir());
	if (r->outlines)
		r->store = registry_outlines_open(schema, dir);
	free(schema);
	parse_all(r->cache, r->store, files, n);
	size_t outlined = 0;
	for (size_t i = 0; i < n; i++) {
		outlined += files[i].outline;
		struct err e;
		err_init(&e);
		if (add_parsed(r, &files[i], &e) < 0) {
			report(e.msg, ctx);
			failed++;
		}
		free(files[i].path);
		free(names[i]);
	}
	if (r->store)
		log_debug("%s: %zu of %zu connector files from their outlines", dir, outlined, n);
	registry_outlines_close(r->store);
	r->store = NULL;
	free(files);
	free(names);
	return failed;
}

char *registry_user_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		return xasprintf("%s/switchboard/capabilities", xdg);
	return xasprintf("%s/.config/switchboard/capabilities", home ? home : ".");
}

/* $XDG_DATA_DIRS, or the XDG default when it is unset or empty. */
static const char *data_dirs(void)
{
	const char *v = getenv("XDG_DATA_DIRS");
	return v && *v ? v : "/usr/local/share:/usr/share";
}

char *registry_shared_dir(void)
{
	const char *env = getenv("SWITCHBOARD_CAPABILITIES");
	if (env && *env && *env != ':')
		return xstrndup(env, strcspn(env, ":"));
	const char *dirs = data_dirs();
	dirs += strspn(dirs, ":");
	return xasprintf("%.*s/switchboard/capabilities", (int)strcspn(dirs, ":"), dirs);
}

/* Load the shared folders of $XDG_DATA_DIRS, the last listed first so the
 * first wins; a folder that is the built-in one (an install under
 * /usr/local/share) is not loaded twice. */
static int load_shared(struct registry *r, const char *builtin, registry_report_fn report,
		       void *ctx)
{
	char *copy = xstrdup(data_dirs()), *save = NULL;
	char **dirs = NULL;
	size_t n = 0;
	int failed = 0;
	for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		dirs = xrealloc(dirs, (n + 1) * sizeof(*dirs));
		dirs[n++] = xasprintf("%s/switchboard/capabilities", t);
	}
	struct stat b, d;
	int have_b = stat(builtin, &b) == 0;
	while (n-- > 0) {
		int same = have_b && stat(dirs[n], &d) == 0 && d.st_dev == b.st_dev &&
			   d.st_ino == b.st_ino;
		if (!same) {
			int k = registry_load_dir(r, dirs[n], 1, report, ctx);
			failed += k > 0 ? k : 0;
		}
		free(dirs[n]);
	}
	free(dirs);
	free(copy);
	return failed;
}

int registry_load_default(struct registry *r, const char *const *extra_dirs,
			  registry_report_fn report, void *ctx)
{
	int failed = 0, n;
	char *schema = xasprintf("%s/schemas/connector.schema.json", registry_datadir());
	r->cache = registry_cache_open(schema);
	free(schema);
	char *dir = xasprintf("%s/capabilities", registry_datadir());
	n = registry_load_dir(r, dir, 0, report, ctx);
	failed += n > 0 ? n : 0;
	failed += load_shared(r, dir, report, ctx);
	free(dir);
	dir = registry_user_dir();
	n = registry_load_dir(r, dir, 1, report, ctx);
	failed += n > 0 ? n : 0;
	free(dir);
	const char *env = getenv("SWITCHBOARD_CAPABILITIES");
	if (env && *env) {
		char *copy = xstrdup(env), *save = NULL;
		for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
			n = registry_load_dir(r, t, 0, report, ctx);
			failed += n != 0 ? (n > 0 ? n : 1) : 0;
		}
		free(copy);
	}
	for (size_t i = 0; extra_dirs && extra_dirs[i]; i++) {
		n = registry_load_dir(r, extra_dirs[i], 0, report, ctx);
		failed += n != 0 ? (n > 0 ? n : 1) : 0;
	}
	registry_cache_close(r->cache);
	r->cache = NULL;
	return failed;
}

void registry_use_outlines(struct registry *r)
{
	r->outlines = 1;
}

int registry_has_outlines(const struct registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i]->outline)
			return 1;
	return 0;
}

static int in_list(char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Keep c's document, auth, info and cache until r is freed (they may be
 * borrowed), c itself taking new ones. */
static void spend(struct registry *r, struct connector *c)
{
	struct connector *old = xcalloc(1, sizeof(*old));
	old->doc = c->doc;
	old->auth = c->auth;
	old->info = c->info;
	old->model = c->model;
	r->spent = xrealloc(r->spent, (r->nspent + 1) * sizeof(*r->spent));
	r->spent[r->nspent++] = old;
}

int registry_expand(struct registry *r, char *const *slugs, registry_report_fn report, void *ctx)
{
	struct connector **todo = xcalloc(r->n ? r->n : 1, sizeof(*todo));
	struct parsed *files = xcalloc(r->n ? r->n : 1, sizeof(*files));
	size_t n = 0;
	int dropped = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (!r->items[i]->outline || (slugs && !in_list(slugs, r->items[i]->slug)))
			continue;
		todo[n] = r->items[i];
		files[n].expect = r->items[i]->outline;
		files[n++].path = r->items[i]->path;
	}
	char *schema = xasprintf("%s/schemas/connector.schema.json", registry_datadir());
	r->cache = n ? registry_cache_open(schema) : NULL;
	free(schema);
	parse_all(r->cache, NULL, files, n);
	for (size_t k = 0; k < n; k++) {
		struct connector *c = todo[k];
		struct parsed *p = &files[k];
		json_t *doc = p->doc;
		const char *slug = json_string_value(json_object_get(doc, "slug"));
		struct err e;
		err_init(&e);
		int bad = -1;
		if (!doc)
			err_set(&e, "%s", p->err.msg);
		else if (p->known || registry_check_doc(p->path, doc, &e) == 0)
			bad = !slug || strcmp(slug, c->slug) != 0
				      ? err_set(&e,
						"%s: now names connector '%s', not '%s' as "
						"when it was loaded",
						p->path, slug ? slug : "", c->slug)
				      : 0;
		if (bad) {
			/* Gone from r, kept until r is freed: tools may point at it. */
			report(e.msg, ctx);
			json_decref(doc);
			size_t i = 0;
			while (r->items[i] != c)
				i++;
			memmove(&r->items[i], &r->items[i + 1], (r->n - i - 1) * sizeof(*r->items));
			r->n--;
			r->spent = xrealloc(r->spent, (r->nspent + 1) * sizeof(*r->spent));
			r->spent[r->nspent++] = c;
			dropped++;
			continue;
		}
		if (!p->known)
			registry_cache_add(r->cache, p->key);
		fill_defaults(doc);
		spend(r, c);
		c->doc = doc;
		c->auth = connector_auth_load(doc);
		c->info = connector_info_load(doc);
		c->model = connector_model_load(c);
		free(c->outline);
		c->outline = NULL;
	}
	registry_cache_close(r->cache);
	r->cache = NULL;
	free(files);
	free(todo);
	return dropped;
}

size_t registry_count(const struct registry *r)
{
	return r->n;
}

char *registry_empty_hint(const struct registry *r)
{
	if (r->n > 0)
		return NULL;
	return xasprintf("no connector file loaded (the built-in ones were looked for in "
			 "'%s/capabilities'); set SWITCHBOARD_DATADIR to the folder holding "
			 "capabilities/ and schemas/ (an install puts them in "
			 "PREFIX/share/switchboard), or pass --capabilities DIR",
			 registry_datadir());
}

const struct connector *registry_at(const struct registry *r, size_t i)
{
	return i < r->n ? r->items[i] : NULL;
}

const struct connector *registry_find(const struct registry *r, const char *slug)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i]->slug, slug) == 0)
			return r->items[i];
	return NULL;
}

const char *connector_field_env(const struct auth_field *field, const char **var)
{
	const char *name = field->env;
	const char *v = name ? getenv(name) : NULL;
	size_t i;
	json_t *alias;
	json_array_foreach(field->env_aliases, i, alias) {
		if (v && *v)
			break;
		name = json_string_value(alias);
		v = name ? getenv(name) : NULL;
	}
	if (!v || !*v)
		return NULL;
	if (var)
		*var = name;
	return v;
}

const struct auth_method *connector_auth_method(const struct connector *c, const char *type)
{
	return connector_auth_find(c->auth, type);
}

const char *action_kind(const char *name, json_t *action)
{
	const char *kind = json_string_value(json_object_get(action, "kind"));
	if (kind)
		return kind;
	if (strcmp(name, "read") == 0 || strcmp(name, "list") == 0 || strcmp(name, "search") == 0 ||
	    strcmp(name, "get") == 0)
		return "read";
	if (strcmp(name, "delete") == 0)
		return "delete";
	return "write";
}

/* An action's own boolean (own: 1, 0 or -1 when not declared), else its
 * verb rule's, else whether it is a delete. */
static int declared(const struct registry *r, const struct action_spec *a, int own, const char *key)
{
	if (own >= 0)
		return own;
	json_t *v = json_object_get(json_object_get(r ? r->verbs : NULL, a->name), key);
	return json_is_boolean(v) ? json_is_true(v) : strcmp(a->kind, "delete") == 0;
}

int registry_action_destructive(const struct registry *r, const struct action_spec *a)
{
	return declared(r, a, a->destructive, "destructive");
}

int registry_action_idempotent(const struct registry *r, const struct action_spec *a)
{
	return declared(r, a, a->idempotent, "idempotent");
}

/* Whether args give every name of one choice (a name or an array of names). */
static int choice_met(json_t *choice, json_t *args)
{
	if (json_is_string(choice)) {
		json_t *v = json_object_get(args, json_string_value(choice));
		return v && !json_is_null(v);
	}
	size_t i;
	json_t *name;
	json_array_foreach(choice, i, name) {
		if (!choice_met(name, args))
			return 0;
	}
	return json_array_size(choice) > 0;
}

int action_rule_met(json_t *rule, json_t *args)
{
	size_t i;
	json_t *choice;
	json_array_foreach(rule, i, choice) {
		if (choice_met(choice, args))
			return 1;
	}
	return 0;
}

char *action_rule_text(json_t *rule)
{
	struct buf b;
	buf_init(&b, 0);
	size_t n = json_array_size(rule), i, j;
	json_t *choice, *name;
	json_array_foreach(rule, i, choice) {
		if (i > 0)
			buf_adds(&b, i + 1 == n ? (n > 2 ? ", or " : " or ") : ", ");
		if (json_is_string(choice)) {
			buf_adds(&b, json_string_value(choice));
			continue;
		}
		size_t m = json_array_size(choice);
		if (m > 1)
			buf_adds(&b, "(");
		json_array_foreach(choice, j, name)
			buf_addf(&b, "%s%s", j ? " and " : "", json_string_value(name));
		if (m > 1)
			buf_adds(&b, ")");
	}
	return buf_detach(&b);
}
