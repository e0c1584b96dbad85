/* import.c - an OpenAPI 3.x or Swagger 2.0 document made into a connector:
 * entities and actions from paths, arguments from parameters and request
 * bodies, auth from security schemes, paging from parameter names. */
#include "import.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define REF_HOPS 32
#define SCHEMA_DEPTH 3 /* nesting kept in argument schemas */
#define DESC_MAX 240
#define TOOL_MAX 64

struct ctx {
	json_t *spec;
	int swagger;
	const char *slug;
	const struct import_opts *o;
	json_t *report;       /* borrowed */
	json_t *entities;     /* the connector's */
	json_t *ops;          /* "METHOD path" already placed -> 1 */
	const char *encoding; /* the connector's default body encoding */
};

static void note(struct ctx *c, const char *fmt, const char *a, const char *b)
{
	char *s = xasprintf(fmt, a, b ? b : "");
	json_array_append_new(c->report, json_string(s));
	free(s);
}

/* ---- $ref ---- */

static json_t *pointer(json_t *doc, const char *ref)
{
	if (strncmp(ref, "#/", 2) != 0)
		return NULL;
	json_t *cur = doc;
	const char *p = ref + 2;
	while (cur && *p) {
		size_t n = strcspn(p, "/");
		struct buf key;
		buf_init(&key, IMPORT_TEXT_MAX);
		for (size_t i = 0; i < n; i++) {
			char ch = p[i];
			if (ch == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
				ch = p[i + 1] == '0' ? '~' : '/';
				i++;
			} else if (ch == '%' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) &&
				   isxdigit((unsigned char)p[i + 2])) {
				char hex[3] = {p[i + 1], p[i + 2], 0};
				ch = (char)strtol(hex, NULL, 16);
				i += 2;
			}
			buf_add(&key, &ch, 1);
		}
		buf_add(&key, "", 1);
		if (json_is_array(cur)) {
			long idx;
			cur = parse_long(key.data, &idx) == 0 && idx >= 0
				      ? json_array_get(cur, (size_t)idx)
				      : NULL;
		} else {
			cur = json_object_get(cur, key.data);
		}
		buf_release(&key);
		p += n;
		if (*p == '/')
			p++;
	}
	return cur;
}

/* Follow $ref until a value without one (borrowed), NULL when it leaves
 * the document or loops. */
static json_t *deref(struct ctx *c, json_t *v)
{
	for (int i = 0; i < REF_HOPS && v; i++) {
		const char *ref = json_string_value(json_object_get(v, "$ref"));
		if (!ref)
			return v;
		v = pointer(c->spec, ref);
	}
	return NULL;
}

/* ---- names ---- */

/* snake_case of any text: camelCase split, other characters to '_'. */
static char *snake(const char *s, size_t n)
{
	struct buf b;
	buf_init(&b, IMPORT_TEXT_MAX);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (isalnum(ch)) {
			int upper = isupper(ch);
			if (upper && b.len && b.data[b.len - 1] != '_' && i > 0 &&
			    (islower((unsigned char)s[i - 1]) || isdigit((unsigned char)s[i - 1]) ||
			     (i + 1 < n && islower((unsigned char)s[i + 1]) &&
			      isupper((unsigned char)s[i - 1]))))
				buf_add(&b, "_", 1);
			char low = (char)tolower(ch);
			buf_add(&b, &low, 1);
		} else if (b.len && b.data[b.len - 1] != '_') {
			buf_add(&b, "_", 1);
		}
	}
	while (b.len && b.data[b.len - 1] == '_')
		b.len--;
	buf_add(&b, "", 1);
	char *out = buf_detach(&b);
	if (!*out || isdigit((unsigned char)out[0])) {
		char *p = xasprintf("n%s", out);
		free(out);
		out = p;
	}
	return out;
}

static char *trim_cut(const char *s);

static int plural(const char *w)
{
	size_t n = strlen(w);
	if (n < 3 || w[n - 1] != 's')
		return 0;
	return strcmp(w + n - 2, "ss") != 0 && strcmp(w + n - 2, "us") != 0 &&
	       strcmp(w + n - 2, "is") != 0;
}

static int version_segment(const char *s)
{
	if (strcmp(s, "api") == 0 || strcmp(s, "rest") == 0)
		return 1;
	if ((s[0] == 'v' || s[0] == 'V') && isdigit((unsigned char)s[1]))
		return strspn(s + 1, "0123456789.") == strlen(s + 1);
	/* a dated version: 2026-03, 2024-01-01 */
	return strlen(s) >= 7 && strspn(s, "0123456789-") == strlen(s) && s[4] == '-';
}

/* An argument name MCP clients accept (^[a-zA-Z0-9_.-]{1,64}$) that is not
 * one of switchboard's own arguments. */
static int plain_arg(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") != n)
		return 0;
	return strcmp(s, "connection") != 0 && strcmp(s, "limit") != 0 &&
	       strcmp(s, "cursor") != 0 && strcmp(s, "max_items") != 0 && strcmp(s, "fields") != 0;
}

/* A description cut to DESC_MAX at a word, without HTML tags (Stripe's
 * <p>); a new string or NULL. */
static char *trim_text(const char *in)
{
	if (!in)
		return NULL;
	struct buf b;
	buf_init(&b, IMPORT_TEXT_MAX);
	for (const char *p = in; *p && b.len <= DESC_MAX + 1; p++) {
		if (*p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/') && strchr(p, '>')) {
			p = strchr(p, '>');
			continue;
		}
		if (isspace((unsigned char)*p) && (!b.len || b.data[b.len - 1] == ' '))
			continue;
		buf_add(&b, isspace((unsigned char)*p) ? " " : p, 1);
	}
	while (b.len && b.data[b.len - 1] == ' ')
		b.len--;
	buf_add(&b, "", 1);
	char *out = trim_cut(b.data);
	buf_release(&b);
	return out;
}

static char *trim_cut(const char *s)
{
	size_t n = strlen(s);
	if (n <= DESC_MAX)
		return n ? xstrndup(s, n) : NULL;
	size_t cut = DESC_MAX;
	while (cut > DESC_MAX / 2 && !isspace((unsigned char)s[cut]))
		cut--;
	char *head = xstrndup(s, cut);
	char *out = xasprintf("%s...", head);
	free(head);
	return out;
}

/* ---- schemas ---- */

static json_t *simplify(struct ctx *c, json_t *schema, int depth);

static const char *first_type(json_t *t)
{
	if (json_is_string(t))
		return json_string_value(t);
	size_t i;
	json_t *v;
	json_array_foreach(t, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), "null") != 0)
			return json_string_value(v);
	return NULL;
}

/* allOf merged, and oneOf/anyOf of objects merged too (their properties,
 * nothing required); otherwise the first variant that is not null. A new
 * object holding only borrowed parts' copies. */
static json_t *flatten(struct ctx *c, json_t *s, int hops)
{
	s = deref(c, s);
	if (!json_is_object(s) || hops > 8)
		return json_object();
	json_t *out = json_copy(s);
	/* The copy is shallow: give it its own lists before they grow. */
	json_t *own = json_object_get(out, "properties");
	if (json_is_object(own))
		json_object_set_new(out, "properties", json_copy(own));
	own = json_object_get(out, "required");
	if (json_is_array(own))
		json_object_set_new(out, "required", json_copy(own));
	json_t *all = json_object_get(s, "allOf");
	json_t *one = json_object_get(s, "oneOf");
	if (!one)
		one = json_object_get(s, "anyOf");
	json_object_del(out, "allOf");
	json_object_del(out, "oneOf");
	json_object_del(out, "anyOf");
	size_t i;
	json_t *part;
	json_array_foreach(all, i, part) {
		json_t *f = flatten(c, part, hops + 1);
		json_t *props = json_object_get(f, "properties");
		if (props) {
			if (!json_object_get(out, "properties"))
				json_object_set_new(out, "properties", json_object());
			json_object_update_missing(json_object_get(out, "properties"), props);
		}
		json_t *req = json_object_get(f, "required");
		if (json_is_array(req)) {
			if (!json_is_array(json_object_get(out, "required")))
				json_object_set_new(out, "required", json_array());
			json_array_extend(json_object_get(out, "required"), req);
		}
		json_object_del(f, "properties");
		json_object_del(f, "required");
		json_object_update_missing(out, f);
		json_decref(f);
	}
	int objects = json_array_size(one) > 0;
	json_array_foreach(one, i, part) {
		json_t *p = deref(c, part);
		const char *t = first_type(json_object_get(p, "type"));
		if (!json_object_get(p, "properties") && !json_object_get(p, "allOf") &&
		    !(t && strcmp(t, "object") == 0))
			objects = 0;
	}
	if (objects) {
		json_t *props = json_object_get(out, "properties");
		if (!props) {
			props = json_object();
			json_object_set_new(out, "properties", props);
		}
		json_array_foreach(one, i, part) {
			json_t *f = flatten(c, part, hops + 1);
			json_object_update_missing(props, json_object_get(f, "properties"));
			json_decref(f);
		}
		if (!json_object_get(out, "type"))
			json_object_set_new(out, "type", json_string("object"));
	} else {
		json_array_foreach(one, i, part) {
			json_t *p = deref(c, part);
			const char *t = first_type(json_object_get(p, "type"));
			if (t && strcmp(t, "null") == 0)
				continue;
			if (t || json_object_get(p, "enum") || json_object_get(p, "allOf")) {
				json_t *f = flatten(c, part, hops + 1);
				json_object_update_missing(out, f);
				json_decref(f);
				break;
			}
		}
	}
	return out;
}

