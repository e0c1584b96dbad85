/* cli_import.c - switchboard connectors import SPEC: a connector file from
 * an OpenAPI/Swagger spec or a Postman collection, with a report on stderr. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "import.h"

static void usage(void)
{
	fprintf(stderr, "usage: switchboard connectors import SPEC [--slug S] [--only TAGS] "
			"[--exclude GLOB] [--out FILE] [--merge EXISTING.json]\n");
}

/* "a,b" -> {"a", "b", NULL}; free with strv_free. */
static char **strv_split(const char *s)
{
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	char **v = xcalloc(n, sizeof(*v));
	size_t i = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		if (len)
			v[i++] = xstrndup(s, len);
		s += len;
		if (*s)
			s++;
	}
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int write_out(const char *path, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int ret = -1;
	if (!path) {
		cli_print("%s\n", text);
		ret = 0;
	} else {
		FILE *f = fopen(path, "w");
		if (!f) {
			fprintf(stderr, "switchboard: cannot write '%s': %s\n", path,
				strerror(errno));
		} else {
			int bad = fputs(text, f) < 0 || fputc('\n', f) < 0;
			bad |= fclose(f) != 0;
			if (bad)
				fprintf(stderr, "switchboard: cannot write '%s'\n", path);
			else
				ret = 0;
		}
	}
	free(text);
	return ret;
}

int cli_import(struct cli *cli, int argc, char **argv)
{
	const char *spec_path = NULL, *out = NULL, *merge = NULL, *only = NULL;
	struct import_opts o = {.exclude = cli->mcp.filter.exclude};
	int dump = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--slug") == 0 && more)
			o.slug = argv[++i];
		else if (strcmp(a, "--only") == 0 && more)
			only = argv[++i];
		else if (strcmp(a, "--out") == 0 && more)
			out = argv[++i];
		else if (strcmp(a, "--merge") == 0 && more)
			merge = argv[++i];
		else if (strcmp(a, "--dump-spec") == 0)
			dump = 1;
		else if (a[0] != '-' && !spec_path)
			spec_path = a;
		else {
			usage();
			return 2;
		}
	}
	if (!spec_path) {
		usage();
		return 2;
	}
	if (o.slug && (strlen(o.slug) > 20 || o.slug[0] < 'a' || o.slug[0] > 'z' ||
		       strspn(o.slug, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(o.slug))) {
		fprintf(stderr,
			"switchboard: --slug takes lowercase letters and digits (at most 20)\n");
		return 2;
	}
	if (strncmp(spec_path, "http://", 7) == 0 || strncmp(spec_path, "https://", 8) == 0) {
		fprintf(stderr, "switchboard: download the spec first (curl -o spec.json URL); "
				"import reads a file\n");
		return 2;
	}
	int ret = 1;
	struct err e;
	err_init(&e);
	json_t *spec = import_load(spec_path, &e), *conn = NULL, *existing = NULL;
	json_t *report = json_array();
	if (!spec)
		goto fail;
	if (json_object_get(spec, "item") && json_object_get(spec, "info") &&
	    !json_object_get(spec, "paths")) {
		json_t *conv = import_postman(spec, &e);
		json_decref(spec);
		spec = conv;
		if (!spec)
			goto fail;
	}
	if (dump) {
		ret = write_out(out, spec) < 0 ? 1 : 0;
		goto done;
	}
	if (only)
		o.only = strv_split(only);
	conn = import_connector(spec, &o, report, &e);
	if (!conn)
		goto fail;
	size_t total = import_count_operations(spec), made = 0;
	const char *en;
	json_t *ent;
	json_object_foreach(json_object_get(conn, "entities"), en, ent)
		made += json_object_size(json_object_get(ent, "actions"));
	size_t i;
	json_t *line;
	json_array_foreach(report, i, line)
		fprintf(stderr, "skipped: %s\n", json_string_value(line));
	fprintf(stderr, "imported %zu of %zu operations (%.1f%%) into %zu entities\n", made, total,
		total ? 100.0 * (double)made / (double)total : 0.0,
		json_object_size(json_object_get(conn, "entities")));
	if (merge) {
		existing = import_load(merge, &e);
		if (!existing)
			goto fail;
		size_t added = import_merge(existing, conn);
		fprintf(stderr, "merged: %zu operations added to %s\n", added, merge);
		ret = write_out(out, existing) < 0 ? 1 : 0;
	} else {
		ret = write_out(out, conn) < 0 ? 1 : 0;
	}
	goto done;
fail:
	fprintf(stderr, "switchboard: %s: %s\n", spec_path, e.msg);
done:
	strv_free(o.only);
	json_decref(report);
	json_decref(existing);
	json_decref(conn);
	json_decref(spec);
	return ret;
}
