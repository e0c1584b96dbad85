/* import.h - turn an OpenAPI 3.x / Swagger 2.0 spec or a Postman v2.1
 * collection into a connector file (switchboard connectors import). */
#ifndef SB_IMPORT_H
#define SB_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* The cap of any text import builds (names, paths, descriptions). */
#define IMPORT_TEXT_MAX (1u << 20)

/* Parse YAML 1.1 text (libyaml) into JSON: mappings, sequences, plain
 * scalars typed as null, booleans and numbers, quoted ones as strings.
 * Returns a new reference, or NULL with err set. */
json_t *import_yaml_parse(const char *text, size_t len, struct err *err);

/* The largest spec read, from a file or a URL. */
#define IMPORT_SPEC_MAX (64u << 20)

/* How a spec's text is written; IMPORT_SNIFF: JSON when it starts with
 * '{', else YAML. */
enum import_syntax { IMPORT_SNIFF, IMPORT_JSON, IMPORT_YAML };

/* Parse a spec's text (len bytes). Returns a new reference (an object), or
 * NULL with err set. */
json_t *import_parse(const char *text, size_t len, enum import_syntax syntax, struct err *err);
/* Read a spec file, JSON or YAML. Returns a new reference or NULL. */
json_t *import_load(const char *path, struct err *err);

/* A Postman v2.1 collection as an OpenAPI 3 document (new reference), or
 * NULL with err set when doc is not one. */
json_t *import_postman(json_t *doc, struct err *err);

struct import_opts {
	const char *slug; /* NULL: from the spec's title */
	char **only;      /* NULL-terminated tags, or NULL for all */
	char **exclude;   /* NULL-terminated globs on operationId, path or tool name */
};

/* The connector for spec (OpenAPI 3.x, Swagger 2.0 or an already converted
 * collection). Each skipped operation or feature is appended to report as
 * a string "what: why". Returns a new reference, or NULL with err set. */
json_t *import_connector(json_t *spec, const struct import_opts *o, json_t *report,
			 struct err *err);

/* Operations counted in spec (after --only/--exclude are not applied). */
size_t import_count_operations(json_t *spec);

/* Add to existing (borrowed, changed in place) the actions of generated
 * whose method and path it lacks; hand-written entities, actions and
 * settings stay as they are. Returns how many actions were added. */
size_t import_merge(json_t *existing, json_t *generated);

#endif
