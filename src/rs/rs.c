/* rs.c - the OAuth 2.1 resource server: its configuration, the
 * Authorization header, static tokens, RFC 7662 introspection, the claims
 * every token must carry, and the answers of RFC 6750 and RFC 9728.
 * JWT signatures are rs_jwt.c's. */
#include "rs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonx.h"
#include "log.h"
#include "rs_int.h"
#include "urlenc.h"

#define CONFIG_MAX 65536
#define TOKENS_MAX (4 * 1024 * 1024)
#define TOKEN_MAX 16384 /* a longer bearer token is refused unread */
#define CLAIM_MAX 256   /* a principal's or group's name */
#define INTRO_MAX 1024  /* introspection answers kept */
#define INTRO_TIMEOUT 5000

/* An introspection answer kept for a while, by the token's SHA-256. */
struct rs_intro {
	unsigned char hash[32];
	long long until; /* seconds */
	struct rs_verdict verdict;
};

int rs_fail(struct rs_verdict *out, int status, const char *fmt, ...)
{
	va_list ap;
	out->status = status;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	return -1;
}

void rs_caller_free(struct caller *c)
{
	if (!c)
		return;
	free(c->subject);
	json_decref(c->groups);
	json_decref(c->scopes);
	free(c);
}

static struct caller *caller_copy(const struct caller *c)
{
	struct caller *n = xcalloc(1, sizeof(*n));
	n->subject = xstrdup(c->subject);
	n->groups = json_deep_copy(c->groups);
	n->scopes = json_deep_copy(c->scopes);
	return n;
}

json_t *rs_caller_json(const struct caller *c)
{
	return json_pack("{s:s, s:O, s:O}", "subject", c->subject, "groups", c->groups, "scopes",
			 c->scopes);
}

void rs_verdict_release(struct rs_verdict *v)
{
	if (!v)
		return;
	rs_caller_free(v->caller);
	v->caller = NULL;
	free(v->www_authenticate);
	v->www_authenticate = NULL;
}

char *rs_token_hash(const char *token)
{
	unsigned char h[32];
	crypto_sha256(token, strlen(token), h);
	char *hex = crypto_hex(h, sizeof(h));
	char *s = xasprintf("sha256:%s", hex);
	free(hex);
	return s;
}

/* ---- URIs ---- */

char *rs_canon_uri(const char *uri)
{
	char *s = xstrdup(uri);
	char *p = strstr(s, "://");
	size_t len;

	if (p) {
		for (char *q = s; q < p; q++)
			*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
		for (char *q = p + 3; *q && *q != '/' && *q != '?' && *q != '#'; q++)
			*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
	}
	len = strlen(s);
	if (len > 0 && s[len - 1] == '/')
		s[len - 1] = '\0';
	return s;
}

/* The metadata's URL and path from the resource (RFC 9728 3.1: the
 * well-known segment goes between the host and the resource's path). */
