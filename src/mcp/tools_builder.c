/* tools_builder.c - the builder meta-tools' definitions (written for the
 * model that calls them), the import of a spec into a draft, and the save of
 * a draft into the user's connector folder. */
#include "tools_builder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"
#include "connector.h"
#include "log.h"
#include "mcp_result.h"

#define DRAFT_TEXT_MAX (16u << 20) /* an inline spec's cap */

/* The report of a test, shared by the test tool's output schema. */
#define RESULT_ITEM                                                                                \
	"{\"type\": \"object\", \"required\": [\"tool\", \"check\", \"outcome\"], "                \
	"\"properties\": {\"tool\": {\"type\": \"string\"}, \"check\": {\"enum\": [\"list\", "     \
	"\"read\", \"page1\", \"page2\", \"create\"]}, \"outcome\": {\"enum\": [\"passed\", "      \
	"\"failed\", "                                                                             \
	"\"skipped\"]}, \"status\": {\"type\": \"integer\"}, \"message\": {\"type\": "             \
	"\"string\"}, \"request\": {\"type\": \"object\"}, \"args\": {\"type\": \"object\"}, "     \
	"\"created\": {\"type\": [\"string\", \"integer\"]}}}"

static const char defs_text[] =
	"["
	"{\"name\": \"" TOOLS_BUILDER_IMPORT "\", \"title\": \"Import an API spec as a draft "
	"connector\","
	" \"description\": \"Turn a vendor's OpenAPI 3.x, Swagger 2.0 (JSON or YAML) or Postman "
	"v2.1 spec into a draft switchboard connector: entities, list/read/create/update/delete "
	"and named actions, parameters, auth methods, base URL, pagination. Give spec as a file "
	"path on this computer or as the spec's text (fetch a URL yourself first). Nothing is "
	"written: next call " TOOLS_BUILDER_TEST " with the draft and the user's connection, fix "
	"what fails, then " TOOLS_BUILDER_SAVE ". For a large API narrow it with only (tags) or "
	"exclude (globs on operationId, path or tool name).\","
	" \"inputSchema\": {\"type\": \"object\", \"required\": [\"spec\"], "
	"\"additionalProperties\": false, \"properties\": {"
	"  \"spec\": {\"type\": \"string\", \"description\": \"A file path, or the spec's JSON or "
	"YAML text.\"},"
	"  \"slug\": {\"type\": \"string\", \"pattern\": \"^[a-z][a-z0-9]{0,19}$\", "
	"\"description\": \"The connector's id and tool name prefix (default: from the spec's "
	"title).\"},"
	"  \"only\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"description\": "
	"\"Only operations with these tags.\"},"
	"  \"exclude\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, "
	"\"description\": \"Leave out operations matching these globs.\"}}},"
	" \"outputSchema\": {\"type\": \"object\", \"required\": [\"connector\", \"skipped\", "
	"\"operations\", \"actions\"], \"properties\": {"
	"  \"connector\": {\"type\": \"object\", \"description\": \"The draft connector "
	"document.\"},"
	"  \"skipped\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
	"  \"operations\": {\"type\": \"integer\"}, \"actions\": {\"type\": \"integer\"},"
	"  \"tools\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}}},"
	" \"annotations\": {\"title\": \"Import an API spec as a draft connector\", "
	"\"readOnlyHint\": true, \"openWorldHint\": false}},"

	"{\"name\": \"" TOOLS_BUILDER_TEST "\", \"title\": \"Test a connector against a "
	"connection\","
	" \"description\": \"Run every read-only action of a connector against the user's real "
	"connection: each list, then each read with an id from its list, then a second page. "
	"Give connector (a draft from " TOOLS_BUILDER_IMPORT ", changed as you like) or slug (a "
	"saved one). Each result has the vendor's status and message and the request sent "
	"(credentials redacted). With writes true it also sends each create action that is not "
	"destructive, once, with arguments made from its schema: each makes one real object at "
	"the vendor (listed in created; tell the user); never an update, delete, payment, refund "
	"or send. Without it writes_skipped names those creates. "
	"Failures are sorted into problems (auth: key placement or "
	"scheme word; base_url; pagination: parameter names; body_encoding: a create's body "
	"refused, 415 or 400, fixed with json or form) and each problem's changes were "
	"tried against the vendor: verified true means they made the failed call pass. With fix "
	"true the verified changes are applied and the tests run again; the result's "
	"connector_doc is then the fixed draft to pass to " TOOLS_BUILDER_SAVE ". Writes no "
	"file; without writes it sends only the read actions' requests.\","
	" \"inputSchema\": {\"type\": \"object\", \"additionalProperties\": false, "
	"\"properties\": {"
	"  \"connector\": {\"type\": \"object\", \"description\": \"A draft connector "
	"document.\"},"
	"  \"slug\": {\"type\": \"string\", \"description\": \"A loaded connector instead of a "
	"draft.\"},"
	"  \"connection\": {\"type\": \"string\", \"description\": \"Connection name (default: "
	"the connector's default, or its environment variables).\"},"
	"  \"servers\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, "
	"\"description\": \"Base URLs to try when every path is 404 (the spec's servers).\"},"
	"  \"fix\": {\"type\": \"boolean\", \"description\": \"Apply verified fixes to the "
	"draft and test again (default false).\"},"
	"  \"writes\": {\"type\": \"boolean\", \"description\": \"Also send the create "
	"actions that are not destructive, each once (real objects at the vendor; default "
	"false). Only when the user agreed.\"}}},"
	" \"outputSchema\": {\"type\": \"object\", \"required\": [\"connector\", \"passed\", "
	"\"failed\", \"skipped\", \"results\", \"problems\", \"fixed\"], \"properties\": {"
	"  \"connector\": {\"type\": \"string\"}, \"connection\": {\"type\": \"string\"},"
	"  \"passed\": {\"type\": \"integer\"}, \"failed\": {\"type\": \"integer\"}, "
	"\"skipped\": {\"type\": \"integer\"}, \"rounds\": {\"type\": \"integer\"},"
	"  \"results\": {\"type\": \"array\", \"items\": " RESULT_ITEM "},"
	"  \"before\": {\"type\": \"array\", \"items\": " RESULT_ITEM "},"
	"  \"problems\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"required\": "
	"[\"problem\", \"summary\", \"verified\"], \"properties\": {\"problem\": {\"enum\": "
	"[\"auth\", \"base_url\", \"pagination\", \"body_encoding\", \"other\"]}, \"summary\": "
	"{\"type\": "
	"\"string\"}, \"round\": {\"type\": \"integer\"}, \"verified\": {\"type\": "
	"\"boolean\"}, \"changes\": {\"type\": \"array\", \"items\": {\"type\": \"object\", "
	"\"required\": [\"path\", \"to\"], \"properties\": {\"path\": {\"type\": \"string\"}}}}}}},"
	"  \"fixed\": {\"type\": \"boolean\"},"
	"  \"writes_skipped\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
	"  \"created\": {\"type\": \"array\", \"items\": {\"type\": \"object\", "
	"\"required\": [\"tool\"], \"properties\": {\"tool\": {\"type\": \"string\"}, "
	"\"id\": {\"type\": [\"string\", \"integer\"]}}}},"
	"  \"connector_doc\": {\"type\": \"object\"}}},"
	/* Not read-only: with writes it makes objects at the vendor. */
	" \"annotations\": {\"title\": \"Test a connector against a connection\", "
	"\"readOnlyHint\": false, \"destructiveHint\": false, \"idempotentHint\": false, "
	"\"openWorldHint\": true}},"

	"{\"name\": \"" TOOLS_BUILDER_SAVE "\", \"title\": \"Save a connector\","
	" \"description\": \"Validate a connector document (the connector schema and the "
	"loader's rules, tool names unique among the loaded connectors) and write it to the "
	"user's connector folder as SLUG.json, keeping an earlier file as SLUG.json.bak. Its "
	"tools appear in tools/list at once (notifications/tools/list_changed) when the "
	"connector has a connection; otherwise connect one with switchboard_connect. Replacing "
	"a loaded connector of the same slug needs replace true.\","
	" \"inputSchema\": {\"type\": \"object\", \"required\": [\"connector\"], "
	"\"additionalProperties\": false, \"properties\": {"
	"  \"connector\": {\"type\": \"object\", \"description\": \"The connector document "
	"(a tested draft).\"},"
	"  \"replace\": {\"type\": \"boolean\", \"description\": \"Replace a loaded connector "
	"of that slug (default false).\"}}},"
	" \"outputSchema\": {\"type\": \"object\", \"required\": [\"slug\", \"path\", "
	"\"tools\"], \"properties\": {"
	"  \"slug\": {\"type\": \"string\"}, \"path\": {\"type\": \"string\"},"
	"  \"backup\": {\"type\": \"string\"},"
	"  \"tools\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
	"  \"connected\": {\"type\": \"boolean\"}}},"
	" \"annotations\": {\"title\": \"Save a connector\", \"readOnlyHint\": false, "
	"\"destructiveHint\": false, \"idempotentHint\": true, \"openWorldHint\": false}}"
	"]";

