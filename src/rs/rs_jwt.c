/* rs_jwt.c - JWT access tokens (RFC 9068): the JWS signature checked
 * against the issuer's JWKS, fetched and cached, refetched for a new key id
 * (rotation) at most once per jwks_min_refetch seconds. */
#include "rs_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "urlenc.h"

#define JWT_MAX 16384     /* a longer token is refused unread */
#define JWKS_MAX 262144   /* the JWKS document's size cap */
#define JWKS_MAX_KEYS 64  /* keys kept from one document */
#define JWKS_TIMEOUT 5000 /* ms for one fetch */

void rs_keys_clear(struct rs *rs)
{
	for (size_t i = 0; i < rs->n_keys; i++) {
		free(rs->keys[i].kid);
		crypto_pubkey_free(rs->keys[i].key);
	}
	free(rs->keys);
	rs->keys = NULL;
	rs->n_keys = 0;
}

/* A base64url member of a JWK, decoded; NULL when absent or bad. */
static unsigned char *jwk_bytes(json_t *jwk, const char *name, size_t *len)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	return s ? crypto_base64_decode(s, strlen(s), 0, len) : NULL;
}

/* One JWK as a key; 0, or -1 when it is not a signing key we can use
 * (skipped, not an error: a JWKS may hold encryption keys and others). */
static int jwk_key(json_t *jwk, struct rs_key *out)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *use = json_string_value(json_object_get(jwk, "use"));
	const char *alg = json_string_value(json_object_get(jwk, "alg"));
	const char *kid = json_string_value(json_object_get(jwk, "kid"));
	unsigned char *a = NULL, *b = NULL;
	size_t a_len = 0, b_len = 0;
	struct err err;

	err_init(&err);
	memset(out, 0, sizeof(*out));
	if (!kty || (use && strcmp(use, "sig") != 0))
		return -1;
	if (strcmp(kty, "RSA") == 0) {
		out->alg = CRYPTO_RS256;
		a = jwk_bytes(jwk, "n", &a_len);
		b = jwk_bytes(jwk, "e", &b_len);
		if (a && b)
			out->key = crypto_pubkey_rsa(a, a_len, b, b_len, &err);
	} else if (strcmp(kty, "EC") == 0) {
		const char *crv = json_string_value(json_object_get(jwk, "crv"));
		out->alg = CRYPTO_ES256;
		a = jwk_bytes(jwk, "x", &a_len);
		b = jwk_bytes(jwk, "y", &b_len);
		if (crv && strcmp(crv, "P-256") == 0 && a && b)
			out->key = crypto_pubkey_p256(a, a_len, b, b_len, &err);
	}
	free(a);
	free(b);
	if (!out->key) {
		if (err_is_set(&err))
			log_warn("auth: a key of the issuer's JWKS is skipped: %s", err.msg);
		return -1;
	}
	if (alg) {
		const char *want = out->alg == CRYPTO_RS256 ? "RS256" : "ES256";
		if (strcmp(alg, want) != 0) {
			crypto_pubkey_free(out->key);
			out->key = NULL;
			return -1;
		}
		out->alg_pinned = 1;
	}
	out->kid = kid ? xstrdup(kid) : NULL;
	return 0;
}

int rs_keys_from(json_t *doc, struct rs_key **keys, size_t *n)
{
	json_t *list = json_object_get(doc, "keys");
	if (!json_is_array(list))
		return -1;
	*keys = xcalloc(JWKS_MAX_KEYS, sizeof(**keys));
	*n = 0;
	for (size_t i = 0; i < json_array_size(list) && *n < JWKS_MAX_KEYS; i++)
		if (jwk_key(json_array_get(list, i), &(*keys)[*n]) == 0)
			(*n)++;
	return 0;
}

