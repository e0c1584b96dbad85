/* schema.h - a JSON Schema (2020-12 subset) validator for connector files and tool inputs. */
#ifndef SB_SCHEMA_H
#define SB_SCHEMA_H

#include <jansson.h>

#include "util.h"

/* Validate instance against schema. Local references ("#", "#/$defs/x",
 * "#/definitions/x", "#/properties/a/items") resolve against schema itself.
 * Supported keywords: type, properties, required, additionalProperties,
 * patternProperties, items (schema and tuple form), prefixItems,
 * additionalItems, enum, const, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf, minLength, maxLength (in code points),
 * pattern (ECMA-262 through PCRE2: UTF-8, \uhhhh, "$" only at the end; a
 * pattern that does not compile fails the whole validation, as below),
 * minItems, maxItems, uniqueItems, minProperties, maxProperties,
 * propertyNames, anyOf, oneOf, allOf, not, $ref, $defs, definitions, format
 * (date-time, date, email, uri, uuid; others pass), boolean schemas. Unknown
 * keywords are ignored; $ref applies together with its sibling keywords, as
 * in 2020-12.
 *
 * Returns 0 when valid. When invalid returns -1 and writes into err the first
 * failure as "json/path: what is wrong", e.g. "/entities/customers/actions:
 * expected object, got array" or "/: required property \"email\" missing"
 * ("/" alone is the root). A schema that cannot be applied also gives -1: a
 * $ref that does not resolve locally, a pattern that does not compile,
 * nesting deeper than 64 schemas (a $ref loop), or more than a million
 * schema visits in one call. Schema and
 * instance are borrowed; nothing is kept between calls. */
int schema_validate(const json_t *schema, const json_t *instance, struct err *err);

/* Like schema_validate, but with an explicit root for $ref resolution (when
 * schema is a part of a larger document). */
int schema_validate_in(const json_t *root, const json_t *schema, const json_t *instance,
		       struct err *err);

/* Compile every regular expression in doc, a schema or a document holding
 * schemas (a connector file): each "pattern" string and each key of a
 * "patternProperties", skipping the data under const, enum, default,
 * examples and example. 0, or -1 with err naming the JSON path and PCRE2's
 * message, so a connector with a broken pattern fails to load instead of
 * letting every string through. doc is borrowed. */
int schema_check_patterns(const json_t *doc, struct err *err);

#endif