static int metadata_where(struct rs *rs, struct err *err)
{
	const char *r = rs->resource, *p = strstr(r, "://"), *path;

	if (!p || (strncasecmp(r, "https://", 8) != 0 && strncasecmp(r, "http://", 7) != 0) ||
	    p[3] == '\0' || p[3] == '/')
		return err_set(err, "resource '%s' is not an absolute http(s) URI", r);
	if (strpbrk(r, "#?\"\\ \t\r\n"))
		return err_set(err, "resource '%s' may have no query, fragment, quote or space", r);
	path = strchr(p + 3, '/');
	if (!path)
		path = "";
	size_t plen = strlen(path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	rs->metadata_path = xasprintf("/.well-known/oauth-protected-resource%.*s", (int)plen, path);
	rs->metadata_url = xasprintf("%.*s%s", (int)(path - r), r, rs->metadata_path);
	return 0;
}

/* ---- the configuration ---- */

/* Config keys, all optional but resource's fallback; see README.md. */
static const char *const config_keys[] = {"resource",
					  "issuer",
					  "jwks_uri",
					  "introspection_endpoint",
					  "client_id",
					  "client_secret",
					  "authorization_servers",
					  "scopes_supported",
					  "required_scopes",
					  "principal_claim",
					  "groups_claim",
					  "tokens_file",
					  "jwks_max_age",
					  "jwks_min_refetch",
					  "leeway",
					  "introspection_cache",
					  "jwks",
					  NULL};

static int config_str(json_t *cfg, const char *name, char **out, struct err *err)
{
	json_t *v = json_object_get(cfg, name);
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return err_set(err, "auth config: '%s' must be a non-empty string", name);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int config_num(json_t *cfg, const char *name, long long *out, struct err *err)
{
	json_t *v = json_object_get(cfg, name);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 86400 * 7)
		return err_set(err, "auth config: '%s' must be a number of seconds", name);
	*out = json_integer_value(v);
	return 0;
}

static int config_strings(json_t *cfg, const char *name, json_t **out, struct err *err)
{
	json_t *v = json_object_get(cfg, name), *item;
	size_t i;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return err_set(err, "auth config: '%s' must be an array of strings", name);
	json_array_foreach(v, i, item) {
		const char *s = json_string_value(item);
		if (!s || !*s || strpbrk(s, " \"\\\t\r\n"))
			return err_set(err,
				       "auth config: '%s' must be an array of strings without "
				       "spaces or quotes",
				       name);
	}
	*out = json_deep_copy(v);
	return 0;
}

static int has_word(json_t *list, const char *w)
{
	json_t *item;
	size_t i;
	json_array_foreach(list, i, item) {
		if (strcmp(json_string_value(item), w) == 0)
			return 1;
	}
	return 0;
}

/* A file others may read or write is refused, as the key file is. */
static int check_private(const char *path, const char *what, struct err *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return err_set(err, "cannot open %s '%s': %s", what, path, strerror(errno));
	if (st.st_mode & 077)
		return err_set(err, "%s '%s' is open to others (mode %o); run: chmod 600 '%s'",
			       what, path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The tokens file: one token a line, "sha256:<hex> PRINCIPAL [GROUP,...]";
 * blank lines and lines starting with '#' are skipped. */
static int load_statics(struct rs *rs, const char *path, struct err *err)
{
	size_t len = 0, cap = 16, lineno = 0;
	char *text, *save = NULL;
	int ret = -1;

	if (check_private(path, "tokens file", err) < 0)
		return -1;
	if (!(text = read_file(path, TOKENS_MAX, &len, err)))
		return -1;
	rs->statics = xcalloc(cap, sizeof(*rs->statics));
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f_save = NULL, *hash, *who, *groups, *hex;
		size_t hlen = 0;
		lineno++;
		hash = strtok_r(line, " \t\r", &f_save);
		if (!hash || hash[0] == '#')
			continue;
		who = strtok_r(NULL, " \t\r", &f_save);
		groups = strtok_r(NULL, " \t\r", &f_save);
		hex = strncmp(hash, "sha256:", 7) == 0 ? hash + 7 : NULL;
		if (!hex || strlen(hex) != 64 || !who || strlen(who) > CLAIM_MAX ||
		    strtok_r(NULL, " \t\r", &f_save)) {
			err_set(err,
				"tokens file '%s' line %zu: want 'sha256:<64 hex digits> PRINCIPAL "
				"[GROUP,...]' (switchboard auth hash-token makes the first)",
				path, lineno);
			goto out;
		}
		if (rs->n_statics == cap)
			rs->statics = xrealloc(rs->statics, (cap *= 2) * sizeof(*rs->statics));
		struct rs_static *s = &rs->statics[rs->n_statics];
		for (hlen = 0; hlen < 32; hlen++) {
			int hi = hex_digit(hex[2 * hlen]), lo = hex_digit(hex[2 * hlen + 1]);
			if (hi < 0 || lo < 0)
				break;
			s->hash[hlen] = (unsigned char)(hi << 4 | lo);
		}
		if (hlen != 32) {
			err_set(err, "tokens file '%s' line %zu: the hash is not hex", path,
				lineno);
			goto out;
		}
		s->subject = xstrdup(who);
		s->groups = json_array();
		for (char *g_save = NULL, *g = groups ? strtok_r(groups, ",", &g_save) : NULL; g;
		     g = strtok_r(NULL, ",", &g_save))
			json_array_append_new(s->groups, json_string(g));
		rs->n_statics++;
	}
	ret = 0;
out:
	free_secret(text);
	return ret;
}

struct rs *rs_new(json_t *cfg, const char *base_dir, const char *default_resource, struct err *err)
{
	struct rs *rs = xcalloc(1, sizeof(*rs));
	char *tokens_file = NULL;
	const char *key;
	json_t *v;

	pthread_mutex_init(&rs->lock, NULL);
	pthread_mutex_init(&rs->fetch_lock, NULL);
	rs->jwks_max_age = 600;
	rs->jwks_min_refetch = 10;
	rs->leeway = 60;
	rs->intro_cache_s = 60;
	if (!json_is_object(cfg)) {
		err_set(err, "auth config: not a JSON object");
		goto fail;
	}
	json_object_foreach(cfg, key, v) {
		size_t i = 0;
		while (config_keys[i] && strcmp(config_keys[i], key) != 0)
			i++;
		if (!config_keys[i]) {
			err_set(err, "auth config: unknown key '%s'", key);
			goto fail;
		}
	}
	if (config_str(cfg, "resource", &rs->resource, err) < 0 ||
	    config_str(cfg, "issuer", &rs->issuer, err) < 0 ||
	    config_str(cfg, "jwks_uri", &rs->jwks_uri, err) < 0 ||
	    config_str(cfg, "introspection_endpoint", &rs->introspection_endpoint, err) < 0 ||
	    config_str(cfg, "client_id", &rs->client_id, err) < 0 ||
	    config_str(cfg, "client_secret", &rs->client_secret, err) < 0 ||
	    config_str(cfg, "principal_claim", &rs->principal_claim, err) < 0 ||
	    config_str(cfg, "groups_claim", &rs->groups_claim, err) < 0 ||
	    config_str(cfg, "tokens_file", &tokens_file, err) < 0 ||
	    config_strings(cfg, "authorization_servers", &rs->authorization_servers, err) < 0 ||
	    config_strings(cfg, "scopes_supported", &rs->scopes_supported, err) < 0 ||
	    config_strings(cfg, "required_scopes", &rs->required_scopes, err) < 0 ||
	    config_num(cfg, "jwks_max_age", &rs->jwks_max_age, err) < 0 ||
	    config_num(cfg, "jwks_min_refetch", &rs->jwks_min_refetch, err) < 0 ||
	    config_num(cfg, "leeway", &rs->leeway, err) < 0 ||
	    config_num(cfg, "introspection_cache", &rs->intro_cache_s, err) < 0)
		goto fail;
	if (rs->client_secret)
		log_add_secret(rs->client_secret);
	if (!rs->resource && default_resource)
		rs->resource = xstrdup(default_resource);
	if (!rs->resource) {
		err_set(err, "auth config: 'resource' (this server's canonical URI) is missing");
		goto fail;
	}
	if (metadata_where(rs, err) < 0)
		goto fail;
	rs->resource_canon = rs_canon_uri(rs->resource);
	if (!rs->principal_claim)
		rs->principal_claim = xstrdup("sub");
	if (!rs->required_scopes)
		rs->required_scopes = json_array();
	/* The MCP specification: refresh tokens are no resource requirement. */
	if (has_word(rs->required_scopes, "offline_access") ||
	    (rs->scopes_supported && has_word(rs->scopes_supported, "offline_access")))
		log_warn("auth config: offline_access is not a scope of this server; leave it out "
			 "of scopes_supported and required_scopes");
	if ((rs->jwks_uri || rs->introspection_endpoint) && !rs->issuer) {
		err_set(err, "auth config: 'issuer' is needed to check tokens");
		goto fail;
	}
	if (rs->introspection_endpoint && (!rs->client_id || !rs->client_secret)) {
		err_set(err, "auth config: introspection needs 'client_id' and 'client_secret'");
		goto fail;
	}
	if ((v = json_object_get(cfg, "jwks"))) {
		/* The issuer's keys given inline, for an issuer that cannot be
		 * reached from here: never fetched, never rotated. */
		if (rs->jwks_uri || rs_keys_from(v, &rs->keys, &rs->n_keys) < 0) {
			err_set(err,
				"auth config: 'jwks' must be a JWK Set, and not with 'jwks_uri'");
			goto fail;
		}
		rs->have_keys = 1;
	}
	if (rs->have_keys && !rs->issuer) {
		err_set(err, "auth config: 'issuer' is needed to check tokens");
		goto fail;
	}
	/* The issuer alone: its keys are found through its metadata. */
	rs->discover = rs->issuer && !rs->jwks_uri && !rs->have_keys && !rs->introspection_endpoint;
	rs->jwt = rs->jwks_uri || rs->have_keys || rs->discover;
	if (!rs->jwt && !rs->introspection_endpoint && !tokens_file) {
		err_set(err, "auth config: name 'issuer', 'jwks_uri', 'introspection_endpoint' or "
			     "'tokens_file'");
		goto fail;
	}
	const char *urls[] = {rs->jwks_uri, rs->introspection_endpoint,
			      rs->discover ? rs->issuer : NULL};
	for (size_t i = 0; i < 3; i++)
		if (urls[i] && !urlenc_allows_credentials(urls[i])) {
			err_set(err,
				"auth config: refusing to ask the issuer over plain http ('%s'); "
				"use https (plain http only to this machine)",
				urls[i]);
			goto fail;
		}
	if (!rs->authorization_servers) {
		rs->authorization_servers = json_array();
		if (rs->issuer)
			json_array_append_new(rs->authorization_servers, json_string(rs->issuer));
	}
	if (tokens_file) {
		char *path = tokens_file[0] == '/' || !base_dir
				     ? xstrdup(tokens_file)
				     : xasprintf("%s/%s", base_dir, tokens_file);
		int r = load_statics(rs, path, err);
		free(path);
		if (r < 0)
			goto fail;
	}
	if ((rs->jwks_uri || rs->discover || rs->introspection_endpoint) &&
	    !(rs->http = http_new(err)))
		goto fail;
	free(tokens_file);
	return rs;
fail:
	free(tokens_file);
	rs_free(rs);
	return NULL;
}

struct rs *rs_load(const char *path, const char *default_resource, struct err *err)
{
	json_error_t jerr;
	json_t *cfg;
	struct rs *rs = NULL;
	char *text, *dir = NULL;
	size_t len = 0;

	if (!(text = read_file(path, CONFIG_MAX, &len, err)))
		return NULL;
	cfg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free_secret(text);
	if (!cfg) {
		err_set(err, "auth config '%s' line %d: %s", path, jerr.line, jerr.text);
		return NULL;
	}
	if (json_object_get(cfg, "client_secret") && check_private(path, "auth config", err) < 0)
		goto out;
	const char *slash = strrchr(path, '/');
	dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	rs = rs_new(cfg, dir, default_resource, err);
out:
	free(dir);
	json_decref(cfg);
	return rs;
}

void rs_free(struct rs *rs)
{
	if (!rs)
		return;
	http_free(rs->http);
	rs_keys_clear(rs);
	for (size_t i = 0; i < rs->n_intros; i++)
		rs_verdict_release(&rs->intros[i].verdict);
	free(rs->intros);
	for (size_t i = 0; i < rs->n_statics; i++) {
		free(rs->statics[i].subject);
		json_decref(rs->statics[i].groups);
	}
	free(rs->statics);
	free(rs->resource);
	free(rs->resource_canon);
	free(rs->metadata_url);
	free(rs->metadata_path);
	free(rs->issuer);
	free(rs->jwks_uri);
	free(rs->found_jwks_uri);
	free(rs->introspection_endpoint);
	free(rs->client_id);
	free_secret(rs->client_secret);
	free(rs->principal_claim);
	free(rs->groups_claim);
	json_decref(rs->authorization_servers);
	json_decref(rs->scopes_supported);
	json_decref(rs->required_scopes);
	pthread_mutex_destroy(&rs->lock);
	pthread_mutex_destroy(&rs->fetch_lock);
	free(rs);
}

const char *rs_metadata_url(const struct rs *rs)
{
	return rs->metadata_url;
}

const char *rs_metadata_path(const struct rs *rs)
{
	return rs->metadata_path;
}

const char *rs_resource(const struct rs *rs)
{
	return rs->resource;
}

json_t *rs_metadata(const struct rs *rs)
{
	json_t *m = json_pack("{s:s, s:[s], s:s}", "resource", rs->resource,
			      "bearer_methods_supported", "header", "resource_name", "switchboard");
	if (json_array_size(rs->authorization_servers))
		json_object_set(m, "authorization_servers", rs->authorization_servers);
	if (rs->scopes_supported)
		json_object_set(m, "scopes_supported", rs->scopes_supported);
	return m;
}

/* ---- the claims ---- */

/* A claim by name, or by JSON pointer when it starts with '/'
 * (Keycloak's "/realm_access/roles"). Borrowed. */
static json_t *claim(json_t *claims, const char *name)
{
	return name[0] == '/' ? jsonx_pointer(claims, name) : json_object_get(claims, name);
}

/* Strings from a claim that is an array of strings or one string of
 * space-separated words; anything else gives an empty array. New. */
static json_t *claim_words(json_t *v)
{
	json_t *out = json_array(), *item;
	size_t i;

	if (json_is_string(v)) {
		char *save = NULL, *copy = xstrdup(json_string_value(v));
		for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
			if (strlen(w) <= CLAIM_MAX)
				json_array_append_new(out, json_string(w));
		free(copy);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (json_is_string(item) && json_string_length(item) <= CLAIM_MAX)
				json_array_append(out, item);
		}
	}
	return out;
}

/* Does aud (a string or an array of strings) name this server? */
static int aud_names_us(struct rs *rs, json_t *aud)
{
	json_t *list = json_is_string(aud) ? json_pack("[O]", aud) : json_incref(aud), *item;
	size_t i;
	int found = 0;

	/* list: a new reference, dropped below. */
	json_array_foreach(list, i, item) {
		if (!json_is_string(item))
			continue;
		char *c = rs_canon_uri(json_string_value(item));
		found = found || strcmp(c, rs->resource_canon) == 0;
		free(c);
	}
	json_decref(list);
	return found;
}

/* A NumericDate claim as whole seconds, clamped so that no double is cast
 * out of range; 0 when it is not a number. */
static int claim_time(json_t *v, long long *out)
{
	double d = json_number_value(v);
	if (!json_is_number(v) || d != d)
		return 0;
	*out = d > 1e15 ? (long long)1e15 : d < -1e15 ? (long long)-1e15 : (long long)d;
	return 1;
}

void rs_check_claims(struct rs *rs, json_t *claims, long long now, int jwt, struct rs_verdict *out)
{
	json_t *iss = json_object_get(claims, "iss"), *aud = json_object_get(claims, "aud");
	json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");
	json_t *who = claim(claims, rs->principal_claim), *scopes, *item;
	struct caller *c;
	long long t = 0;
	size_t i;

	/* An introspection answer comes from the issuer itself, so its iss
	 * and exp may be left out (RFC 7662 2.2); a JWT must carry them. The
	 * audience is checked either way (RFC 8707, the MCP specification). */
	if ((iss || jwt) &&
	    (!json_is_string(iss) || strcmp(json_string_value(iss), rs->issuer) != 0)) {
		rs_fail(out, 401, "the token was issued by another issuer");
		return;
	}
	if (!aud_names_us(rs, aud)) {
		rs_fail(out, 401, "the token is meant for another audience");
		return;
	}
	if (jwt && !json_is_number(exp)) {
		rs_fail(out, 401, "the token has no expiry");
		return;
	}
	if (exp && (!claim_time(exp, &t) || now > t + rs->leeway)) {
		rs_fail(out, 401, "the token has expired");
		return;
	}
	if (nbf && (!claim_time(nbf, &t) || now + rs->leeway < t)) {
		rs_fail(out, 401, "the token is not valid yet");
		return;
	}
	if (!json_is_string(who) || json_string_length(who) == 0 ||
	    json_string_length(who) > CLAIM_MAX) {
		rs_fail(out, 401, "the token names no principal ('%s')", rs->principal_claim);
		return;
	}
	scopes = json_object_get(claims, "scope");
	scopes = claim_words(scopes ? scopes : json_object_get(claims, "scp"));
	json_array_foreach(rs->required_scopes, i, item) {
		if (!has_word(scopes, json_string_value(item))) {
			json_decref(scopes);
			rs_fail(out, 403, "the token lacks a required scope");
			return;
		}
	}
	c = xcalloc(1, sizeof(*c));
	c->subject = xstrdup(json_string_value(who));
	c->groups = claim_words(rs->groups_claim ? claim(claims, rs->groups_claim) : NULL);
	c->scopes = scopes;
	out->caller = c;
	out->status = 200;
	snprintf(out->reason, sizeof(out->reason), "verified");
}

/* ---- static tokens ---- */

/* 1 and the caller when the token is in the tokens file. Every entry is
 * compared, in constant time, whatever matched. */
static int static_check(struct rs *rs, const char *token, struct rs_verdict *out)
{
	unsigned char h[32];
	struct rs_static *hit = NULL;

	if (!rs->n_statics)
		return 0;
	crypto_sha256(token, strlen(token), h);
	for (size_t i = 0; i < rs->n_statics; i++)
		if (crypto_memeq(h, rs->statics[i].hash, 32))
			hit = &rs->statics[i];
	if (!hit)
		return 0;
	struct caller *c = xcalloc(1, sizeof(*c));
	c->subject = xstrdup(hit->subject);
	c->groups = json_deep_copy(hit->groups);
	/* A static token is trusted with every scope this server knows. */
	c->scopes = rs->scopes_supported ? json_deep_copy(rs->scopes_supported) : json_array();
	json_array_extend(c->scopes, rs->required_scopes);
	out->caller = c;
	out->status = 200;
	snprintf(out->reason, sizeof(out->reason), "static token");
	return 1;
}

/* ---- introspection (RFC 7662) ---- */

/* A kept answer for the token's hash (lock held); copied into out. */
static int intro_cached(struct rs *rs, const unsigned char h[32], long long now,
			struct rs_verdict *out)
{
	for (size_t i = 0; i < rs->n_intros; i++) {
		struct rs_intro *e = &rs->intros[i];
		if (e->until <= now || !crypto_memeq(e->hash, h, 32))
			continue;
		out->status = e->verdict.status;
		memcpy(out->reason, e->verdict.reason, sizeof(out->reason));
		if (e->verdict.caller)
			out->caller = caller_copy(e->verdict.caller);
		return 1;
	}
	return 0;
}

/* Keep an answer (lock held): expired ones go first, and when the cache
 * is still full it starts over. */
static void intro_keep(struct rs *rs, const unsigned char h[32], long long until,
		       const struct rs_verdict *v)
{
	size_t kept = 0;
	for (size_t i = 0; i < rs->n_intros; i++) {
		if (rs->intros[i].until > now_s() && !crypto_memeq(rs->intros[i].hash, h, 32))
			rs->intros[kept++] = rs->intros[i];
		else
			rs_verdict_release(&rs->intros[i].verdict);
	}
	rs->n_intros = kept;
	if (rs->n_intros == INTRO_MAX) {
		for (size_t i = 0; i < rs->n_intros; i++)
			rs_verdict_release(&rs->intros[i].verdict);
		rs->n_intros = 0;
	}
	if (!rs->intros)
		rs->intros = xcalloc(INTRO_MAX, sizeof(*rs->intros));
	struct rs_intro *e = &rs->intros[rs->n_intros++];
	memcpy(e->hash, h, 32);
	e->until = until;
	memset(&e->verdict, 0, sizeof(e->verdict));
	e->verdict.status = v->status;
	memcpy(e->verdict.reason, v->reason, sizeof(v->reason));
	if (v->caller)
		e->verdict.caller = caller_copy(v->caller);
}

/* "Authorization: Basic ..." of RFC 6749 2.3.1 (each part form-encoded). */
static char *basic_header(const char *id, const char *secret)
{
	struct buf b;
	buf_init(&b, 0);
	urlenc_percent(&b, id, 0);
	buf_adds(&b, ":");
	urlenc_percent(&b, secret, 0);
	char *b64 = crypto_base64(b.data, b.len, 0);
	char *h = xasprintf("Authorization: Basic %s", b64);
	crypto_cleanse(b.data, b.len);
	buf_release(&b);
	free_secret(b64);
	return h;
}

static void introspect(struct rs *rs, const char *token, long long now, struct rs_verdict *out)
{
	unsigned char h[32];
	struct http_response resp;
	struct buf body;
	struct err err;
	json_t *doc = NULL;
	char *auth = NULL;
	long long until = now + rs->intro_cache_s;

	crypto_sha256(token, strlen(token), h);
	pthread_mutex_lock(&rs->lock);
	int hit = intro_cached(rs, h, now, out);
	pthread_mutex_unlock(&rs->lock);
	if (hit)
		return;

	err_init(&err);
	buf_init(&body, 0);
	buf_adds(&body, "token=");
	urlenc_percent(&body, token, 0);
	buf_adds(&body, "&token_type_hint=access_token");
	auth = basic_header(rs->client_id, rs->client_secret);
	const char *headers[] = {"Content-Type: application/x-www-form-urlencoded",
				 "Accept: application/json", auth, NULL};
	struct http_request req = {.method = "POST",
				   .url = rs->introspection_endpoint,
				   .headers = headers,
				   .body = body.data,
				   .body_len = body.len,
				   .timeout_ms = INTRO_TIMEOUT,
				   .connect_timeout_ms = INTRO_TIMEOUT,
				   .max_body = 65536};
	pthread_mutex_lock(&rs->fetch_lock);
	int r = http_perform(rs->http, &req, &resp, &err);
	pthread_mutex_unlock(&rs->fetch_lock);
	crypto_cleanse(body.data, body.len);
	buf_release(&body);
	free_secret(auth);
	if (r < 0) {
		log_warn("auth: cannot reach the introspection endpoint %s: %s",
			 rs->introspection_endpoint, err.msg);
		rs_fail(out, 503, "the token cannot be checked now (introspection failed)");
		goto out;
	}
	if (resp.status != 200) {
		log_warn("auth: the introspection endpoint %s answered HTTP %ld",
			 rs->introspection_endpoint, resp.status);
		rs_fail(out, 503, "the token cannot be checked now (introspection failed)");
		goto out;
	}
	doc = resp.truncated ? NULL : json_loadb(resp.body, resp.body_len, 0, NULL);
	if (!json_is_object(doc) || !json_is_boolean(json_object_get(doc, "active"))) {
		rs_fail(out, 503, "the introspection endpoint's answer is not RFC 7662's");
		goto out;
	}
	if (!json_is_true(json_object_get(doc, "active"))) {
		rs_fail(out, 401, "the token is not active");
	} else {
		rs_check_claims(rs, doc, now, 0, out);
		long long exp;
		if (claim_time(json_object_get(doc, "exp"), &exp) && exp < until)
			until = exp;
	}
	/* Kept for a short while, active or not; a token revoked meanwhile
	 * works until then (introspection_cache, 60 s by default). */
	if (rs->intro_cache_s > 0 && until > now) {
		pthread_mutex_lock(&rs->lock);
		intro_keep(rs, h, until, out);
		pthread_mutex_unlock(&rs->lock);
	}
out:
	json_decref(doc);
	http_response_release(&resp);
}

/* ---- the answer ---- */

/* Append ", " and name="value" with anything that could end the quoted
 * string or the header dropped. */
static void param(struct buf *b, const char *name, const char *value)
{
	if (b->len > strlen("Bearer "))
		buf_adds(b, ", ");
	buf_addf(b, "%s=\"", name);
	for (const char *p = value; *p; p++)
		if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 && *p != 0x7f)
			buf_add(b, p, 1);
	buf_adds(b, "\"");
}

