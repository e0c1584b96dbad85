/* cli_coverage.c - `switchboard coverage ENTITY`: which connectors map a
 * canonical entity of capabilities/_canonical.json, and which of its
 * canonical fields each of them fills. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "jsonx.h"
#include "registry.h"

/* Does a connector entity's "canonical" name this canonical entity? */
static int maps_to(const struct entity_spec *entity, const struct canonical_entity *ce)
{
	const char *c = entity->canonical;
	return c && (strcmp(c, ce->name) == 0 || jsonx_has_string(ce->aliases, c));
}

/* One row: {slug, entity, covered, missing, percent}. New reference. */
static json_t *coverage_row(const struct connector *c, const struct entity_spec *entity,
			    const char *canon, json_t *fields)
{
	const char *ename = entity->name;
	json_t *map = entity->canonical_fields;
	json_t *covered = json_array(), *missing = json_array();
	const char *f;
	json_t *v;
	json_object_foreach(fields, f, v) {
		json_t *to = json_object_get(map, f);
		json_array_append_new(json_is_string(to) && *json_string_value(to) ? covered
										   : missing,
				      json_string(f));
	}
	/* A mapping to a name the canonical list lacks is a typo or a field
	 * that belongs in _canonical.json: either way people should see it. */
	json_object_foreach(map, f, v) {
		if (!json_object_get(fields, f))
			fprintf(stderr,
				"switchboard: %s/%s maps '%s', which is not a canonical field of "
				"%s\n",
				c->slug, ename, f, canon);
	}
	size_t total = json_object_size(fields), n = json_array_size(covered);
	json_int_t percent = total ? (json_int_t)((n * 100 + total / 2) / total) : 0;
	return json_pack("{s:s, s:s, s:o, s:o, s:I}", "slug", c->slug, "entity", ename, "covered",
			 covered, "missing", missing, "percent", percent);
}

static void print_table(json_t *fields, json_t *rows)
{
	static const char first[] = "connector/entity";
	size_t width = strlen(first), i;
	json_t *row, *v;
	const char *f;
	json_array_foreach(rows, i, row) {
		size_t w = strlen(json_string_value(json_object_get(row, "slug"))) + 1 +
			   strlen(json_string_value(json_object_get(row, "entity")));
		if (w > width)
			width = w;
	}
	cli_print("%-*s", (int)width, first);
	json_object_foreach(fields, f, v)
		cli_print("  %s", f);
	cli_print("  coverage\n");
	json_array_foreach(rows, i, row) {
		char *label = xasprintf("%s/%s", json_string_value(json_object_get(row, "slug")),
					json_string_value(json_object_get(row, "entity")));
		json_t *covered = json_object_get(row, "covered");
		cli_print("%-*s", (int)width, label);
		json_object_foreach(fields, f, v)
			cli_print("  %-*s", (int)strlen(f),
				  jsonx_has_string(covered, f) ? "x" : "-");
		cli_print("  %7" JSON_INTEGER_FORMAT "%%\n",
			  json_integer_value(json_object_get(row, "percent")));
		free(label);
	}
}

int cli_coverage(struct cli *cli, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "usage: switchboard coverage ENTITY [--json]\n");
		return 2;
	}
	int ret = 1;
	struct registry *r = NULL;
	json_t *out = NULL;
	r = cli_registry(cli);
	struct canonical_entity ce;
	if (!registry_canonical_entity(r, argv[0], &ce)) {
		json_t *known = registry_canonical_names(r);
		struct buf list;
		buf_init(&list, 0);
		size_t i;
		json_t *v;
		json_array_foreach(known, i, v)
			buf_addf(&list, "%s%s", list.len ? ", " : "", json_string_value(v));
		fprintf(stderr, "switchboard: unknown canonical entity '%s'; known: %s\n", argv[0],
			list.data ? list.data : "(none)");
		buf_release(&list);
		json_decref(known);
		goto out;
	}
	const char *canon = ce.name;
	json_t *fields = ce.fields;
	json_t *names = json_array(), *rows = json_array();
	const char *f;
	json_t *v;
	json_object_foreach(fields, f, v)
		json_array_append_new(names, json_string(f));
	for (size_t i = 0; i < registry_count(r); i++) {
		const struct connector *c = registry_at(r, i);
		for (size_t k = 0; k < c->model->n_entities; k++) {
			const struct entity_spec *entity = &c->model->entities[k];
			if (maps_to(entity, &ce))
				json_array_append_new(rows, coverage_row(c, entity, canon, fields));
		}
	}
	out = json_pack("{s:s, s:o, s:o}", "entity", canon, "fields", names, "connectors", rows);
	if (cli->json) {
		cli_print_json(out);
	} else {
		print_table(fields, rows);
	}
	if (json_array_size(rows) == 0)
		fprintf(stderr, "no connector maps %s yet\n", canon);
	else if (!cli->json)
		fprintf(stderr, "%zu connector entities map %s (%zu canonical fields)\n",
			json_array_size(rows), canon, json_object_size(fields));
	ret = 0;
out:
	json_decref(out);
	registry_free(r);
	return ret;
}