json_t *tools_builder_defs(void)
{
	json_error_t je;
	json_t *defs = json_loads(defs_text, 0, &je);
	if (!defs) {
		/* Our own text: a mistake here is a bug, found by every test. */
		log_error("builder tool definitions: line %d: %s", je.line, je.text);
		abort();
	}
	return defs;
}

/* A NULL-terminated copy of an array of strings (borrowed pointers), or NULL. */
static char **strv_of(json_t *arr)
{
	if (!json_array_size(arr))
		return NULL;
	char **v = xcalloc(json_array_size(arr) + 1, sizeof(*v));
	size_t i, n = 0;
	json_t *s;
	json_array_foreach(arr, i, s)
		if (json_is_string(s))
			v[n++] = (char *)json_string_value(s);
	return v;
}

/* spec: a path, or the text itself (it starts like JSON or holds a newline). */
static json_t *load_spec(const char *spec, struct err *err)
{
	const char *p = spec + strspn(spec, " \t\r\n");
	if (strncmp(p, "http://", 7) == 0 || strncmp(p, "https://", 8) == 0) {
		err_set(err, "spec is a URL: fetch it yourself and pass its text as spec (or save "
			     "it to a file and pass the path)");
		return NULL;
	}
	if (*p != '{' && !strchr(p, '\n'))
		return import_load(p, err);
	size_t len = strlen(spec);
	if (len > DRAFT_TEXT_MAX) {
		err_set(err, "spec is %zu bytes, above the %u this tool takes; pass a path", len,
			DRAFT_TEXT_MAX);
		return NULL;
	}
	json_t *doc;
	if (*p == '{') {
		json_error_t je;
		doc = json_loads(p, 0, &je);
		if (!doc)
			err_set(err, "spec is not JSON: line %d column %d: %s", je.line, je.column,
				je.text);
	} else {
		doc = import_yaml_parse(spec, len, err);
	}
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		err_set(err, "not a spec (the top level is not an object)");
		return NULL;
	}
	return doc;
}