static char *joined(json_t *list)
{
	struct buf b;
	json_t *item;
	size_t i;
	buf_init(&b, 0);
	json_array_foreach(list, i, item) {
		if (i)
			buf_adds(&b, " ");
		buf_adds(&b, json_string_value(item));
	}
	return buf_detach(&b);
}

/* The WWW-Authenticate value for a refusal (RFC 6750 3, RFC 9728 5.1). */
static char *challenge(struct rs *rs, int status, int had_token, const char *reason)
{
	struct buf b;
	json_t *want =
		json_array_size(rs->required_scopes) ? rs->required_scopes : rs->scopes_supported;
	buf_init(&b, 0);
	buf_adds(&b, "Bearer ");
	if (status == 400) {
		param(&b, "error", "invalid_request");
		param(&b, "error_description", reason);
	} else if (status == 403) {
		param(&b, "error", "insufficient_scope");
	} else if (had_token) {
		param(&b, "error", "invalid_token");
		param(&b, "error_description", reason);
	}
	if (json_array_size(want)) {
		char *s = joined(want);
		param(&b, "scope", s);
		free(s);
	}
	param(&b, "resource_metadata", rs->metadata_url);
	return buf_detach(&b);
}

/* The token of "Bearer <token>" (RFC 6750 2.1: b64token), or NULL. *kind
 * says what else it was: 0 no credentials of ours (absent, another
 * scheme), 1 a malformed Bearer header. */
