/* mcp_result.h - MCP CallToolResults: a text block plus structuredContent,
 * or isError with a message. The only place a call result (result.h)
 * becomes MCP. */
#ifndef SB_MCP_RESULT_H
#define SB_MCP_RESULT_H

#include <jansson.h>

#include "util.h"

struct call_result;

/* r (freed) as a CallToolResult: a success's data as structuredContent and
 * as its compact JSON text; a failure's message with its details (compact
 * JSON) on the next line, and isError. New reference. */
json_t *mcp_result(struct call_result *r);
/* A tool error result (isError) with a message and optional structured
 * details (stolen; also printed after the message, for clients that show
 * only text). New reference. */
json_t *result_error(const char *message, json_t *details);
/* A success result: structured (stolen) as structuredContent and as its
 * compact JSON text. New reference. */
json_t *result_success(json_t *structured);
/* Check a success result's structuredContent against the tool's
 * outputSchema (both borrowed; either may be NULL). Error results and tools
 * without an outputSchema pass. 0, or -1 with err naming the first
 * mismatch. */
int mcp_result_check(json_t *result, json_t *output_schema, struct err *err);

#endif
