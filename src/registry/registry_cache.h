/* registry_cache.h - which connector files this build has already checked,
 * so an unchanged file is not validated again at every start. */
#ifndef SB_REGISTRY_CACHE_H
#define SB_REGISTRY_CACHE_H

#include <stddef.h>

/* A file's key: SHA-256 over this build's identity (the executable's size,
 * time and inode), the schema file's bytes and the file's bytes, in hex.
 * A key in the cache says only "these exact bytes passed this exact
 * build's checks against this exact schema", so a stale, foreign or
 * corrupt cache costs a validation, never trust in a file it does not
 * describe. */
#define REGISTRY_CACHE_KEY_LEN 64

struct registry_cache;

/* Read the cache ($XDG_CACHE_HOME/switchboard/connectors-valid, else
 * ~/.cache/...). Never fails: without a usable cache (no executable
 * identity, no schema, a missing or unreadable file) it remembers nothing
 * and every file is validated. schema_path is the connector schema. */
struct registry_cache *registry_cache_open(const char *schema_path);
/* The key of text (len bytes) into key (REGISTRY_CACHE_KEY_LEN + 1), and
 * whether it is known valid: 1 yes, 0 no. */
int registry_cache_known(struct registry_cache *c, const char *text, size_t len,
			 char key[REGISTRY_CACHE_KEY_LEN + 1]);
/* Remember key as valid (after the file passed every check). */
void registry_cache_add(struct registry_cache *c, const char *key);
/* Write the cache back when something was added (a new file beside it,
 * renamed over it; failing to write is not an error), and free it.
 * Accepts NULL. */
void registry_cache_close(struct registry_cache *c);

#endif
