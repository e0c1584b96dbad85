/* audit.h - what the audit log keeps of a tool call: its arguments with
 * secrets and free text taken out, by the tool's input schema, and the
 * class of its failure. Storing and exporting is the store's
 * (store_add_audit, store_audit_foreach). */
#ifndef SB_AUDIT_H
#define SB_AUDIT_H

#include <jansson.h>

#define AUDIT_SECRET "[secret]"
#define AUDIT_TEXT "[text]"

/* args (borrowed) as the audit log keeps them, walked with schema (the
 * tool's inputSchema, borrowed, may be NULL) and action (borrowed, may be
 * NULL: its params and redact):
 * - a value whose schema marks it secret (writeOnly, format "password", or
 *   the connector files' "secret": true), or whose property name the
 *   action lists in its "redact" array, becomes
 *   AUDIT_SECRET;
 * - a string is kept only when its schema bounds it to a machine shape: an
 *   enum or const, a pattern, a format, or is one of the action's path
 *   parameters ("in": "path": it names a record); any other string is free text (a message, a
 *   note, an address, a search query) and becomes AUDIT_TEXT;
 * - numbers, booleans and null are kept; objects and arrays are walked
 *   with their properties, additionalProperties and items.
 * Returns a new value. */
struct action_spec;
json_t *audit_redact(json_t *schema, json_t *args, const struct action_spec *action);

/* The class of a failed call result (borrowed): "http_<status>" for a
 * vendor's refusal, "transport" when no answer came, "connection" when the
 * connection is missing or needs reconnecting, "invalid_arguments", else
 * "error". NULL for a success. A new string. */
struct call_result;
char *audit_error_class(const struct call_result *result);

#endif
