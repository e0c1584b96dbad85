/* tools_builder.h - the builder meta-tools of serve --builder ("Build with
 * AI" through the client's own model): switchboard_connector_import (a spec
 * -> a draft connector), switchboard_connector_test (a draft or a saved
 * connector against a connection; run by mcp.c on its HTTP loop) and
 * switchboard_connector_save (validate and write to the user's folder). */
#ifndef SB_TOOLS_BUILDER_H
#define SB_TOOLS_BUILDER_H

#include <jansson.h>

#include "registry.h"

#define TOOLS_BUILDER_IMPORT "switchboard_connector_import"
#define TOOLS_BUILDER_TEST "switchboard_connector_test"
#define TOOLS_BUILDER_SAVE "switchboard_connector_save"
#define TOOLS_BUILDER_N 3

/* The three tool definitions (name, title, description, inputSchema,
 * outputSchema, annotations), in the order above. A new array. */
json_t *tools_builder_defs(void);

/* switchboard_connector_import: args (borrowed, valid against its input
 * schema) -> a CallToolResult (new): the draft connector, the skipped
 * report and the counts; nothing is written. */
json_t *tools_builder_import(json_t *args);

/* switchboard_connector_save: validate args' connector against the
 * connector schema and the loader's rules and r's other connectors (tool
 * names stay unique; a slug already loaded needs replace), then write it to
 * the user's folder (an earlier file of that name kept as FILE.bak).
 * Returns the CallToolResult (new); *saved (OUT) is 1 when a file was
 * written, so the caller reloads the registry. */
json_t *tools_builder_save(const struct registry *r, json_t *args, int *saved);

/* The connector document switchboard_connector_test runs: args' draft, or
 * the loaded connector args' slug names (path gets its file). Borrowed, or
 * NULL with err set. */
json_t *tools_builder_test_doc(const struct registry *r, json_t *args, const char **path,
			       struct err *err);

#endif