static const char *bearer_token(const char *h, int *kind)
{
	*kind = 0;
	if (!h)
		return NULL;
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\0'))
		return NULL;
	*kind = 1;
	h += 6;
	while (*h == ' ')
		h++;
	size_t n =
		strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
	while (h[n] == '=')
		n++;
	if (n == 0 || n > TOKEN_MAX || strspn(h + n, " \t") != strlen(h + n))
		return NULL;
	return h;
}

void rs_authenticate_at(struct rs *rs, const char *authorization, long long now,
			struct rs_verdict *out)
{
	int kind;
	const char *t = bearer_token(authorization, &kind);
	char *token = NULL;

	memset(out, 0, sizeof(*out));
	if (!t && kind == 0) {
		rs_fail(out, 401, "no token given");
	} else if (!t) {
		rs_fail(out, 400, "the Authorization header is not 'Bearer <token>'");
	} else {
		size_t n = strcspn(t, " \t");
		token = xstrndup(t, n);
		if (static_check(rs, token, out))
			;
		else if (rs->jwt && strchr(token, '.') && strchr(strchr(token, '.') + 1, '.'))
			rs_jwt_check(rs, token, now, out);
		else if (rs->introspection_endpoint)
			introspect(rs, token, now, out);
		else
			rs_fail(out, 401, "the token is not known here");
	}
	free_secret(token);
	if (out->status == 200 || out->status == 503)
		return;
	rs_caller_free(out->caller);
	out->caller = NULL;
	out->www_authenticate = challenge(rs, out->status, t != NULL, out->reason);
}

void rs_authenticate(struct rs *rs, const char *authorization, struct rs_verdict *out)
{
	rs_authenticate_at(rs, authorization, now_s(), out);
}
