/* rs.h - the OAuth 2.1 resource server: who is calling over HTTP.
 *
 * Given the Authorization header of a request, rs_authenticate says who
 * the caller is (a struct caller) or how to refuse (the status and the
 * WWW-Authenticate value of RFC 6750 and RFC 9728). Three kinds of token:
 * JWT access tokens checked against the issuer's JWKS (RS256, ES256),
 * opaque tokens asked of the issuer's RFC 7662 introspection endpoint, and
 * static tokens from a file (SHA-256 of each) for small teams. The caller's
 * token goes nowhere else, and never into a log or an error.
 *
 * Thread-safe: the HTTP transport calls rs_authenticate from its request
 * threads; the JWKS and introspection caches are shared behind a lock, and
 * a fetch from the issuer happens one at a time. */
#ifndef SB_RS_H
#define SB_RS_H

#include <jansson.h>

#include "caller.h"
#include "util.h"

struct rs;

/* What rs_authenticate decided. */
struct rs_verdict {
	int status;             /* 200 (caller set), 400, 401, 403 or 503 */
	struct caller *caller;  /* new on 200 (rs_caller_free) */
	char *www_authenticate; /* new on 400, 401 and 403: the header's value */
	char reason[200];       /* why, for the log; never holds the token */
};

/* A resource server from its JSON configuration (borrowed; README.md,
 * "Who may call"). base_dir (may be NULL) is where a relative tokens_file
 * is found; default_resource (may be NULL) is this server's URI when the
 * configuration names none. A new rs (rs_free) or NULL with err. */
struct rs *rs_new(json_t *config, const char *base_dir, const char *default_resource,
		  struct err *err);
/* rs_new from the JSON file at path, refused when others may read it and
 * it holds a client_secret. */
struct rs *rs_load(const char *path, const char *default_resource, struct err *err);
/* Accepts NULL. */
void rs_free(struct rs *rs);

/* Decide on a request whose Authorization header is authorization (NULL
 * when absent). May block on the issuer (JWKS or introspection, a few
 * seconds at most). out is filled whatever the outcome; release it with
 * rs_verdict_release. */
void rs_authenticate(struct rs *rs, const char *authorization, struct rs_verdict *out);
/* The same at the given time (seconds since the epoch), for tests. */
void rs_authenticate_at(struct rs *rs, const char *authorization, long long now,
			struct rs_verdict *out);
void rs_verdict_release(struct rs_verdict *v);

/* The RFC 9728 protected-resource metadata document. New reference. */
json_t *rs_metadata(const struct rs *rs);
/* Where it is published: the absolute URL given in WWW-Authenticate, and
 * its path ("/.well-known/oauth-protected-resource" followed by the
 * resource's path, e.g. ".../mcp"). Borrowed; live as long as rs. */
const char *rs_metadata_url(const struct rs *rs);
const char *rs_metadata_path(const struct rs *rs);
/* The canonical URI of this server (the audience its tokens must name). */
const char *rs_resource(const struct rs *rs);

/* {"subject", "groups", "scopes"} of a caller. New reference. */
json_t *rs_caller_json(const struct caller *c);
/* Accepts NULL. */
void rs_caller_free(struct caller *c);

/* "sha256:<hex>" of a static token, as a tokens file holds it. New string. */
char *rs_token_hash(const char *token);

#endif
