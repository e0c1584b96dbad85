/* mcp_results.h - results:// resources: a tool result too big for a model's
 * context is kept whole for a while, and the call answers with its first
 * items and a resource_link to the rest, instead of all of it at once. */
#ifndef SB_MCP_RESULTS_H
#define SB_MCP_RESULTS_H

#include <jansson.h>
#include <stddef.h>

#define RESULTS_INLINE_MAX (64u << 10)  /* bytes of a CallToolResult sent inline */
#define RESULTS_TTL_MS (30 * 60 * 1000) /* how long a results:// resource is kept */
#define RESULTS_STORE_MAX (64u << 20)   /* bytes kept over all results, oldest dropped */

struct results;

struct results *results_new(void);
void results_free(struct results *rs); /* accepts NULL */

/* When result (a CallToolResult, borrowed) is larger than RESULTS_INLINE_MAX
 * and its structuredContent.data is a list, keep the whole answer as a
 * results:// resource and return a new, smaller result: the first items
 * that fit, how many of how many, and a resource_link. Returns NULL when the
 * result is fine as it is (small, an error, or not a list). A result with
 * one text content must have it as result_success makes it (the compact
 * JSON of structuredContent): its length is taken as the result's size.
 * owner is the caller's subject (NULL: the local user): only it may read
 * the resource. */
json_t *results_shrink(struct results *rs, const char *tool, json_t *result, const char *owner);

/* resources/read of a results:// URI by owner (as results_shrink's): a new
 * ReadResourceResult, or NULL when it is unknown, has expired or is
 * someone else's. */
json_t *results_read(struct results *rs, const char *uri, const char *owner);

/* Is uri one of ours (results://...)? */
int results_is_uri(const char *uri);

#endif