static void copy_key(json_t *dst, json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);
	if (v)
		json_object_set(dst, key, v);
}

/* A numeric bound, only when it is a number (OpenAI's spec quotes some). */
static void copy_number(json_t *dst, json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);
	if (json_is_number(v))
		json_object_set(dst, key, v);
}

static json_t *simplify(struct ctx *c, json_t *schema, int depth)
{
	json_t *s = flatten(c, schema, 0);
	json_t *out = json_object();
	const char *type = first_type(json_object_get(s, "type"));
	if (!type && json_object_get(s, "properties"))
		type = "object";
	if (type && strcmp(type, "file") == 0)
		type = "string";
	if (type && strcmp(type, "null") == 0)
		type = NULL;
	if (type)
		json_object_set_new(out, "type", json_string(type));
	char *desc =
		depth < 2 ? trim_text(json_string_value(json_object_get(s, "description"))) : NULL;
	if (desc)
		json_object_set_new(out, "description", json_string(desc));
	free(desc);
	if (type && strcmp(type, "string") == 0) {
		copy_key(out, s, "format");
		copy_number(out, s, "maxLength");
		copy_number(out, s, "minLength");
	}
	if (type && (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0)) {
		copy_number(out, s, "minimum");
		copy_number(out, s, "maximum");
	}
	json_t *en = json_object_get(s, "enum");
	if (json_is_array(en) && json_array_size(en) > 0) {
		json_t *vals = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(en, i, v) {
			int fits = !type || (strcmp(type, "string") == 0 && json_is_string(v)) ||
				   (strcmp(type, "integer") == 0 && json_is_integer(v)) ||
				   (strcmp(type, "number") == 0 && json_is_number(v)) ||
				   (strcmp(type, "boolean") == 0 && json_is_boolean(v));
			if (fits && !json_is_null(v))
				json_array_append(vals, v);
		}
		if (json_array_size(vals))
			json_object_set_new(out, "enum", vals);
		else
			json_decref(vals);
	}
	if (type && strcmp(type, "array") == 0) {
		json_t *items = json_object_get(s, "items");
		json_object_set_new(out, "items",
				    depth < SCHEMA_DEPTH && items ? simplify(c, items, depth + 1)
								  : json_object());
	}
	json_t *props = json_object_get(s, "properties");
	if (type && strcmp(type, "object") == 0 && json_object_size(props) &&
	    depth < SCHEMA_DEPTH) {
		json_t *p = json_object(), *req = json_array();
		const char *k;
		json_t *v;
		json_object_foreach(props, k, v) {
			json_t *d = deref(c, v);
			if (json_is_true(json_object_get(d, "readOnly")))
				continue;
			json_object_set_new(p, k, simplify(c, v, depth + 1));
		}
		size_t i;
		json_array_foreach(json_object_get(s, "required"), i, v)
			if (json_is_string(v) && json_object_get(p, json_string_value(v)))
				json_array_append(req, v);
		json_object_set_new(out, "properties", p);
		if (json_array_size(req))
			json_object_set_new(out, "required", req);
		else
			json_decref(req);
	}
	json_decref(s);
	return out;
}

/* ---- operations, read the same way from 3.x and 2.0 ---- */

/* The operation's parameters with the path item's, each dereferenced, in
 * 3.x form (schema under "schema"). A new array of new objects. */
static json_t *op_params(struct ctx *c, json_t *item, json_t *op)
{
	json_t *out = json_array();
	json_t *lists[2] = {json_object_get(op, "parameters"), json_object_get(item, "parameters")};
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *p;
		json_array_foreach(lists[l], i, p) {
			p = deref(c, p);
			const char *name = json_string_value(json_object_get(p, "name"));
			const char *in = json_string_value(json_object_get(p, "in"));
			if (!name || !in)
				continue;
			int dup = 0;
			size_t j;
			json_t *q;
			json_array_foreach(out, j, q)
				if (strcmp(json_string_value(json_object_get(q, "name")), name) ==
					    0 &&
				    strcmp(json_string_value(json_object_get(q, "in")), in) == 0)
					dup = 1;
			if (dup)
				continue;
			json_t *norm = json_copy(p);
			if (c->swagger && !json_object_get(p, "schema")) {
				json_t *s = json_object();
				const char *keys[] = {"type",    "format",  "enum",    "items",
						      "minimum", "maximum", "default", NULL};
				for (int k = 0; keys[k]; k++)
					copy_key(s, p, keys[k]);
				json_object_set_new(norm, "schema", s);
			}
			json_array_append_new(out, norm);
		}
	}
	return out;
}

static int want_type(const char *ct)
{
	if (strncmp(ct, "application/json", 16) == 0 || strstr(ct, "+json"))
		return 3;
	if (strcmp(ct, "application/x-www-form-urlencoded") == 0)
		return 2;
	if (strcmp(ct, "multipart/form-data") == 0)
		return 1;
	return 0;
}

/* The request body: its media type (borrowed from the spec or a literal)
 * and schema (new). 0 with *ct NULL when there is none, -1 when it is one
 * switchboard cannot send. */
static int op_body(struct ctx *c, json_t *op, const char **ct, json_t **schema, int *required)
{
	*ct = NULL;
	*schema = NULL;
	*required = 0;
	if (c->swagger) {
		json_t *props = json_object(), *req = json_array();
		json_t *body = NULL;
		int form = 0;
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(op, "parameters"), i, p) {
			p = deref(c, p);
			const char *in = json_string_value(json_object_get(p, "in"));
			const char *name = json_string_value(json_object_get(p, "name"));
			if (!in || !name)
				continue;
			if (strcmp(in, "body") == 0) {
				body = json_object_get(p, "schema");
				*required = json_is_true(json_object_get(p, "required"));
			} else if (strcmp(in, "formData") == 0) {
				json_t *s = json_copy(p);
				json_object_del(s, "in");
				json_object_del(s, "name");
				json_object_del(s, "required");
				json_object_set_new(props, name, s);
				if (json_is_true(json_object_get(p, "required")))
					json_array_append_new(req, json_string(name));
				form = 1;
			}
		}
		json_t *consumes = json_object_get(op, "consumes");
		if (!consumes)
			consumes = json_object_get(c->spec, "consumes");
		const char *first = json_string_value(json_array_get(consumes, 0));
		if (form) {
			int multi = 0;
			json_array_foreach(consumes, i, p)
				if (json_is_string(p) &&
				    strcmp(json_string_value(p), "multipart/form-data") == 0)
					multi = 1;
			*ct = multi ? "multipart/form-data" : "application/x-www-form-urlencoded";
			*schema = json_pack("{s:s, s:o, s:o}", "type", "object", "properties",
					    props, "required", req);
			return 0;
		}
		json_decref(props);
		json_decref(req);
		if (body) {
			*ct = first && want_type(first) ? first : "application/json";
			*schema = json_incref(body);
		}
		return 0;
	}
	json_t *rb = deref(c, json_object_get(op, "requestBody"));
	if (!rb)
		return 0;
	*required = json_is_true(json_object_get(rb, "required"));
	const char *best = NULL;
	int rank = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(rb, "content"), k, v) {
		int r = want_type(k);
		if (r > rank || !best) {
			best = k;
			rank = r;
		}
	}
	if (!best)
		return 0;
	*ct = best;
	*schema = json_incref(
		json_object_get(json_object_get(json_object_get(rb, "content"), best), "schema"));
	if (!*schema)
		*schema = json_object();
	return 0;
}

