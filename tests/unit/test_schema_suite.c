/* test_schema_suite.c - run the official JSON-Schema-Test-Suite (draft 7, as
 * Debian's json-schema-test-suite ships it) for the keywords schema.c claims,
 * and fail when the pass rate drops below what we reach today. */
#include "schema.h"

#include <stdlib.h>

#include "t.h"

#define SUITE_DIR "/usr/share/json-schema-test-suite/tests/draft7"
/* Set just under the rate reached when this was written (see the report line). */
#define SUITE_MIN_RATE 0.99

static const char *const suite_files[] = {
	"type",
	"properties",
	"required",
	"additionalProperties",
	"patternProperties",
	"items",
	"additionalItems",
	"enum",
	"const",
	"minimum",
	"maximum",
	"exclusiveMinimum",
	"exclusiveMaximum",
	"multipleOf",
	"minLength",
	"maxLength",
	"pattern",
	"minItems",
	"maxItems",
	"uniqueItems",
	"minProperties",
	"maxProperties",
	"propertyNames",
	"anyOf",
	"oneOf",
	"allOf",
	"not",
	"ref",
	"boolean_schema",
	"definitions",
	"optional/format/date-time",
	"optional/format/date",
	"optional/format/email",
	"optional/format/uri",
};

/* Groups that test draft 7 rules 2020-12 changed: a $ref no longer hides its siblings. */
static const char *const suite_skip[] = {
	"ref overrides any sibling keywords",
};

/* 1 when a schema needs what schema.c leaves out: $id base changes, remote $ref. */
static int needs_remote(const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			if (needs_remote(m))
				return 1;
		}
	}
	json_object_foreach((json_t *)v, key, m) {
		if (strcmp(key, "$id") == 0 && json_is_string(m))
			return 1;
		if (strcmp(key, "$ref") == 0 && json_is_string(m) && json_string_value(m)[0] != '#')
			return 1;
		if (needs_remote(m))
			return 1;
	}
	return 0;
}

static int skipped(const json_t *group)
{
	const char *desc = json_string_value(json_object_get(group, "description"));
	for (size_t i = 0; desc && i < sizeof(suite_skip) / sizeof(suite_skip[0]); i++) {
		if (strcmp(desc, suite_skip[i]) == 0)
			return 1;
	}
	return needs_remote(json_object_get(group, "schema"));
}

/* Run one suite file; adds to *pass and *total. -1 when it cannot be read. */
static int run_file(const char *dir, const char *name, int *pass, int *total)
{
	char path[1024];
	json_error_t jerr;
	json_t *doc, *group, *test;
	size_t g, t;
	int fpass = 0, ftotal = 0, fskip = 0;

	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		fprintf(stderr, "schema suite: cannot load '%s': %s\n", path, jerr.text);
		return -1;
	}
	json_array_foreach(doc, g, group) {
		const json_t *schema = json_object_get(group, "schema");
		if (skipped(group)) {
			fskip += (int)json_array_size(json_object_get(group, "tests"));
			continue;
		}
		json_array_foreach(json_object_get(group, "tests"), t, test) {
			struct err err;
			int want = json_is_true(json_object_get(test, "valid"));
			err_init(&err);
			int got = schema_validate(schema, json_object_get(test, "data"), &err) == 0;
			ftotal++;
			if (got == want) {
				fpass++;
				continue;
			}
			fprintf(stderr, "  FAIL %s: %s / %s: expected %s%s\n", name,
				json_string_value(json_object_get(group, "description")),
				json_string_value(json_object_get(test, "description")),
				want ? "valid, got: " : "invalid", want ? err.msg : "");
		}
	}
	fprintf(stderr, "  %-28s %3d/%-3d passed", name, fpass, ftotal);
	if (fskip)
		fprintf(stderr, " (%d skipped: remote refs or draft 7 only)", fskip);
	fprintf(stderr, "\n");
	*pass += fpass;
	*total += ftotal;
	json_decref(doc);
	return 0;
}

int main(void)
{
	const char *dir = getenv("SCHEMA_SUITE_DIR");
	int pass = 0, total = 0, missing = 0;

	if (!dir)
		dir = SUITE_DIR;
	for (size_t i = 0; i < sizeof(suite_files) / sizeof(suite_files[0]); i++)
		missing += run_file(dir, suite_files[i], &pass, &total) < 0;
	if (missing) {
		fprintf(stderr,
			"schema suite: %d files missing under %s; install the "
			"json-schema-test-suite package (tests/deps.sh --install)\n",
			missing, dir);
		CHECK(missing == 0);
		return t_done();
	}
	double rate = total ? (double)pass / total : 0;
	fprintf(stderr, "schema suite: %d/%d passed (%.1f%%)\n", pass, total, rate * 100);
	CHECK(rate >= SUITE_MIN_RATE);
	return t_done();
}
