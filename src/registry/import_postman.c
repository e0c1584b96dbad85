/* import_postman.c - a Postman v2.1 collection rewritten as the OpenAPI 3
 * document import.c reads: folders become tags, ":id" and "{{var}}" path
 * parts become parameters, example bodies become schemas. */
#include "import.h"

#include <string.h>
#include <strings.h>

#define POSTMAN_DEPTH 16

/* A schema guessed from an example value; nothing is required. */
static json_t *infer(json_t *v, int depth)
{
	if (json_is_object(v) && depth < 4) {
		json_t *props = json_object();
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
			json_object_set_new(props, k, infer(x, depth + 1));
		return json_pack("{s:s, s:o}", "type", "object", "properties", props);
	}
	if (json_is_array(v))
		return json_pack("{s:s, s:o}", "type", "array", "items",
				 json_array_size(v) ? infer(json_array_get(v, 0), depth + 1)
						    : json_object());
	const char *t = json_is_integer(v)   ? "integer"
			: json_is_real(v)    ? "number"
			: json_is_boolean(v) ? "boolean"
			: json_is_string(v)  ? "string"
					     : NULL;
	return t ? json_pack("{s:s}", "type", t) : json_object();
}

/* "{{name}}" -> "{name}", ":name" -> "{name}"; a new string. */
static char *segment(const char *s)
{
	size_t n = strlen(s);
	if (s[0] == ':' && n > 1)
		return xasprintf("{%s}", s + 1);
	if (n > 4 && strncmp(s, "{{", 2) == 0 && strcmp(s + n - 2, "}}") == 0)
		return xasprintf("{%.*s}", (int)(n - 4), s + 2);
	return xstrdup(s);
}

static void add_request(json_t *paths, json_t *req, const char *name, const char *tag)
{
	json_t *url = json_object_get(req, "url");
	const char *method = json_string_value(json_object_get(req, "method"));
	if (!method || !json_is_object(url))
		return;
	struct buf path;
	buf_init(&path, IMPORT_TEXT_MAX);
	json_t *params = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(url, "path"), i, v) {
		if (!json_is_string(v))
			continue;
		char *seg = segment(json_string_value(v));
		buf_addf(&path, "/%s", seg);
		if (seg[0] == '{') {
			char *pn = xstrndup(seg + 1, strlen(seg) - 2);
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name",
								pn, "in", "path", "required", 1,
								"schema", "type", "string"));
			free(pn);
		}
		free(seg);
	}
	if (!path.len)
		buf_adds(&path, "/");
	json_array_foreach(json_object_get(url, "query"), i, v) {
		const char *k = json_string_value(json_object_get(v, "key"));
		if (k && !json_is_true(json_object_get(v, "disabled")))
			json_array_append_new(
				params,
				json_pack("{s:s, s:s, s:{s:s}, s:s*}", "name", k, "in", "query",
					  "schema", "type", "string", "description",
					  json_string_value(json_object_get(v, "description"))));
	}
	json_array_foreach(json_object_get(req, "header"), i, v) {
		const char *k = json_string_value(json_object_get(v, "key"));
		if (k && strcasecmp(k, "Content-Type") != 0 && strcasecmp(k, "Accept") != 0 &&
		    strcasecmp(k, "Authorization") != 0 &&
		    !json_is_true(json_object_get(v, "disabled")))
			json_array_append_new(params,
					      json_pack("{s:s, s:s, s:{s:s}}", "name", k, "in",
							"header", "schema", "type", "string"));
	}
	json_t *op = json_pack("{s:s, s:[s], s:o, s:{s:{s:s}}}", "summary", name ? name : "",
			       "tags", tag ? tag : "default", "parameters", params, "responses",
			       "200", "description", "OK");
	const char *desc = json_string_value(json_object_get(req, "description"));
	if (desc)
		json_object_set_new(op, "description", json_string(desc));
	json_t *body = json_object_get(req, "body");
	const char *mode = json_string_value(json_object_get(body, "mode"));
	json_t *schema = NULL;
	const char *ct = NULL;
	if (mode && strcmp(mode, "raw") == 0) {
		const char *raw = json_string_value(json_object_get(body, "raw"));
		json_error_t je;
		json_t *example = raw ? json_loads(raw, JSON_DECODE_ANY, &je) : NULL;
		if (example) {
			schema = infer(example, 0);
			ct = "application/json";
		}
		json_decref(example);
	} else if (mode && (strcmp(mode, "urlencoded") == 0 || strcmp(mode, "formdata") == 0)) {
		json_t *props = json_object();
		json_array_foreach(json_object_get(body, mode), i, v) {
			const char *k = json_string_value(json_object_get(v, "key"));
			const char *t = json_string_value(json_object_get(v, "type"));
			if (k)
				json_object_set_new(props, k,
						    t && strcmp(t, "file") == 0
							    ? json_pack("{s:s, s:s}", "type",
									"string", "format",
									"binary")
							    : json_pack("{s:s}", "type", "string"));
		}
		schema = json_pack("{s:s, s:o}", "type", "object", "properties", props);
		ct = strcmp(mode, "urlencoded") == 0 ? "application/x-www-form-urlencoded"
						     : "multipart/form-data";
	}
	if (schema)
		json_object_set_new(op, "requestBody",
				    json_pack("{s:{s:{s:o}}}", "content", ct, "schema", schema));
	json_t *item = json_object_get(paths, path.data);
	if (!item) {
		item = json_object();
		json_object_set_new(paths, path.data, item);
	}
	char lower[8] = {0};
	for (size_t k = 0; k < sizeof(lower) - 1 && method[k]; k++)
		lower[k] =
			(char)(method[k] >= 'A' && method[k] <= 'Z' ? method[k] + 32 : method[k]);
	if (!json_object_get(item, lower))
		json_object_set_new(item, lower, op);
	else
		json_decref(op);
	buf_release(&path);
}