/* A JSON object from url (fetch_lock held): new, or NULL with err. */
static json_t *fetch_json(struct rs *rs, const char *url, const char *what, struct err *err)
{
	const char *headers[] = {"Accept: application/json, application/jwk-set+json", NULL};
	struct http_request req = {.method = "GET",
				   .url = url,
				   .headers = headers,
				   .timeout_ms = JWKS_TIMEOUT,
				   .connect_timeout_ms = JWKS_TIMEOUT,
				   .max_body = JWKS_MAX};
	struct http_response resp;
	json_t *doc = NULL;

	if (http_perform(rs->http, &req, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		err_set(err, "the issuer's %s answered HTTP %ld", what, resp.status);
		goto out;
	}
	doc = resp.truncated ? NULL : json_loadb(resp.body, resp.body_len, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		err_set(err, "the issuer's %s is not a JSON object", what);
	}
out:
	http_response_release(&resp);
	return doc;
}

/* The issuer's jwks_uri from its metadata (fetch_lock held): RFC 8414's
 * well-known URI, then OpenID Connect's, in the order the MCP
 * specification has clients try them; a document is used only when its
 * issuer is ours, exactly. 0 with rs->found_jwks_uri set, or -1 with err. */
static int discover(struct rs *rs, struct err *err)
{
	const char *iss = rs->issuer, *p = strstr(iss, "://");
	const char *path = p ? strchr(p + 3, '/') : NULL;
	size_t olen = path ? (size_t)(path - iss) : strlen(iss), plen = path ? strlen(path) : 0;
	char *urls[3];
	size_t n = 0;

	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	urls[n++] = xasprintf("%.*s/.well-known/oauth-authorization-server%.*s", (int)olen, iss,
			      (int)plen, path ? path : "");
	urls[n++] = xasprintf("%.*s/.well-known/openid-configuration%.*s", (int)olen, iss,
			      (int)plen, path ? path : "");
	if (plen)
		urls[n++] = xasprintf("%.*s%.*s/.well-known/openid-configuration", (int)olen, iss,
				      (int)plen, path);
	for (size_t i = 0; i < n && !rs->found_jwks_uri; i++) {
		struct err e;
		err_init(&e);
		json_t *doc = fetch_json(rs, urls[i], "metadata", &e);
		const char *doc_iss = json_string_value(json_object_get(doc, "issuer"));
		const char *jwks = json_string_value(json_object_get(doc, "jwks_uri"));
		if (!doc)
			log_debug("auth: no issuer metadata at %s: %s", urls[i], e.msg);
		else if (!doc_iss || strcmp(doc_iss, iss) != 0)
			log_warn("auth: the metadata at %s names another issuer; not used",
				 urls[i]);
		else if (!jwks || !urlenc_allows_credentials(jwks))
			log_warn("auth: the metadata at %s has no https jwks_uri", urls[i]);
		else
			rs->found_jwks_uri = xstrdup(jwks);
		json_decref(doc);
	}
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	if (!rs->found_jwks_uri)
		return err_set(
			err, "no usable metadata of issuer '%s' (RFC 8414 or OpenID Connect)", iss);
	log_info("auth: the issuer's keys are at %s", rs->found_jwks_uri);
	return 0;
}

/* Fetch the JWKS (fetch_lock held, lock not); 0 with the new keys in
 * place, or -1 with err. */
static int jwks_fetch(struct rs *rs, struct err *err)
{
	struct rs_key *keys = NULL;
	size_t n = 0;
	json_t *doc;

	if (!rs->jwks_uri && !rs->found_jwks_uri && discover(rs, err) < 0)
		return -1;
	doc = fetch_json(rs, rs->jwks_uri ? rs->jwks_uri : rs->found_jwks_uri, "JWKS", err);
	if (!doc)
		return -1;
	if (rs_keys_from(doc, &keys, &n) < 0) {
		json_decref(doc);
		return err_set(err, "the issuer's JWKS is not a JSON Web Key Set");
	}
	json_decref(doc);
	pthread_mutex_lock(&rs->lock);
	rs_keys_clear(rs);
	rs->keys = keys;
	rs->n_keys = n;
	rs->have_keys = 1;
	rs->keys_at_ms = now_ms();
	rs->failed_at_ms = 0;
	rs->keys_gen++;
	pthread_mutex_unlock(&rs->lock);
	log_debug("auth: %zu signing keys from the issuer's JWKS", n);
	return 0;
}

/* Make sure the keys are fresh: fetched when none are held or they are
 * older than jwks_max_age, or (force) when a token names an unknown key id,
 * at most once per jwks_min_refetch. After a failed fetch no other is tried
 * for jwks_min_refetch seconds, so a dead issuer does not hold every request
 * for a timeout. Returns 0 when keys are held (perhaps stale ones, when a
 * refetch failed), -1 when none are. */
static int jwks_refresh(struct rs *rs, int force, unsigned long seen_gen)
{
	struct err err;
	int ret;

	err_init(&err);
	pthread_mutex_lock(&rs->fetch_lock);
	pthread_mutex_lock(&rs->lock);
	long long now = now_ms(), gap = rs->jwks_min_refetch * 1000;
	int fetch;
	if (rs->keys_gen != seen_gen)
		fetch = 0; /* another request fetched them meanwhile */
	else if (rs->failed_at_ms && now - rs->failed_at_ms < gap)
		fetch = 0;
	else if (force)
		fetch = !rs->forced_at_ms || now - rs->forced_at_ms >= gap;
	else
		fetch = !rs->have_keys || now - rs->keys_at_ms >= rs->jwks_max_age * 1000;
	if (fetch && force)
		rs->forced_at_ms = now;
	pthread_mutex_unlock(&rs->lock);

	if (fetch && jwks_fetch(rs, &err) < 0) {
		log_warn("auth: cannot fetch the issuer's keys: %s", err.msg);
		pthread_mutex_lock(&rs->lock);
		rs->failed_at_ms = now_ms();
		pthread_mutex_unlock(&rs->lock);
	}
	pthread_mutex_lock(&rs->lock);
	ret = rs->have_keys ? 0 : -1;
	pthread_mutex_unlock(&rs->lock);
	pthread_mutex_unlock(&rs->fetch_lock);
	return ret;
}

enum verify { VERIFY_OK, VERIFY_BAD, VERIFY_NO_KEY };

/* Check the signature with the keys held (lock held). A key id the set
 * does not hold is VERIFY_NO_KEY (perhaps rotated in since the fetch). */
static enum verify verify_locked(struct rs *rs, const char *kid, enum crypto_sig_alg alg,
				 const char *input, size_t input_len, const unsigned char *sig,
				 size_t sig_len)
{
	int candidates = 0;

	for (size_t i = 0; i < rs->n_keys; i++) {
		struct rs_key *k = &rs->keys[i];
		if (kid && (!k->kid || strcmp(k->kid, kid) != 0))
			continue;
		candidates++;
		/* A key of another type, or pinned to another alg, never checks
		 * this token: the alg in the header is the attacker's word. */
		if (k->alg != alg)
			continue;
		if (crypto_pubkey_verify(k->key, alg, input, input_len, sig, sig_len))
			return VERIFY_OK;
	}
	return candidates ? VERIFY_BAD : VERIFY_NO_KEY;
}

/* Decode one base64url part of a compact JWS (no padding, no other
 * alphabet); NULL when bad. */
static unsigned char *part_decode(const char *s, size_t len, size_t *out_len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '=' || s[i] == '+' || s[i] == '/')
			return NULL;
	return crypto_base64_decode(s, len, 0, out_len);
}