/* The success response's schema (borrowed, dereferenced) and whether it
 * declares a Link header. */
static json_t *op_response(struct ctx *c, json_t *op, int *link)
{
	json_t *responses = json_object_get(op, "responses");
	const char *k;
	json_t *v;
	*link = 0;
	json_object_foreach(responses, k, v) {
		if (k[0] != '2')
			continue;
		v = deref(c, v);
		const char *hk;
		json_t *hv;
		json_object_foreach(json_object_get(v, "headers"), hk, hv)
			if (strcasecmp(hk, "link") == 0)
				*link = 1;
		if (c->swagger)
			return deref(c, json_object_get(v, "schema"));
		json_t *content = json_object_get(v, "content");
		const char *ck;
		json_t *cv;
		json_object_foreach(content, ck, cv)
			if (want_type(ck) == 3)
				return deref(c, json_object_get(cv, "schema"));
		return NULL;
	}
	return NULL;
}

/* ---- entity and action names from the path ---- */

struct route {
	char *entity;
	char *parent; /* the collection before it, for a qualified name */
	char *action;
};

static void route_release(struct route *r)
{
	free(r->entity);
	free(r->parent);
	free(r->action);
}

static const char *item_verb(const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return "read";
	if (strcmp(method, "DELETE") == 0)
		return "delete";
	return "update";
}

static const char *collection_verb(const char *method, int is_plural)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return is_plural ? "list" : "read";
	if (strcmp(method, "DELETE") == 0)
		return "delete";
	if (strcmp(method, "POST") == 0)
		return is_plural ? "create" : "update";
	return "update";
}

static void route_of(const char *path, const char *method, struct route *r)
{
	char *segs[64];
	int param[64];
	int n = 0;
	const char *p = path;
	while (*p && n < 64) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (!len)
			break;
		if (p[0] == '{' || p[0] == ':') {
			segs[n] = xstrndup(p, len);
			param[n++] = 1;
		} else {
			/* Slack's chat.postMessage: a dot splits words too */
			const char *q = p;
			while (q < p + len && n < 64) {
				size_t w = strcspn(q, ".");
				if (w > (size_t)(p + len - q))
					w = (size_t)(p + len - q);
				char *raw = xstrndup(q, w);
				if (w && !version_segment(raw) && strchr(raw, '{') == NULL &&
				    !isdigit((unsigned char)raw[0])) {
					segs[n] = snake(raw, w);
					param[n++] = 0;
				}
				free(raw);
				q += w;
				if (q < p + len)
					q++;
			}
		}
		p += len;
	}
	int last_param = -1;
	for (int i = 0; i < n; i++)
		if (param[i])
			last_param = i;
	/* the static word before index i */
	int before = -1;
	memset(r, 0, sizeof(*r));
	if (n == 0) {
		r->entity = xstrdup("root");
		r->action = xstrdup(collection_verb(method, 1));
	} else if (last_param == n - 1) {
		for (before = n - 2; before >= 0 && param[before]; before--)
			;
		r->entity = xstrdup(before >= 0 ? segs[before] : "items");
		r->action = xstrdup(item_verb(method));
		for (before--; before >= 0 && param[before]; before--)
			;
	} else {
		int tail = last_param + 1; /* first static word of the tail */
		int last = n - 1;
		if (plural(segs[last]) || (last == tail && last_param < 0)) {
			r->entity = xstrdup(segs[last]);
			r->action = xstrdup(collection_verb(method, plural(segs[last])));
			before = last - 1;
			while (before >= 0 && param[before])
				before--;
		} else {
			int ent = -1;
			for (int i = last - 1; i >= tail; i--)
				if (plural(segs[i])) {
					ent = i;
					break;
				}
			int from;
			if (ent >= 0) {
				from = ent + 1;
			} else if (last_param >= 0) {
				for (ent = last_param - 1; ent >= 0 && param[ent]; ent--)
					;
				from = tail;
			} else {
				ent = tail;
				from = tail + 1;
			}
			r->entity = xstrdup(ent >= 0 ? segs[ent] : "items");
			struct buf b;
			buf_init(&b, IMPORT_TEXT_MAX);
			for (int i = from; i <= last; i++) {
				if (b.len)
					buf_adds(&b, "_");
				buf_adds(&b, segs[i]);
			}
			buf_add(&b, "", 1);
			r->action = buf_detach(&b);
			before = ent - 1;
			while (before >= 0 && param[before])
				before--;
		}
	}
	if (before >= 0)
		r->parent = xstrdup(segs[before]);
	for (int i = 0; i < n; i++)
		free(segs[i]);
}

/* A name that fits: slug_entity_action within TOOL_MAX. */
static char *clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xstrdup(s);
	while (max > 1 && s[max - 1] == '_')
		max--;
	return xstrndup(s, max);
}

static int taken(struct ctx *c, const char *entity, const char *action)
{
	json_t *e = json_object_get(c->entities, entity);
	return json_object_get(json_object_get(e, "actions"), action) != NULL;
}

/* Choose (entity, action) for an operation: the plain route, then the
 * entity qualified by its parent, then a method-qualified action, then
 * the operationId, then a number. New strings in *entity and *action. */
static void choose_names(struct ctx *c, const char *path, const char *method, json_t *op,
			 char **entity, char **action)
{
	struct route r;
	route_of(path, method, &r);
	size_t room = TOOL_MAX - strlen(c->slug) - 2;
	char *cands[6][2] = {{0}};
	int nc = 0;
	char *e0 = clip(r.entity, 30);
	cands[nc][0] = xstrdup(e0);
	cands[nc++][1] = xstrdup(r.action);
	char *eq = r.parent ? xasprintf("%s_%s", r.parent, r.entity) : NULL;
	char *e1 = eq ? clip(eq, 36) : NULL;
	if (e1) {
		cands[nc][0] = xstrdup(e1);
		cands[nc++][1] = xstrdup(r.action);
	}
	const char *mv = strcmp(method, "GET") == 0      ? "get"
			 : strcmp(method, "DELETE") == 0 ? "delete"
			 : strcmp(method, "PUT") == 0    ? "set"
			 : strcmp(method, "PATCH") == 0  ? "update"
							 : "post";
	cands[nc][0] = xstrdup(e1 ? e1 : e0);
	cands[nc++][1] = xasprintf("%s_%s", mv, r.action);
	const char *opid = json_string_value(json_object_get(op, "operationId"));
	if (opid) {
		const char *dot = strrchr(opid, '/');
		cands[nc][0] = xstrdup(e1 ? e1 : e0);
		cands[nc++][1] = snake(dot ? dot + 1 : opid, strlen(dot ? dot + 1 : opid));
		if (dot) { /* GitHub's codespaces/... and dependabot/... share the rest */
			cands[nc][0] = xstrdup(e1 ? e1 : e0);
			cands[nc++][1] = snake(opid, strlen(opid));
		}
	}
	/* Taken by another method of the same path (GitHub's PUT and GET
	 * .../merge): the method tells them apart, not the parent. */
	json_t *first = json_object_get(
		json_object_get(json_object_get(c->entities, cands[0][0]), "actions"), cands[0][1]);
	const char *fpath =
		json_string_value(json_object_get(json_object_get(first, "x-operation"), "path"));
	if (fpath && strcmp(fpath, path) == 0 && e1) {
		char *tmp = cands[1][0];
		cands[1][0] = cands[2][0];
		cands[2][0] = tmp;
		tmp = cands[1][1];
		cands[1][1] = cands[2][1];
		cands[2][1] = tmp;
		free(cands[1][0]);
		cands[1][0] = xstrdup(e0);
	}
	*entity = *action = NULL;
	for (int i = 0; i < nc && !*entity; i++) {
		if (strlen(cands[i][0]) + 1 >= room)
			continue;
		char *a = clip(cands[i][1], room - strlen(cands[i][0]) - 1);
		if (!taken(c, cands[i][0], a)) {
			*entity = xstrdup(cands[i][0]);
			*action = a;
		} else {
			free(a);
		}
	}
	for (int k = 2; !*entity; k++) {
		char *num = xasprintf("_%d", k);
		char *a = clip(cands[0][1], room - strlen(cands[0][0]) - 1 - strlen(num));
		char *full = xasprintf("%s%s", a, num);
		free(a);
		free(num);
		if (!taken(c, cands[0][0], full)) {
			*entity = xstrdup(cands[0][0]);
			*action = full;
		} else {
			free(full);
		}
	}
	for (int i = 0; i < nc; i++) {
		free(cands[i][0]);
		free(cands[i][1]);
	}
	free(e0);
	free(e1);
	free(eq);
	route_release(&r);
}