static void walk(json_t *paths, json_t *items, const char *tag, int depth, json_t **first_url)
{
	size_t i;
	json_t *it;
	if (depth > POSTMAN_DEPTH)
		return;
	json_array_foreach(items, i, it) {
		const char *name = json_string_value(json_object_get(it, "name"));
		if (json_is_array(json_object_get(it, "item"))) {
			walk(paths, json_object_get(it, "item"), name, depth + 1, first_url);
			continue;
		}
		json_t *req = json_object_get(it, "request");
		if (!*first_url)
			*first_url = json_object_get(req, "url");
		add_request(paths, req, name, tag);
	}
}

static json_t *security(json_t *auth)
{
	const char *type = json_string_value(json_object_get(auth, "type"));
	if (!type)
		return NULL;
	if (strcmp(type, "bearer") == 0)
		return json_pack("{s:s, s:s}", "type", "http", "scheme", "bearer");
	if (strcmp(type, "basic") == 0)
		return json_pack("{s:s, s:s}", "type", "http", "scheme", "basic");
	if (strcmp(type, "apikey") == 0) {
		const char *key = "X-API-Key", *in = "header";
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(auth, "apikey"), i, v) {
			const char *k = json_string_value(json_object_get(v, "key"));
			const char *val = json_string_value(json_object_get(v, "value"));
			if (k && val && strcmp(k, "key") == 0)
				key = val;
			if (k && val && strcmp(k, "in") == 0)
				in = val;
		}
		return json_pack("{s:s, s:s, s:s}", "type", "apiKey", "name", key, "in", in);
	}
	if (strcmp(type, "oauth2") == 0) {
		const char *au = NULL, *tu = NULL;
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(auth, "oauth2"), i, v) {
			const char *k = json_string_value(json_object_get(v, "key"));
			const char *val = json_string_value(json_object_get(v, "value"));
			if (k && val && strcmp(k, "authUrl") == 0)
				au = val;
			if (k && val && strcmp(k, "accessTokenUrl") == 0)
				tu = val;
		}
		return json_pack("{s:s, s:{s:{s:s, s:s, s:{}}}}", "type", "oauth2", "flows",
				 "authorizationCode", "authorizationUrl", au ? au : "", "tokenUrl",
				 tu ? tu : "", "scopes");
	}
	return NULL;
}

json_t *import_postman(json_t *doc, struct err *err)
{
	json_t *info = json_object_get(doc, "info");
	const char *schema = json_string_value(json_object_get(info, "schema"));
	if (!schema || !strstr(schema, "postman") || !json_is_array(json_object_get(doc, "item"))) {
		err_set(err, "not a Postman v2.1 collection");
		return NULL;
	}
	json_t *paths = json_object();
	json_t *first_url = NULL;
	walk(paths, json_object_get(doc, "item"), NULL, 0, &first_url);
	const char *title = json_string_value(json_object_get(info, "name"));
	json_t *out =
		json_pack("{s:s, s:{s:s, s:s, s:s*}, s:o}", "openapi", "3.0.3", "info", "title",
			  title ? title : "Postman collection", "version", "1", "description",
			  json_string_value(json_object_get(info, "description")), "paths", paths);
	/* The server: the first request's protocol and host; "{{baseUrl}}"
	 * becomes a server variable with the collection variable's value. */
	json_t *host = json_object_get(first_url, "host");
	if (json_array_size(host)) {
		struct buf b;
		buf_init(&b, IMPORT_TEXT_MAX);
		const char *proto = json_string_value(json_object_get(first_url, "protocol"));
		json_t *vars = json_object();
		size_t i;
		json_t *v;
		if (proto)
			buf_addf(&b, "%s://", proto);
		json_array_foreach(host, i, v) {
			char *seg = segment(json_string_value(v) ? json_string_value(v) : "");
			buf_addf(&b, "%s%s", i ? "." : "", seg);
			if (seg[0] == '{') {
				char *name = xstrndup(seg + 1, strlen(seg) - 2);
				const char *def = NULL;
				size_t j;
				json_t *cv;
				json_array_foreach(json_object_get(doc, "variable"), j, cv)
					if (json_is_string(json_object_get(cv, "key")) &&
					    strcmp(json_string_value(json_object_get(cv, "key")),
						   name) == 0)
						def = json_string_value(
							json_object_get(cv, "value"));
				json_object_set_new(vars, name,
						    json_pack("{s:s}", "default", def ? def : ""));
				free(name);
			}
			free(seg);
		}
		buf_add(&b, "", 1);
		json_t *server = json_pack("{s:s}", "url", b.data);
		if (json_object_size(vars))
			json_object_set(server, "variables", vars);
		json_decref(vars);
		json_object_set_new(out, "servers", json_pack("[o]", server));
		buf_release(&b);
	}
	json_t *sec = security(json_object_get(doc, "auth"));
	if (sec) {
		json_object_set_new(out, "components",
				    json_pack("{s:{s:o}}", "securitySchemes", "collection", sec));
		json_object_set_new(out, "security", json_pack("[{s:[]}]", "collection"));
	}
	return out;
}
