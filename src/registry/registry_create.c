/* registry_create.c - a new connector document from the Create Connector
 * fields: the one builder behind `connectors create` and the ui page. */
#include "registry_create.h"

#include <string.h>

#include "registry.h"

#define NAME_MAX_LEN 200

char *registry_create_slug(const char *name)
{
	char *slug = xcalloc(1, REGISTRY_SLUG_MAX + 1);
	size_t n = 0;
	for (const char *p = name; p && *p && n < REGISTRY_SLUG_MAX; p++) {
		char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
		if ((ch >= 'a' && ch <= 'z') || (n && ch >= '0' && ch <= '9'))
			slug[n++] = ch;
	}
	return slug;
}

static int is_slug(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= REGISTRY_SLUG_MAX && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

int registry_create_is_host(const char *s)
{
	size_t total = strlen(s), label = 0;
	int digits_only = 1;
	if (total == 0 || total > 253)
		return 0;
	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return 0;
			if (*p == '\0')
				return !digits_only;
			label = 0;
			digits_only = 1;
			continue;
		}
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		int digit = *p >= '0' && *p <= '9';
		if (!alpha && !digit && (*p != '-' || label == 0))
			return 0;
		digits_only &= digit;
		label++;
	}
}

/* "https://" and a host after it. */
static int is_https(const char *url)
{
	return url && strncmp(url, "https://", 8) == 0 && url[8] && !strchr("/?#:", url[8]);
}

/* One field declaration of an auth method. New. */
static json_t *field(const char *slug, const char *name, const char *label, int secret)
{
	char *env = xasprintf("%s_%s", slug, name);
	for (char *p = env; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	json_t *f = json_pack("{s:s, s:b, s:b, s:s, s:s}", "type", "string", "secret", secret,
			      "required", 1, "env", env, "label", label);
	free(env);
	return f;
}

static int is_token(const char *s)
{
	return s && *s &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			 "!#$%&'*+-.^_`|~") == strlen(s);
}

static json_t *method_api_key(const char *slug, const struct registry_create_auth *a,
			      struct err *err)
{
	const char *in = a && a->key_in ? a->key_in : "header";
	int query = strcmp(in, "query") == 0;
	const char *name = a && a->key_name ? a->key_name : query ? "api_key" : "X-API-Key";
	const char *format = a && a->key_format ? a->key_format : "{api_key}";
	if (!query && strcmp(in, "header") != 0) {
		err_set(err, "api_key: the key goes in a header or a query parameter, not '%s'",
			in);
		return NULL;
	}
	if (!is_token(name)) {
		err_set(err, "api_key: '%s' is not a %s name", name,
			query ? "query parameter" : "header");
		return NULL;
	}
	if (!strstr(format, "{api_key}") || strpbrk(format, "\r\n")) {
		err_set(err, "api_key: the value template must hold {api_key} (such as "
			     "\"Bearer {api_key}\")");
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:o}}", "type", "api_key", "label",
			 query ? "API key in the query" : "API key", "in", in, "name", name,
			 "format", format, "fields", "api_key",
			 field(slug, "api_key", "API key", 1));
}

/* "a, b c" -> ["a", "b", "c"]. New. */
static json_t *scope_list(const char *s)
{
	json_t *list = json_array();
	while (s && *s) {
		s += strspn(s, ", \t");
		size_t n = strcspn(s, ", \t");
		if (n)
			json_array_append_new(list, json_stringn(s, n));
		s += n;
	}
	return list;
}

static json_t *method_oauth2(const struct registry_create_auth *a, struct err *err)
{
	const char *auth = a ? a->authorize_url : NULL, *token = a ? a->token_url : NULL;
	if (!is_https(auth) || !is_https(token)) {
		err_set(err, "oauth2 needs the vendor's authorize URL and token URL, both https");
		return NULL;
	}
	json_t *scopes = scope_list(a->scopes);
	return json_pack("{s:s, s:s, s:s, s:s, s:O, s:o}", "type", "oauth2", "label", "OAuth 2.0",
			 "authorize_url", auth, "token_url", token, "scopes", scopes,
			 "default_scopes", scopes);
}

/* custom: the headers, and a secret field for each {name} they hold. */
static json_t *method_custom(const char *slug, const struct registry_create_auth *a,
			     struct err *err)
{
	json_t *headers = a ? a->custom_headers : NULL, *fields = json_object(), *v;
	const char *k;
	if (!json_object_size(headers)) {
		json_decref(fields);
		err_set(err, "custom needs at least one header (\"Name: {field}\")");
		return NULL;
	}
	json_object_foreach(headers, k, v) {
		const char *t = json_string_value(v);
		if (!is_token(k) || !t || strpbrk(t, "\r\n")) {
			json_decref(fields);
			err_set(err, "custom: '%s' is not a header name with a one-line value", k);
			return NULL;
		}
		for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{')) {
			size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");
			if (n == 0 || p[1 + n] != '}' || p[1] < 'a' || p[1] > 'z') {
				json_decref(fields);
				err_set(err,
					"custom: header '%s': a field is written {name} (lowercase "
					"letters, digits and _)",
					k);
				return NULL;
			}
			char *name = xstrndup(p + 1, n);
			if (!json_object_get(fields, name))
				json_object_set_new(fields, name, field(slug, name, name, 1));
			free(name);
		}
	}
	if (!json_object_size(fields)) {
		json_decref(fields);
		err_set(err, "custom: no header names a field ({field}), so nothing is secret");
		return NULL;
	}
	return json_pack("{s:s, s:s, s:O, s:o}", "type", "custom", "label", "Custom headers",
			 "headers", headers, "fields", fields);
}