/* ---- paging ---- */

/* The first name of want[] that params (name -> 1) has. */
static const char *has_any(json_t *names, const char *const *want)
{
	for (int i = 0; want[i]; i++)
		if (json_object_get(names, want[i]))
			return want[i];
	return NULL;
}

/* A pointer to the first property named like want[], depth first (new string). */
static char *find_prop(struct ctx *c, json_t *schema, const char *const *want, int depth)
{
	json_t *s = flatten(c, schema, 0);
	json_t *props = json_object_get(s, "properties");
	char *out = NULL;
	for (int i = 0; want[i] && !out; i++)
		if (json_object_get(props, want[i]))
			out = xasprintf("/%s", want[i]);
	const char *k;
	json_t *v;
	if (!out && depth < 3)
		json_object_foreach(props, k, v) {
			char *sub = find_prop(c, v, want, depth + 1);
			if (sub) {
				out = xasprintf("/%s%s", k, sub);
				free(sub);
				break;
			}
		}
	json_decref(s);
	return out;
}

/* The list in a response: the root when it is an array, else its first
 * array property. New string or NULL. */
static char *items_pointer(struct ctx *c, json_t *schema)
{
	json_t *s = flatten(c, schema, 0);
	const char *t = first_type(json_object_get(s, "type"));
	char *out = NULL;
	if (t && strcmp(t, "array") == 0)
		out = xstrdup("");
	const char *prefer[] = {"data", "results", "items", NULL};
	json_t *props = json_object_get(s, "properties");
	for (int i = 0; prefer[i] && !out; i++)
		if (json_object_get(props, prefer[i]))
			out = xasprintf("/%s", prefer[i]);
	const char *k;
	json_t *v;
	if (!out)
		json_object_foreach(props, k, v) {
			json_t *f = flatten(c, v, 0);
			const char *ft = first_type(json_object_get(f, "type"));
			int arr = ft && strcmp(ft, "array") == 0;
			json_decref(f);
			if (arr) {
				out = xasprintf("/%s", k);
				break;
			}
		}
	json_decref(s);
	return out;
}

/* Paging recognised from the query parameter names (names: name -> 1) and
 * the response; NULL when none. Sets *limit_name and *cursor_name (borrowed
 * literals) to the parameters paging takes over. */
static json_t *paging(struct ctx *c, json_t *names, json_t *resp, int link, const char **limit_name,
		      const char **cursor_name)
{
	static const char *const limits[] = {"limit", "per_page",   "page_size",   "pageSize",
					     "count", "maxResults", "max_results", NULL};
	static const char *const cursors[] = {"cursor",       "after",      "page_token",
					      "pageToken",    "next_token", "nextToken",
					      "continuation", NULL};
	static const char *const nexts[] = {"next_cursor",   "nextCursor", "next_page_token",
					    "nextPageToken", "after",      "next",
					    "cursor",        NULL};
	static const char *const pages[] = {"page", NULL};
	static const char *const offsets[] = {"offset", "start", NULL};
	const char *lim = has_any(names, limits);
	json_t *pg = NULL;
	char *items = resp ? items_pointer(c, resp) : NULL;
	*limit_name = *cursor_name = NULL;
	if (json_object_get(names, "starting_after")) {
		pg = json_pack("{s:s, s:s, s:s}", "style", "cursor", "cursor_param",
			       "starting_after", "next_cursor", "$last.id");
		if (json_object_get(names, "ending_before"))
			json_object_set_new(pg, "before_param", json_string("ending_before"));
		static const char *const more[] = {"has_more", NULL};
		char *hm = resp ? find_prop(c, resp, more, 0) : NULL;
		if (hm)
			json_object_set_new(pg, "has_more", json_string(hm));
		free(hm);
		*cursor_name = "starting_after";
	} else if (has_any(names, cursors)) {
		const char *cur = has_any(names, cursors);
		char *next = resp ? find_prop(c, resp, nexts, 0) : NULL;
		if (next) {
			pg = json_pack("{s:s, s:s, s:s}", "style", "cursor", "cursor_param", cur,
				       "next_cursor", next);
			*cursor_name = cur;
		} else if (link) {
			pg = json_pack("{s:s}", "style", "link");
		}
		free(next);
	} else if (link) {
		pg = json_pack("{s:s}", "style", "link");
	} else if (has_any(names, pages)) {
		pg = json_pack("{s:s, s:s}", "style", "page", "cursor_param", "page");
		*cursor_name = "page";
	} else if (has_any(names, offsets) && lim) {
		const char *off = has_any(names, offsets);
		pg = json_pack("{s:s, s:s}", "style", "offset", "cursor_param", off);
		*cursor_name = off;
	}
	if (pg && lim) {
		json_object_set_new(pg, "limit_param", json_string(lim));
		*limit_name = lim;
	}
	if (pg && items)
		json_object_set_new(pg, "items", json_string(items));
	free(items);
	return pg;
}

/* ---- one operation ---- */

static json_t *entity_of(struct ctx *c, const char *name, json_t *op)
{
	json_t *e = json_object_get(c->entities, name);
	if (e)
		return e;
	const char *tag = json_string_value(json_array_get(json_object_get(op, "tags"), 0));
	char *words = xstrdup(name);
	for (char *p = words; *p; p++)
		if (*p == '_')
			*p = ' ';
	char *desc = tag ? xasprintf("%s (%s).", words, tag) : xasprintf("%s.", words);
	e = json_pack("{s:s, s:{}}", "description", desc, "actions");
	free(words);
	free(desc);
	json_object_set_new(c->entities, name, e);
	return e;
}

static int tag_wanted(struct ctx *c, json_t *op)
{
	if (!c->o->only)
		return 1;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(op, "tags"), i, t)
		for (char **w = c->o->only; *w; w++)
			if (json_is_string(t) && strcasecmp(*w, json_string_value(t)) == 0)
				return 1;
	return 0;
}

static int excluded(struct ctx *c, const char *opid, const char *path, const char *tool)
{
	for (char **g = c->o->exclude; g && *g; g++)
		if ((opid && glob_match(*g, opid)) || glob_match(*g, path) ||
		    (tool && glob_match(*g, tool)))
			return 1;
	return 0;
}

/* Add one argument under a name MCP accepts and no other argument has;
 * decl is stolen. Returns the argument's name (borrowed from params). */
static const char *add_param(json_t *params, const char *vendor, json_t *decl, const char *suffix)
{
	char *name = plain_arg(vendor) ? xstrdup(vendor) : snake(vendor, strlen(vendor));
	if (!plain_arg(name) || json_object_get(params, name)) {
		char *s = xasprintf("%s_%s", name, suffix);
		free(name);
		name = s;
	}
	for (int k = 2; json_object_get(params, name) || !plain_arg(name); k++) {
		char *s = xasprintf("%s_%s%d", vendor[0] ? "arg" : "arg", suffix, k);
		free(name);
		name = s;
	}
	if (strcmp(name, vendor) != 0)
		json_object_set_new(decl, "as", json_string(vendor));
	json_object_set_new(params, name, decl);
	json_t *it = json_object_iter_at(params, name);
	free(name);
	return json_object_iter_key(it);
}

