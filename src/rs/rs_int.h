/* rs_int.h - what rs.c and rs_jwt.c share: the configuration, the key
 * cache, and the checks both token kinds make. Not for other modules. */
#ifndef SB_RS_INT_H
#define SB_RS_INT_H

#include <jansson.h>
#include <pthread.h>

#include "crypto.h"
#include "http.h"
#include "rs.h"

/* One key of the issuer's JWKS. */
struct rs_key {
	char *kid;                 /* may be NULL */
	enum crypto_sig_alg alg;   /* what the key type allows */
	int alg_pinned;            /* the JWK named its "alg" */
	struct crypto_pubkey *key; /* owned */
};

/* A static token: the SHA-256 of the token, and who it stands for. */
struct rs_static {
	unsigned char hash[32];
	char *subject;
	json_t *groups;
};

struct rs_intro; /* an introspection answer kept for a while (rs.c) */

struct rs {
	/* The configuration, read once. */
	char *resource, *resource_canon, *metadata_url, *metadata_path;
	char *issuer, *jwks_uri, *introspection_endpoint, *client_id, *client_secret;
	char *principal_claim, *groups_claim;
	json_t *authorization_servers, *scopes_supported, *required_scopes;
	long long jwks_max_age, jwks_min_refetch, leeway, intro_cache_s;
	struct rs_static *statics;
	size_t n_statics;
	int jwt;      /* JWTs are checked (keys configured, fetched or discovered) */
	int discover; /* jwks_uri from the issuer's metadata (RFC 8414, OIDC) */

	/* The issuer, asked one request at a time (fetch_lock). */
	pthread_mutex_t fetch_lock;
	struct http_client *http;
	char *found_jwks_uri; /* discovered (fetch_lock) */

	/* The caches (lock). */
	pthread_mutex_t lock;
	struct rs_key *keys;
	size_t n_keys;
	int have_keys;
	long long keys_at_ms;   /* when the keys were fetched */
	long long forced_at_ms; /* the last refetch for an unknown kid */
	long long failed_at_ms; /* the last failed fetch, 0 after a success */
	unsigned long keys_gen; /* bumped by every successful fetch */
	struct rs_intro *intros;
	size_t n_intros;
};

/* The claims of a verified token (a JWT's payload, jwt 1, or an active
 * introspection answer, jwt 0): iss, aud, exp and nbf checked, the caller
 * taken out, the required scopes looked for. Fills out (status and reason;
 * caller on 200; the WWW-Authenticate value is the caller's job). */
void rs_check_claims(struct rs *rs, json_t *claims, long long now, int jwt, struct rs_verdict *out);

/* Check a JWT's signature and claims (rs_jwt.c). */
void rs_jwt_check(struct rs *rs, const char *token, long long now, struct rs_verdict *out);
/* The signing keys of a JWK Set document (borrowed): a new array of *n
 * keys (JWKs we cannot use are skipped), or -1 when doc is no JWK Set. */
int rs_keys_from(json_t *doc, struct rs_key **keys, size_t *n);
/* Free the key set (under lock or at rs_free). */
void rs_keys_clear(struct rs *rs);

/* The canonical form of a URI for comparing audiences (lowercase scheme
 * and host, no trailing slash). New string. */
char *rs_canon_uri(const char *uri);

/* Set status and reason; returns -1 so a caller can "return fail(...)". */
int rs_fail(struct rs_verdict *out, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