json_t *registry_create_method(const char *type, const char *slug,
			       const struct registry_create_auth *a, struct err *err)
{
	if (strcmp(type, "none") == 0)
		return json_pack("{s:s, s:s}", "type", "none", "label", "No authentication");
	if (strcmp(type, "basic") == 0)
		return json_pack("{s:s, s:s, s:{s:o, s:o}}", "type", "basic", "label",
				 "Username and password", "fields", "username",
				 field(slug, "username", "Username", 0), "password",
				 field(slug, "password", "Password", 1));
	if (strcmp(type, "bearer") == 0)
		return json_pack("{s:s, s:s, s:{s:o}}", "type", "bearer", "label", "Bearer token",
				 "fields", "token", field(slug, "token", "Token", 1));
	if (strcmp(type, "api_key") == 0)
		return method_api_key(slug, a, err);
	if (strcmp(type, "oauth2") == 0)
		return method_oauth2(a, err);
	if (strcmp(type, "custom") == 0)
		return method_custom(slug, a, err);
	err_set(err, "no auth method '%s' (none, basic, bearer, api_key, oauth2 or custom)", type);
	return NULL;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return 1;
	return 0;
}

/* The fields one by one, each wrong one named. 0 or -1 with err. */
static int check_fields(const struct registry_create *rc, const char *slug, struct err *err)
{
	size_t i;
	json_t *m;
	if (!rc->name || !*rc->name || strlen(rc->name) > NAME_MAX_LEN || has_control(rc->name))
		return err_set(err, "a name is required (one line, at most %d characters)",
			       NAME_MAX_LEN);
	if (!is_slug(slug))
		return err_set(err,
			       "slug '%s': lowercase letters and digits, starting with a letter, "
			       "at most %d (it prefixes every tool name: %s_customers_list)",
			       slug, REGISTRY_SLUG_MAX, *slug ? slug : "acme");
	/* `connectors SLUG` would run the subcommand instead. */
	static const char *const reserved[] = {"create", "edit", "import", "test"};
	for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
		if (strcmp(slug, reserved[k]) == 0)
			return err_set(err, "slug '%s' is a connectors subcommand; choose another",
				       slug);
	if (rc->domain && !registry_create_is_host(rc->domain))
		return err_set(err, "domain '%s' is not a host name (such as salesforce.com)",
			       rc->domain);
	if (rc->visibility && strcmp(rc->visibility, "private") != 0 &&
	    strcmp(rc->visibility, "public") != 0)
		return err_set(err, "visibility is private or public, not '%s'", rc->visibility);
	if (rc->icon_url && !is_https(rc->icon_url))
		return err_set(err, "the icon URL must be https");
	if (rc->base_url && strncmp(rc->base_url, "https://", 8) != 0 &&
	    strncmp(rc->base_url, "http://", 7) != 0)
		return err_set(err, "the base URL must start with https://");
	if (!json_array_size(rc->methods))
		return err_set(err, "choose at least one auth method");
	int found = !rc->default_auth;
	json_array_foreach(rc->methods, i, m) {
		const char *t = json_string_value(json_object_get(m, "type"));
		for (size_t j = 0; j < i; j++)
			if (strcmp(t, json_string_value(json_object_get(
					      json_array_get(rc->methods, j), "type"))) == 0)
				return err_set(err, "auth method '%s' is given twice", t);
		found |= rc->default_auth && strcmp(rc->default_auth, t) == 0;
	}
	if (!found)
		return err_set(err, "the default auth method '%s' is not one of the methods",
			       rc->default_auth);
	return 0;
}

json_t *registry_create_doc(const struct registry_create *rc, struct err *err)
{
	char *slug = rc->slug ? xstrdup(rc->slug) : registry_create_slug(rc->name);
	char *description = NULL;
	json_t *doc = NULL;
	if (check_fields(rc, slug, err) < 0)
		goto out;
	description = rc->description && *rc->description ? xstrdup(rc->description)
							  : xasprintf("%s.", rc->name);
	const char *def = rc->default_auth ? rc->default_auth
					   : json_string_value(json_object_get(
						     json_array_get(rc->methods, 0), "type"));
	doc = json_pack("{s:i, s:s, s:s, s:s, s:s}", "format", 1, "slug", slug, "name", rc->name,
			"description", description, "category",
			rc->category && *rc->category ? rc->category : "Other");
	if (rc->domain)
		json_object_set_new(doc, "domain", json_string(rc->domain));
	json_object_set_new(doc, "visibility",
			    json_string(rc->visibility ? rc->visibility : "private"));
	if (rc->icon_url)
		json_object_set_new(doc, "icon_url", json_string(rc->icon_url));
	if (rc->created_by && *rc->created_by)
		json_object_set_new(doc, "created_by", json_string(rc->created_by));
	if (rc->base_url)
		json_object_set_new(doc, "base_url", json_string(rc->base_url));
	json_object_set_new(doc, "auth",
			    json_pack("{s:s, s:O}", "default", def, "methods", rc->methods));
	json_object_set_new(doc, "entities", json_object());
	if (registry_check_doc("the new connector", doc, err) < 0) {
		json_decref(doc);
		doc = NULL;
	}
out:
	free(slug);
	free(description);
	return doc;
}