static void import_operation(struct ctx *c, const char *path, json_t *item, const char *method,
			     json_t *op)
{
	const char *opid = json_string_value(json_object_get(op, "operationId"));
	char *where = xasprintf("%s %s", method, path);
	json_t *schema = NULL, *action = NULL;
	char *ename = NULL, *aname = NULL;
	if (!tag_wanted(c, op)) {
		note(c, "%s: not in --only%s", where, NULL);
		goto out;
	}
	const char *ct;
	int body_required;
	if (op_body(c, op, &ct, &schema, &body_required) < 0) {
		note(c, "%s: request body %s cannot be sent (json, form and multipart can)", where,
		     ct);
		goto out;
	}
	choose_names(c, path, method, op, &ename, &aname);
	char *tool = xasprintf("%s_%s_%s", c->slug, ename, aname);
	int skip = excluded(c, opid, path, tool);
	free(tool);
	if (skip) {
		note(c, "%s: matches --exclude%s", where, NULL);
		goto out;
	}

	action = json_object();
	json_t *decls = json_object();
	struct buf tpath;
	buf_init(&tpath, IMPORT_TEXT_MAX);
	buf_adds(&tpath, path);
	json_t *qnames = json_object();
	json_t *plist = op_params(c, item, op);
	/* "/responses/{id}/input_items?beta=true" (OpenAI): the fixed query
	 * values become constants sent with every call. */
	char *qs = strchr(tpath.data, '?');
	if (qs) {
		*qs = '\0';
		tpath.len = strlen(tpath.data);
		char *save = NULL;
		for (char *kv = strtok_r(qs + 1, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');
			if (eq)
				*eq = '\0';
			add_param(decls, kv,
				  json_pack("{s:s, s:s, s:s}", "type", "string", "in", "query",
					    "const", eq ? eq + 1 : ""),
				  "query");
		}
	}
	size_t i;
	json_t *p;
	json_array_foreach(plist, i, p)
		if (strcmp(json_string_value(json_object_get(p, "in")), "query") == 0)
			json_object_set_new(qnames, json_string_value(json_object_get(p, "name")),
					    json_true());
	int link = 0;
	json_t *resp = op_response(c, op, &link);
	const char *lim = NULL, *cur = NULL;
	json_t *pg = strcmp(aname, "list") == 0 ? paging(c, qnames, resp, link, &lim, &cur) : NULL;
	json_decref(qnames);

	json_array_foreach(plist, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *in = json_string_value(json_object_get(p, "in"));
		if (strcmp(in, "cookie") == 0) {
			note(c, "%s: cookie parameter %s is not sent", where, name);
			continue;
		}
		if (strcmp(in, "path") != 0 && strcmp(in, "query") != 0 &&
		    strcmp(in, "header") != 0)
			continue;
		if (strcmp(in, "header") == 0 &&
		    (strcasecmp(name, "Authorization") == 0 || strcasecmp(name, "Accept") == 0 ||
		     strcasecmp(name, "Content-Type") == 0))
			continue;
		if (strcmp(in, "query") == 0 &&
		    ((lim && strcmp(name, lim) == 0) || (cur && strcmp(name, cur) == 0)))
			continue;
		json_t *schema_of = json_object_get(p, "schema");
		if (!schema_of) {
			json_t *content = json_object_get(p, "content");
			const char *k;
			json_t *v;
			json_object_foreach(content, k, v) {
				schema_of = json_object_get(v, "schema");
				break;
			}
		}
		json_t *decl = simplify(c, schema_of ? schema_of : json_object(), 1);
		json_object_del(decl, "required"); /* a param's "required" is its own */
		char *desc = trim_text(json_string_value(json_object_get(p, "description")));
		if (desc)
			json_object_set_new(decl, "description", json_string(desc));
		free(desc);
		if (!json_object_get(decl, "type"))
			json_object_set_new(decl, "type", json_string("string"));
		json_object_set_new(decl, "in", json_string(in));
		int req = json_is_true(json_object_get(p, "required")) || strcmp(in, "path") == 0;
		if (req)
			json_object_set_new(decl, "required", json_true());
		const char *arg = add_param(decls, name, decl, in);
		if (strcmp(in, "path") == 0) {
			/* the path template names the argument; "as" means nothing there */
			json_object_del(json_object_get(decls, arg), "as");
			char *from = xasprintf("{%s}", name), *to = xasprintf("{%s}", arg);
			char *at = strstr(tpath.data, from);
			if (at && strcmp(from, to) != 0) {
				struct buf nb;
				buf_init(&nb, IMPORT_TEXT_MAX);
				buf_add(&nb, tpath.data, (size_t)(at - tpath.data));
				buf_adds(&nb, to);
				buf_adds(&nb, at + strlen(from));
				buf_release(&tpath);
				tpath = nb;
			}
			free(from);
			free(to);
		}
	}
	json_decref(plist);
	/* Make sure every {name} left in the template is declared. */
	for (const char *q = strchr(tpath.data, '{'); q; q = strchr(q + 1, '{')) {
		const char *end = strchr(q, '}');
		if (!end)
			break;
		char *pn = xstrndup(q + 1, (size_t)(end - q - 1));
		if (!json_object_get(decls, pn))
			json_object_set_new(decls, pn,
					    json_pack("{s:s, s:s, s:b}", "type", "string", "in",
						      "path", "required", 1));
		free(pn);
	}

	int body_fields = 0;
	if (ct) {
		json_t *flat = simplify(c, schema, 0);
		const char *t = json_string_value(json_object_get(flat, "type"));
		int enc = want_type(ct);
		if (t && strcmp(t, "array") == 0 && enc) {
			/* an array of objects: sent as one element, its fields the arguments */
			json_t *items = json_incref(json_object_get(flat, "items"));
			json_decref(flat);
			flat = items;
			t = json_string_value(json_object_get(flat, "type"));
			json_object_set_new(action, "wrap_array", json_true());
		}
		if (!enc || (t && strcmp(t, "object") != 0)) {
			/* raw text: one argument is the whole body */
			json_t *decl = json_pack("{s:s, s:s, s:b}", "type", "string", "in", "body",
						 "required", body_required || !enc);
			char *d = xasprintf("The request body (%s), as text.", ct);
			json_object_set_new(decl, "description", json_string(d));
			free(d);
			const char *arg = add_param(decls, "content", decl, "body");
			json_object_set_new(action, "body_encoding", json_string("raw"));
			json_object_set_new(
				action, "raw",
				json_pack("{s:s, s:s}", "content", arg, "content_type", ct));
			json_decref(flat);
			flat = NULL;
		}
		json_t *props = json_object_get(flat, "properties");
		json_t *req = json_object_get(flat, "required");
		const char *k;
		json_t *v;
		/* GET and HEAD send no body: its fields go in the query */
		int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
		if (get && json_object_size(props))
			note(c, "%s: request body fields are sent in the query%s", where, NULL);
		json_object_foreach(props, k, v) {
			json_t *decl = json_deep_copy(v);
			json_object_del(decl, "required"); /* a param's "required" is its own */
			json_object_set_new(decl, "in", json_string(get ? "query" : "body"));
			size_t j;
			json_t *r;
			json_array_foreach(req, j, r)
				if (strcmp(json_string_value(r), k) == 0)
					json_object_set_new(decl, "required", json_true());
			const char *fmt = json_string_value(json_object_get(decl, "format"));
			int file = enc == 1 && fmt && strcmp(fmt, "binary") == 0 &&
				   !json_object_get(action, "multipart");
			if (file) {
				char *d = xasprintf("Content of the %s part, as text.", k);
				json_object_set_new(decl, "description", json_string(d));
				free(d);
				json_object_del(decl, "format");
			}
			const char *arg = add_param(decls, k, decl, "body");
			if (file) {
				char *fname = xasprintf("%s_filename", arg);
				json_t *multi = json_pack("{s:{s:s, s:s, s:s}}", "file", "part", k,
							  "content", arg, "filename", fname);
				json_object_set_new(action, "multipart", multi);
				json_object_set_new(decls, fname,
						    json_pack("{s:s, s:s, s:b, s:s}", "type",
							      "string", "in", "body", "required", 1,
							      "description",
							      "File name sent with the file."));
				free(fname);
			}
			body_fields++;
		}
		json_decref(flat);
		const char *encname = enc == 3 ? "json" : enc == 2 ? "form" : "multipart";
		if (enc && !get && strcmp(encname, c->encoding) != 0)
			json_object_set_new(action, "body_encoding", json_string(encname));
	} else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
		   strcmp(method, "PATCH") == 0) {
		json_object_set_new(action, "body", json_string("none"));
	}
	(void)body_fields;

	const char *verb = aname;
	int std = strcmp(verb, "list") == 0 || strcmp(verb, "read") == 0 ||
		  strcmp(verb, "create") == 0 || strcmp(verb, "update") == 0 ||
		  strcmp(verb, "delete") == 0;
	if (!std)
		json_object_set_new(
			action, "kind",
			json_string(strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
					    ? "read"
				    : strcmp(method, "DELETE") == 0 ? "delete"
								    : "write"));
	const char *summary = json_string_value(json_object_get(op, "summary"));
	char *title = trim_text(summary);
	if (title && strlen(title) < 100)
		json_object_set_new(action, "title", json_string(title));
	free(title);
	const char *d = json_string_value(json_object_get(op, "description"));
	char *desc = trim_text(d ? d : summary);
	if (desc)
		json_object_set_new(action, "description", json_string(desc));
	free(desc);
	json_object_set_new(action, "method", json_string(method));
	json_object_set_new(action, "path", json_string(tpath.data));
	buf_release(&tpath);
	if (json_object_size(decls))
		json_object_set_new(action, "params", decls);
	else
		json_decref(decls);
	if (pg)
		json_object_set_new(action, "pagination", pg);
	json_t *ref = json_pack("{s:s, s:s}", "method", method, "path", path);
	if (opid)
		json_object_set_new(ref, "operationId", json_string(opid));
	json_object_set_new(action, "x-operation", ref);
	json_t *ent = entity_of(c, ename, op);
	json_object_set_new(json_object_get(ent, "actions"), aname, action);
	action = NULL;
out:
	json_decref(schema);
	json_decref(action);
	free(ename);
	free(aname);
	free(where);
}

