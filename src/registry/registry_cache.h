/* registry_cache.h - which connector files this build has already checked,
 * so an unchanged file is not validated again at every start. */
#ifndef SB_REGISTRY_CACHE_H
#define SB_REGISTRY_CACHE_H

#include <stddef.h>

struct registry_outlines;

/* A file's key: SHA-256 over this build's identity (the executable's size,
 * time and inode), the schema file's bytes and the file's bytes, in hex.
 * A key in the cache says only "these exact bytes passed this exact
 * build's checks against this exact schema", so a stale, foreign or
 * corrupt cache costs a validation, never trust in a file it does not
 * describe. */
#define REGISTRY_CACHE_KEY_LEN 64

struct registry_cache;

/* The cache ($XDG_CACHE_HOME/switchboard/connectors-valid, else
 * ~/.cache/...), read (and schema_path, the connector schema, hashed) when
 * the first key is asked for (any thread). Never fails: without a usable
 * cache (no executable identity, no schema, a missing or unreadable file)
 * it remembers nothing and every file is validated. */
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

/* A file's stat key: device, inode, size, modification and change times
 * (to the nanosecond) as text, into key; 0, or -1 when path is no regular
 * file. *settled: both times are some seconds old, so a change to the
 * file would show in the key (one within the same tick of the file
 * system's clock might not). */
#define REGISTRY_STAT_KEY_MAX 128
int registry_stat_key(const char *path, char key[REGISTRY_STAT_KEY_MAX], int *settled);

/* Outlines of a folder's connector files (registry.h says what an outline
 * keeps) by their stat keys: $XDG_CACHE_HOME/switchboard/outlines/<hash of
 * the folder's path>, a header line naming this build (version, the
 * executable's stat key), the schema's stat key and the folder, then
 * "<stat key> <outline JSON>" lines. Only a file that passed this build's
 * checks and had settled when it was read gets one, so an outline found by
 * key is of the file's bytes as they are; a store of another build, folder
 * or schema, or one that is corrupt, matches nothing and is written anew. */

/* The store of folder dir (schema_path: the connector schema), read; NULL
 * when no cache folder or build identity can be had. Never fails
 * otherwise: an unreadable store is an empty one. */
struct registry_outlines *registry_outlines_open(const char *schema_path, const char *dir);
/* The outline text stored for key, or NULL; borrowed until close, *len its
 * length. Only reads: any thread, while nothing is kept or put. */
const char *registry_outlines_find(const struct registry_outlines *o, const char *key, size_t *len);
/* Keep key's outline (it described a file of the folder this time), or
 * store a new one (text stolen) for key. Accept a NULL store. */
void registry_outlines_keep(struct registry_outlines *o, const char *key);
void registry_outlines_put(struct registry_outlines *o, const char *key, char *text);
/* Write the store back when it changed: the outlines kept or put, no
 * others (a new file beside it, renamed over it; failing to write is not
 * an error), and free it. Accepts NULL. */
void registry_outlines_close(struct registry_outlines *o);

#endif
