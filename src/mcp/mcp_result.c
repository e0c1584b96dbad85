/* mcp_result.c - call results as MCP CallToolResults. */
#include "mcp_result.h"

#include <stdlib.h>

#include "jsonx.h"
#include "result.h"
#include "schema.h"

json_t *mcp_result(struct call_result *r)
{
	json_t *out;
	if (r->error) {
		char *text = call_result_error_text(r);
		out = json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text", text,
				"isError", 1);
		free(text);
	} else {
		char *text = jsonx_dumps(r->data);
		out = json_pack("{s:[{s:s, s:s}], s:O}", "content", "type", "text", "text", text,
				"structuredContent", r->data);
		free(text);
	}
	call_result_free(r);
	return out;
}

json_t *result_error(const char *message, json_t *details)
{
	return mcp_result(call_result_error(message, details));
}

json_t *result_success(json_t *structured)
{
	return mcp_result(call_result_ok(structured));
}

int mcp_result_check(json_t *result, json_t *output_schema, struct err *err)
{
	if (!output_schema || !result || json_is_true(json_object_get(result, "isError")))
		return 0;
	json_t *sc = json_object_get(result, "structuredContent");
	if (!sc)
		return err_set(err, "no structuredContent");
	return schema_validate(output_schema, sc, err);
}