/* ---- connector-level parts ---- */

/* Changes before reads: a path's POST or PUT gets the plain verb (merge),
 * its GET the method-qualified one (get_merge). */
static const char *const methods[] = {"post", "put", "patch", "delete", "get", "head", NULL};

size_t import_count_operations(json_t *spec)
{
	size_t n = 0;
	const char *path;
	json_t *item;
	json_object_foreach(json_object_get(spec, "paths"), path, item)
		for (int m = 0; methods[m]; m++)
			if (json_is_object(json_object_get(item, methods[m])))
				n++;
	return n;
}

static char *env_name(const char *slug, const char *field)
{
	char *s = xasprintf("%s_%s", slug, field);
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

static json_t *secret_field(const char *slug, const char *name, const char *desc)
{
	char *env = env_name(slug, name);
	json_t *f = json_pack("{s:s, s:b, s:b, s:s}", "type", "string", "secret", 1, "required", 1,
			      "env", env);
	if (desc)
		json_object_set_new(f, "description", json_string(desc));
	free(env);
	return f;
}

static json_t *oauth_method(struct ctx *c, const char *name, json_t *s)
{
	json_t *m = json_pack("{s:s, s:s}", "type", "oauth2", "label", name);
	json_t *grants = json_array(), *scopes = json_array();
	const char *fk;
	json_t *flow;
	json_t *flows = json_object_get(s, "flows");
	json_t *one = NULL;
	if (c->swagger) {
		one = json_pack("{s:O?}", "x", json_object_get(s, "flow"));
		flows = json_object();
		const char *f = json_string_value(json_object_get(s, "flow"));
		json_t *copy = json_copy(s);
		json_object_set_new(copy, "authorizationUrl",
				    json_incref(json_object_get(s, "authorizationUrl")));
		json_object_set_new(flows,
				    f && strcmp(f, "application") == 0  ? "clientCredentials"
				    : f && strcmp(f, "accessCode") == 0 ? "authorizationCode"
				    : f                                 ? f
									: "authorizationCode",
				    copy);
	}
	json_object_foreach(flows, fk, flow) {
		const char *au = json_string_value(json_object_get(flow, "authorizationUrl"));
		const char *tu = json_string_value(json_object_get(flow, "tokenUrl"));
		if (au && !json_object_get(m, "authorize_url"))
			json_object_set_new(m, "authorize_url", json_string(au));
		if (tu && !json_object_get(m, "token_url"))
			json_object_set_new(m, "token_url", json_string(tu));
		if (strcmp(fk, "authorizationCode") == 0)
			json_array_append_new(grants, json_string("authorization_code"));
		else if (strcmp(fk, "clientCredentials") == 0)
			json_array_append_new(grants, json_string("client_credentials"));
		const char *sk;
		json_t *sv;
		json_object_foreach(json_object_get(flow, "scopes"), sk, sv) {
			int dup = 0;
			size_t i;
			json_t *v;
			json_array_foreach(scopes, i, v)
				if (strcmp(json_string_value(v), sk) == 0)
					dup = 1;
			if (!dup)
				json_array_append_new(scopes, json_string(sk));
		}
	}
	char *id_env = env_name(c->slug, "client_id");
	json_t *fields = json_pack(
		"{s:{s:s, s:b, s:s, s:s}, s:o, s:o, s:o}", "client_id", "type", "string", "secret",
		0, "env", id_env, "description", "The OAuth app's client id.", "client_secret",
		secret_field(c->slug, "client_secret", "The OAuth app's client secret."),
		"access_token",
		secret_field(c->slug, "access_token",
			     "Access token; switchboard connect obtains and refreshes it."),
		"refresh_token", secret_field(c->slug, "refresh_token", NULL));
	free(id_env);
	json_object_set_new(json_object_get(fields, "client_secret"), "required", json_false());
	json_object_set_new(json_object_get(fields, "refresh_token"), "required", json_false());
	json_object_set_new(m, "fields", fields);
	if (json_array_size(grants))
		json_array_append_new(grants, json_string("refresh_token"));
	if (json_array_size(grants))
		json_object_set_new(m, "grants", grants);
	else
		json_decref(grants);
	if (json_array_size(scopes))
		json_object_set_new(m, "scopes", scopes);
	else
		json_decref(scopes);
	if (c->swagger)
		json_decref(flows);
	json_decref(one);
	return m;
}

static json_t *auth_of(struct ctx *c)
{
	json_t *schemes = c->swagger ? json_object_get(c->spec, "securityDefinitions")
				     : json_object_get(json_object_get(c->spec, "components"),
						       "securitySchemes");
	json_t *methods_out = json_array();
	json_t *by_scheme = json_object(); /* scheme name -> method type */
	const char *k;
	json_t *s;
	json_object_foreach(schemes, k, s) {
		s = deref(c, s);
		const char *type = json_string_value(json_object_get(s, "type"));
		const char *scheme = json_string_value(json_object_get(s, "scheme"));
		const char *desc_raw = json_string_value(json_object_get(s, "description"));
		char *desc = trim_text(desc_raw);
		json_t *m = NULL;
		if (!type) {
		} else if (strcmp(type, "apiKey") == 0) {
			const char *in = json_string_value(json_object_get(s, "in"));
			const char *name = json_string_value(json_object_get(s, "name"));
			if (in && name && (strcmp(in, "header") == 0 || strcmp(in, "query") == 0))
				m = json_pack("{s:s, s:s, s:s, s:s, s:{s:o}}", "type", "api_key",
					      "label", k, "in", in, "name", name, "fields",
					      "api_key", secret_field(c->slug, "api_key", desc));
			else
				note(c, "auth %s: an API key in a %s is not supported", k,
				     in ? in : "?");
		} else if (strcmp(type, "basic") == 0 || (strcmp(type, "http") == 0 && scheme &&
							  strcasecmp(scheme, "basic") == 0)) {
			char *env = env_name(c->slug, "username");
			m = json_pack("{s:s, s:s, s:{s:{s:s, s:b, s:s}, s:o}}", "type", "basic",
				      "label", k, "fields", "username", "type", "string",
				      "required", 1, "env", env, "password",
				      secret_field(c->slug, "password", NULL));
			free(env);
		} else if (strcmp(type, "http") == 0 && scheme &&
			   strcasecmp(scheme, "bearer") == 0) {
			m = json_pack("{s:s, s:s, s:{s:o}}", "type", "bearer", "label", k, "fields",
				      "token", secret_field(c->slug, "token", desc));
		} else if (strcmp(type, "oauth2") == 0) {
			m = oauth_method(c, k, s);
		} else {
			note(c, "auth %s: type %s is not supported", k, type);
		}
		if (m && desc)
			json_object_set_new(m, "description", json_string(desc));
		free(desc);
		if (!m)
			continue;
		const char *mt = json_string_value(json_object_get(m, "type"));
		int dup = 0;
		size_t i;
		json_t *v;
		json_array_foreach(methods_out, i, v)
			if (strcmp(json_string_value(json_object_get(v, "type")), mt) == 0)
				dup = 1;
		if (dup) {
			note(c, "auth %s: a second %s method (the first is kept)", k, mt);
			json_decref(m);
			continue;
		}
		json_object_set_new(by_scheme, k, json_string(mt));
		json_array_append_new(methods_out, m);
	}
	/* The default: of the methods the spec asks for globally, a token
	 * before a key before OAuth before Basic (Stripe lists basic first
	 * but documents Bearer). */
	const char *def = NULL;
	static const char *const rank[] = {"bearer", "api_key", "oauth2", "basic", NULL};
	size_t i;
	json_t *req;
	for (int r = 0; rank[r] && !def; r++)
		json_array_foreach(json_object_get(c->spec, "security"), i, req) {
			json_object_foreach(req, k, s) {
				const char *t = json_string_value(json_object_get(by_scheme, k));
				if (!def && t && strcmp(t, rank[r]) == 0)
					def = t;
			}
		}
	if (!json_array_size(methods_out)) {
		/* Most such APIs (GitHub's spec) still take a token: offer one,
		 * and no credentials at all. */
		note(c,
		     "auth: the spec declares no security scheme; a bearer token and none are "
		     "offered%s%s",
		     "", NULL);
		json_array_append_new(methods_out,
				      json_pack("{s:s, s:s, s:{s:o}}", "type", "bearer", "label",
						"Bearer token", "fields", "token",
						secret_field(c->slug, "token", NULL)));
		json_array_append_new(methods_out, json_pack("{s:s}", "type", "none"));
	}
	if (!def) {
		/* an API key or token before OAuth: it works without an app */
		json_array_foreach(methods_out, i, req) {
			const char *t = json_string_value(json_object_get(req, "type"));
			if (!def && strcmp(t, "oauth2") != 0)
				def = t;
		}
		if (!def)
			def = json_string_value(
				json_object_get(json_array_get(methods_out, 0), "type"));
	}
	json_t *auth = json_pack("{s:s, s:o}", "default", def, "methods", methods_out);
	json_decref(by_scheme);
	return auth;
}

static void base_url_of(struct ctx *c, json_t *conn)
{
	if (c->swagger) {
		const char *host = json_string_value(json_object_get(c->spec, "host"));
		const char *bp = json_string_value(json_object_get(c->spec, "basePath"));
		const char *scheme =
			json_string_value(json_array_get(json_object_get(c->spec, "schemes"), 0));
		if (host) {
			char *u = xasprintf("%s://%s%s", scheme ? scheme : "https", host,
					    bp && strcmp(bp, "/") != 0 ? bp : "");
			json_object_set_new(conn, "base_url", json_string(u));
			free(u);
		}
		return;
	}
	json_t *server = json_array_get(json_object_get(c->spec, "servers"), 0);
	const char *url = json_string_value(json_object_get(server, "url"));
	if (!url)
		return;
	size_t n = strlen(url);
	json_object_set_new(conn, "base_url",
			    json_stringn(url, n && url[n - 1] == '/' ? n - 1 : n));
	json_t *vars = json_object_get(server, "variables");
	if (!json_object_size(vars))
		return;
	json_t *params = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(vars, k, v) {
		json_t *f = json_pack("{s:s}", "type", "string");
		copy_key(f, v, "default");
		copy_key(f, v, "enum");
		char *desc = trim_text(json_string_value(json_object_get(v, "description")));
		if (desc)
			json_object_set_new(f, "description", json_string(desc));
		free(desc);
		json_object_set_new(params, k, f);
	}
	json_object_set_new(conn, "params", params);
}

/* The error shape from the first declared error response. */
static void errors_of(struct ctx *c, json_t *conn)
{
	const char *path;
	json_t *item;
	json_object_foreach(json_object_get(c->spec, "paths"), path, item)
		for (int m = 0; methods[m]; m++) {
			json_t *op = json_object_get(item, methods[m]);
			const char *code;
			json_t *r;
			json_object_foreach(json_object_get(op, "responses"), code, r) {
				if (code[0] != '4' && strcmp(code, "default") != 0)
					continue;
				r = deref(c, r);
				json_t *schema = c->swagger ? json_object_get(r, "schema") : NULL;
				const char *ck;
				json_t *cv;
				json_object_foreach(json_object_get(r, "content"), ck, cv)
					if (!schema && want_type(ck) == 3)
						schema = json_object_get(cv, "schema");
				if (!schema)
					continue;
				static const char *const msg[] = {"message", "error_description",
								  "detail",  "Message",
								  "title",   NULL};
				char *mp = find_prop(c, schema, msg, 0);
				if (!mp)
					continue;
				json_t *e = json_pack("{s:s}", "message", mp);
				static const char *const codes[] = {"code", "type", "error_code",
								    "status", NULL};
				char *cp = find_prop(c, schema, codes, 0);
				if (cp)
					json_object_set_new(e, "code", json_string(cp));
				json_object_set_new(conn, "errors", e);
				free(mp);
				free(cp);
				return;
			}
		}
}

/* The entity an event's leading words name ("check-run-completed" ->
 * check_runs), the rest its name; NULL when none does. */
static json_t *event_entity(struct ctx *c, const char *ev, const char **rest)
{
	size_t len = strlen(ev);
	for (size_t cut = len; cut > 0; cut--) {
		if (cut < len && !strchr("._-/ ", ev[cut]))
			continue;
		char *base = snake(ev, cut);
		char *plur = xasprintf("%ss", base), *plur2 = xasprintf("%ses", base);
		json_t *ent = json_object_get(c->entities, plur);
		if (!ent)
			ent = json_object_get(c->entities, plur2);
		if (!ent)
			ent = json_object_get(c->entities, base);
		free(plur2);
		free(base);
		free(plur);
		if (ent && cut < len) {
			*rest = ev + cut + 1;
			return ent;
		}
	}
	return NULL;
}

/* Webhook events (3.1 webhooks, x-webhooks, callbacks) on the entity their
 * leading words name. */
static void events_of(struct ctx *c)
{
	json_t *names = json_array();
	const char *srcs[] = {"webhooks", "x-webhooks", NULL};
	const char *k;
	json_t *v;
	for (int s = 0; srcs[s]; s++)
		json_object_foreach(json_object_get(c->spec, srcs[s]), k, v)
			json_array_append_new(names, json_string(k));
	const char *path;
	json_t *item;
	json_object_foreach(json_object_get(c->spec, "paths"), path, item)
		for (int m = 0; methods[m]; m++)
			json_object_foreach(
				json_object_get(json_object_get(item, methods[m]), "callbacks"), k,
				v)
				json_array_append_new(names, json_string(k));
	size_t i, lost = 0;
	json_t *n;
	struct buf missed;
	buf_init(&missed, IMPORT_TEXT_MAX);
	json_array_foreach(names, i, n) {
		const char *ev = json_string_value(n), *rest = NULL;
		json_t *ent = event_entity(c, ev, &rest);
		if (!ent) {
			if (lost++ < 5)
				buf_addf(&missed, "%s%s", missed.len ? ", " : "", ev);
			continue;
		}
		json_t *events = json_object_get(ent, "events");
		if (!events) {
			events = json_object();
			json_object_set_new(ent, "events", events);
		}
		char *name = snake(rest, strlen(rest));
		if (!json_object_get(events, name))
			json_object_set_new(events, name, json_string(ev));
		free(name);
	}
	if (lost) {
		char *count = xasprintf("%zu", lost);
		buf_add(&missed, "", 1);
		note(c, "%s webhook events name no imported entity (%s...)", count, missed.data);
		free(count);
	}
	buf_release(&missed);
	json_decref(names);
}

/* Stripe: x-stripeResource names the object a path answers. */
static void describe_entities(struct ctx *c)
{
	const char *ename;
	json_t *e;
	json_object_foreach(c->entities, ename, e) {
		json_t *list = json_object_get(json_object_get(e, "actions"), "read");
		json_t *ref = json_object_get(list, "x-operation");
		if (!ref)
			continue;
		json_t *op = json_object_get(
			json_object_get(json_object_get(c->spec, "paths"),
					json_string_value(json_object_get(ref, "path"))),
			"get");
		int link;
		json_t *resp = op_response(c, op, &link);
		json_t *res = json_object_get(resp, "x-stripeResource");
		const char *d = json_string_value(json_object_get(resp, "description"));
		char *desc = trim_text(d);
		if (desc && res)
			json_object_set_new(e, "description", json_string(desc));
		free(desc);
		json_t *exp = json_object_get(resp, "x-expandableFields");
		if (json_array_size(exp))
			json_object_set(e, "x-expandableFields", exp);
		if (json_object_get(json_object_get(resp, "properties"), "id"))
			json_object_set_new(e, "id_field", json_string("id"));
	}
}

static size_t segments(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

json_t *import_connector(json_t *spec, const struct import_opts *o, json_t *report, struct err *err)
{
	struct ctx c = {.spec = spec, .o = o, .report = report};
	c.swagger = json_is_string(json_object_get(spec, "swagger"));
	if (!c.swagger && !json_is_string(json_object_get(spec, "openapi"))) {
		err_set(err, "not an OpenAPI 3, Swagger 2.0 or Postman v2.1 document");
		return NULL;
	}
	if (!json_is_object(json_object_get(spec, "paths"))) {
		err_set(err, "the spec has no paths");
		return NULL;
	}
	json_t *info = json_object_get(spec, "info");
	const char *title = json_string_value(json_object_get(info, "title"));
	if (!title)
		title = "Imported API";
	char *slug = NULL;
	if (o->slug) {
		slug = xstrdup(o->slug);
	} else {
		struct buf b;
		buf_init(&b, IMPORT_TEXT_MAX);
		for (const char *p = title; *p && b.len < 20; p++)
			if (isalnum((unsigned char)*p) && (b.len || isalpha((unsigned char)*p))) {
				char ch = (char)tolower((unsigned char)*p);
				buf_add(&b, &ch, 1);
			}
		if (!b.len)
			buf_adds(&b, "api");
		buf_add(&b, "", 1);
		slug = buf_detach(&b);
	}
	c.slug = slug;
	/* The connector's body encoding: the one most operations use. */
	int counts[4] = {0};
	const char *path;
	json_t *item;
	json_object_foreach(json_object_get(spec, "paths"), path, item)
		for (int m = 0; methods[m]; m++) {
			json_t *op = json_object_get(item, methods[m]);
			const char *ct;
			json_t *s = NULL;
			int req;
			if (json_is_object(op) && op_body(&c, op, &ct, &s, &req) == 0 && ct)
				counts[want_type(ct)]++;
			json_decref(s);
		}
	c.encoding = counts[2] > counts[3] ? "form" : "json";

	json_t *conn = json_object();
	json_object_set_new(conn, "format", json_integer(1));
	json_object_set_new(conn, "slug", json_string(slug));
	json_object_set_new(conn, "name", json_string(title));
	char *desc = trim_text(json_string_value(json_object_get(info, "description")));
	json_object_set_new(conn, "description", json_string(desc ? desc : title));
	free(desc);
	json_object_set_new(conn, "category", json_string("Imported"));
	base_url_of(&c, conn);
	json_object_set_new(conn, "auth", auth_of(&c));
	json_object_set_new(conn, "request", json_pack("{s:s}", "body", c.encoding));
	errors_of(&c, conn);
	c.entities = json_object();
	/* Shorter paths first, so /v1/refunds names "refunds" before
	 * /v1/application_fees/{fee}/refunds does. */
	size_t npaths = json_object_size(json_object_get(spec, "paths")), at = 0;
	const char **order = xcalloc(npaths ? npaths : 1, sizeof(*order));
	json_object_foreach(json_object_get(spec, "paths"), path, item)
		order[at++] = path;
	for (size_t a = 1; a < npaths; a++) {
		const char *key = order[a];
		size_t depth = segments(key), b = a;
		for (; b > 0 && segments(order[b - 1]) > depth; b--)
			order[b] = order[b - 1];
		order[b] = key;
	}
	for (at = 0; at < npaths; at++) {
		path = order[at];
		item = deref(&c, json_object_get(json_object_get(spec, "paths"), path));
		if (!json_is_object(item))
			continue;
		for (int m = 0; methods[m]; m++) {
			json_t *op = json_object_get(item, methods[m]);
			if (!json_is_object(op))
				continue;
			char method[8];
			size_t i = 0;
			for (; methods[m][i] && i < sizeof(method) - 1; i++)
				method[i] = (char)toupper((unsigned char)methods[m][i]);
			method[i] = 0;
			import_operation(&c, path, item, method, op);
		}
		if (json_object_get(item, "options") || json_object_get(item, "trace"))
			note(&c, "%s: OPTIONS and TRACE are not imported%s", path, NULL);
	}
	free(order);
	describe_entities(&c);
	events_of(&c);
	json_object_set_new(conn, "entities", c.entities);
	free(slug);
	if (!json_object_size(json_object_get(conn, "entities"))) {
		err_set(err, "no operation could be imported");
		json_decref(conn);
		return NULL;
	}
	return conn;
}

/* ---- --merge ---- */

static void add_key(json_t *seen, json_t *action)
{
	const char *m = json_string_value(json_object_get(action, "method"));
	const char *p = json_string_value(json_object_get(action, "path"));
	if (!m || !p)
		return;
	struct buf b;
	buf_init(&b, IMPORT_TEXT_MAX);
	buf_addf(&b, "%s ", m);
	for (; *p; p++) {
		if (*p == '{') {
			buf_adds(&b, "{}");
			while (*p && *p != '}')
				p++;
			if (!*p)
				break;
		} else {
			buf_add(&b, p, 1);
		}
	}
	buf_add(&b, "", 1);
	json_object_set_new(seen, b.data, json_true());
	buf_release(&b);
}

static int has_key(json_t *seen, json_t *action)
{
	json_t *probe = json_object();
	add_key(probe, action);
	const char *k = json_object_iter_key(json_object_iter(probe));
	int has = k && json_object_get(seen, k);
	json_decref(probe);
	return has;
}

size_t import_merge(json_t *existing, json_t *generated)
{
	json_t *seen = json_object();
	json_t *ents = json_object_get(existing, "entities");
	const char *en;
	json_t *e;
	json_object_foreach(ents, en, e) {
		const char *an;
		json_t *a;
		json_object_foreach(json_object_get(e, "actions"), an, a)
			add_key(seen, a);
	}
	size_t added = 0;
	json_object_foreach(json_object_get(generated, "entities"), en, e) {
		const char *an;
		json_t *a;
		json_object_foreach(json_object_get(e, "actions"), an, a) {
			if (has_key(seen, a))
				continue;
			json_t *mine = json_object_get(ents, en);
			if (!mine) {
				mine = json_pack("{s:O, s:{}}", "description",
						 json_object_get(e, "description"), "actions");
				json_object_set_new(ents, en, mine);
			}
			json_t *acts = json_object_get(mine, "actions");
			char *name = xstrdup(an);
			for (int k = 2; json_object_get(acts, name); k++) {
				free(name);
				name = xasprintf("%s_%d", an, k);
			}
			json_t *copy = json_deep_copy(a);
			/* the action's encoding must survive a connector default that differs */
			const char *genc = json_string_value(
				json_object_get(json_object_get(generated, "request"), "body"));
			const char *xenc = json_string_value(
				json_object_get(json_object_get(existing, "request"), "body"));
			if (genc && strcmp(genc, xenc ? xenc : "json") != 0 &&
			    !json_object_get(copy, "body_encoding"))
				json_object_set_new(copy, "body_encoding", json_string(genc));
			json_object_set_new(acts, name, copy);
			free(name);
			add_key(seen, a);
			added++;
		}
	}
	json_decref(seen);
	return added;
}