json_t *tools_builder_import(json_t *args)
{
	struct err e;
	err_init(&e);
	json_t *report = json_array(), *conn = NULL, *result = NULL;
	json_t *spec = load_spec(json_string_value(json_object_get(args, "spec")), &e);
	struct import_opts o = {.slug = json_string_value(json_object_get(args, "slug")),
				.only = strv_of(json_object_get(args, "only")),
				.exclude = strv_of(json_object_get(args, "exclude"))};
	if (spec && json_object_get(spec, "item") && json_object_get(spec, "info") &&
	    !json_object_get(spec, "paths")) {
		json_t *conv = import_postman(spec, &e);
		json_decref(spec);
		spec = conv;
	}
	if (spec)
		conn = import_connector(spec, &o, report, &e);
	if (!conn) {
		char *msg = xasprintf("cannot import the spec: %s", e.msg);
		result = result_error(msg, NULL);
		free(msg);
		goto out;
	}
	json_t *tools = json_array();
	const char *slug = json_string_value(json_object_get(conn, "slug"));
	const char *en, *an;
	json_t *ent, *act;
	json_object_foreach(json_object_get(conn, "entities"), en, ent)
		json_object_foreach(json_object_get(ent, "actions"), an, act)
			json_array_append_new(tools, json_sprintf("%s_%s_%s", slug, en, an));
	result = result_success(json_pack("{s:O, s:O, s:I, s:I, s:o}", "connector", conn, "skipped",
					  report, "operations",
					  (json_int_t)import_count_operations(spec), "actions",
					  (json_int_t)json_array_size(tools), "tools", tools));
out:
	free(o.only);
	free(o.exclude);
	json_decref(conn);
	json_decref(spec);
	json_decref(report);
	return result;
}