static json_t *part_json(const char *s, size_t len)
{
	size_t n = 0;
	unsigned char *raw = part_decode(s, len, &n);
	json_t *v = raw ? json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(raw);
	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

void rs_jwt_check(struct rs *rs, const char *token, long long now, struct rs_verdict *out)
{
	size_t len = strnlen(token, JWT_MAX + 1), sig_len = 0;
	const char *dot1 = memchr(token, '.', len), *dot2 = NULL;
	json_t *header = NULL, *claims = NULL;
	unsigned char *sig = NULL;
	enum crypto_sig_alg alg;
	enum verify v;
	unsigned long gen;

	if (len > JWT_MAX) {
		rs_fail(out, 401, "the token is too long");
		goto out;
	}
	if (dot1)
		dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
	if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token))) {
		rs_fail(out, 401, "the token is not a JWT");
		goto out;
	}
	header = part_json(token, (size_t)(dot1 - token));
	claims = part_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	sig = part_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), &sig_len);
	if (!header || !claims || !sig) {
		rs_fail(out, 401, "the token is not a well-formed JWT");
		goto out;
	}
	const char *alg_name = json_string_value(json_object_get(header, "alg"));
	const char *kid = json_string_value(json_object_get(header, "kid"));
	const char *typ = json_string_value(json_object_get(header, "typ"));
	if (!alg_name || (strcmp(alg_name, "RS256") != 0 && strcmp(alg_name, "ES256") != 0)) {
		/* "none", the HMAC family (the issuer's public key is no secret)
		 * and anything else we do not check. */
		rs_fail(out, 401, "the token's signature algorithm is not accepted");
		goto out;
	}
	alg = strcmp(alg_name, "RS256") == 0 ? CRYPTO_RS256 : CRYPTO_ES256;
	if (json_object_get(header, "crit")) {
		rs_fail(out, 401, "the token has critical header parameters");
		goto out;
	}
	/* RFC 9068 says "at+jwt"; tokens from most issuers say "JWT". An ID
	 * token or a logout token is no access token. */
	if (typ && strcasecmp(typ, "at+jwt") != 0 && strcasecmp(typ, "application/at+jwt") != 0 &&
	    strcasecmp(typ, "JWT") != 0) {
		rs_fail(out, 401, "the token is not an access token");
		goto out;
	}

	pthread_mutex_lock(&rs->lock);
	gen = rs->keys_gen;
	pthread_mutex_unlock(&rs->lock);
	if ((rs->jwks_uri || rs->discover) && jwks_refresh(rs, 0, gen) < 0) {
		rs_fail(out, 503, "the issuer's signing keys cannot be fetched");
		goto out;
	}
	pthread_mutex_lock(&rs->lock);
	gen = rs->keys_gen;
	v = verify_locked(rs, kid, alg, token, (size_t)(dot2 - token), sig, sig_len);
	pthread_mutex_unlock(&rs->lock);
	if (v == VERIFY_NO_KEY && kid && (rs->jwks_uri || rs->discover) &&
	    jwks_refresh(rs, 1, gen) == 0) {
		pthread_mutex_lock(&rs->lock);
		v = verify_locked(rs, kid, alg, token, (size_t)(dot2 - token), sig, sig_len);
		pthread_mutex_unlock(&rs->lock);
	}
	if (v == VERIFY_NO_KEY) {
		rs_fail(out, 401, "the token is signed with a key the issuer does not publish");
		goto out;
	}
	if (v == VERIFY_BAD) {
		rs_fail(out, 401, "the token's signature does not verify");
		goto out;
	}
	rs_check_claims(rs, claims, now, 1, out);
out:
	json_decref(header);
	json_decref(claims);
	free(sig);
}