json_t *tools_builder_test_doc(const struct registry *r, json_t *args, const char **path,
			       struct err *err)
{
	json_t *doc = json_object_get(args, "connector");
	const char *slug = json_string_value(json_object_get(args, "slug"));
	*path = "draft";
	if (doc && slug) {
		err_set(err, "give connector (a draft) or slug (a saved connector), not both");
		return NULL;
	}
	if (doc)
		return doc;
	const struct connector *c = slug ? registry_find(r, slug) : NULL;
	if (!c) {
		err_set(err,
			slug ? "no connector '%s' is loaded; pass the draft as connector"
			     : "give connector (a draft) or slug (a saved connector)%s",
			slug ? slug : "");
		return NULL;
	}
	*path = c->path;
	return c->doc;
}

static int write_text(const char *path, const char *text, struct err *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int bad = !f;
	if (f) {
		bad |= fputs(text, f) < 0 || fputc('\n', f) < 0;
		bad |= fclose(f) != 0;
	}
	if (!bad && rename(tmp, path) == 0) {
		free(tmp);
		return 0;
	}
	err_set(err, "cannot write '%s': %s", path, strerror(errno));
	unlink(tmp);
	free(tmp);
	return -1;
}

json_t *tools_builder_save(const struct registry *r, json_t *args, int *saved)
{
	json_t *doc = json_object_get(args, "connector");
	const char *slug = json_string_value(json_object_get(doc, "slug"));
	int replace = json_is_true(json_object_get(args, "replace"));
	struct err e;
	err_init(&e);
	*saved = 0;
	char *dir = registry_user_dir(), *path = NULL, *bak = NULL, *text = NULL;
	json_t *result = NULL, *tools = json_array();
	if (registry_check_doc("connector", doc, &e) < 0)
		goto fail;
	const struct connector *old = registry_find(r, slug);
	if (old && !replace) {
		err_set(&e,
			"a connector '%s' is loaded already (%s); pass replace true to "
			"replace it, or choose another slug",
			slug, old->path);
		goto fail;
	}
	/* Tool names unique across the registry, as check demands. */
	json_t *taken = json_object();
	const char *en, *an;
	json_t *ent, *act;
	for (size_t i = 0; i < registry_count(r); i++) {
		const struct connector *c = registry_at(r, i);
		if (strcmp(c->slug, slug) == 0)
			continue;
		for (size_t ei = 0; ei < c->model->n_entities; ei++)
			for (size_t ai = 0; ai < c->model->entities[ei].n_actions; ai++)
				json_object_set_new(taken, c->model->entities[ei].actions[ai].id,
						    json_string(c->slug));
	}
	json_object_foreach(json_object_get(doc, "entities"), en, ent) {
		json_object_foreach(json_object_get(ent, "actions"), an, act) {
			json_t *name = json_sprintf("%s_%s_%s", slug, en, an);
			json_t *other = json_object_get(taken, json_string_value(name));
			if (other && !err_is_set(&e))
				err_set(&e, "tool %s is connector '%s''s too",
					json_string_value(name), json_string_value(other));
			json_array_append_new(tools, name);
		}
	}
	json_decref(taken);
	if (err_is_set(&e))
		goto fail;
	if (mkdir_p(dir, 0700, &e) < 0)
		goto fail;
	path = xasprintf("%s/%s.json", dir, slug);
	if (access(path, F_OK) == 0) {
		size_t len = 0;
		char *was = read_file(path, 64u << 20, &len, &e);
		bak = xasprintf("%s.bak", path);
		if (!was || write_text(bak, was, &e) < 0) {
			free(was);
			goto fail;
		}
		free(was);
	}
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (write_text(path, text, &e) < 0)
		goto fail;
	*saved = 1;
	result = result_success(
		json_pack("{s:s, s:s, s:O}", "slug", slug, "path", path, "tools", tools));
	if (bak)
		json_object_set_new(json_object_get(result, "structuredContent"), "backup",
				    json_string(bak));
	goto out;
fail : {
	char *msg = xasprintf("not saved: %s", e.msg);
	result = result_error(msg, NULL);
	free(msg);
}
out:
	json_decref(tools);
	free(text);
	free(bak);
	free(path);
	free(dir);
	return result;
}
