/* cli_conntest.c - switchboard connectors test SLUG [--connection NAME]
 * [--writes] [--fix]: run a connector's read-only actions (with --writes its
 * create actions too) against a real connection,
 * report each, propose (and with --fix write) the change to the connector
 * file that makes the failures pass. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conntest.h"
#include "store.h"
#include "urlenc.h"

static void usage(void)
{
	fprintf(stderr, "usage: switchboard connectors test SLUG [--connection NAME] [--writes] "
			"[--fix] [--json]\n");
}

struct wait {
	json_t *report;
};

static void test_done(json_t *report, void *ctx)
{
	((struct wait *)ctx)->report = report;
}

static int write_doc(const char *path, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ret = -1;
	if (f) {
		int bad = fputs(text, f) < 0 || fputc('\n', f) < 0;
		bad |= fclose(f) != 0;
		if (!bad && rename(tmp, path) == 0)
			ret = 0;
	}
	if (ret < 0) {
		fprintf(stderr, "switchboard: cannot write '%s': %s\n", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(text);
	return ret;
}

static int copy_file(const char *from, const char *to)
{
	size_t len = 0;
	struct err e;
	err_init(&e);
	char *text = read_file(from, 64u << 20, &len, &e);
	if (!text) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		return -1;
	}
	FILE *f = fopen(to, "w");
	int bad = !f || fwrite(text, 1, len, f) != len;
	if (f)
		bad |= fclose(f) != 0;
	free(text);
	if (bad)
		fprintf(stderr, "switchboard: cannot write '%s': %s\n", to, strerror(errno));
	return bad ? -1 : 0;
}

/* Write the verified changes into the connector's file in the user's
 * folder: the file itself (its old bytes kept as FILE.bak) when it lives
 * there, else a copy there, which replaces the built-in one of that slug. */
static int save_fix(const struct connector *c, json_t *report)
{
	char *dir = registry_user_dir();
	char *path = xasprintf("%s/%s.json", dir, c->slug);
	int mine = strncmp(c->path, dir, strlen(dir)) == 0 && c->path[strlen(dir)] == '/';
	int ret = -1;
	struct err e;
	err_init(&e);
	json_t *orig = NULL;
	if (mine) {
		free(path);
		path = xstrdup(c->path);
	} else if (mkdir_p(dir, 0700, &e) < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	/* The file as written (no defaults filled in), with the changes. */
	orig = json_load_file(c->path, JSON_PRESERVE_ORDER, NULL);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(report, "problems"), i, p) {
		if (json_is_true(json_object_get(p, "verified")) &&
		    conntest_apply(orig, json_object_get(p, "changes")) < 0) {
			json_decref(orig);
			orig = NULL;
			break;
		}
	}
	if (!orig) /* a change into a part the file leaves to defaults */
		orig = json_incref(json_object_get(report, "connector_doc"));
	if (mine) {
		char *bak = xasprintf("%s.bak", path);
		int r = copy_file(path, bak);
		if (r == 0)
			fprintf(stderr, "switchboard: kept the old file as %s\n", bak);
		free(bak);
		if (r < 0)
			goto out;
	}
	if (write_doc(path, orig) < 0)
		goto out;
	fprintf(stderr, "switchboard: wrote the fix to %s\n", path);
	ret = 0;
out:
	json_decref(orig);
	free(path);
	free(dir);
	return ret;
}

static void print_report(json_t *report)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(report, "results"), i, e) {
		json_t *req = json_object_get(e, "request");
		cli_print("%-7s %-6s %s", json_string_value(json_object_get(e, "outcome")),
			  json_string_value(json_object_get(e, "check")),
			  json_string_value(json_object_get(e, "tool")));
		if (json_object_get(e, "status"))
			cli_print(" %d", (int)json_integer_value(json_object_get(e, "status")));
		cli_print("\n");
		if (req && strcmp(json_string_value(json_object_get(e, "outcome")), "passed") != 0)
			cli_print("        %s %s\n",
				  json_string_value(json_object_get(req, "method")),
				  json_string_value(json_object_get(req, "url")));
		if (json_object_get(e, "message") &&
		    strcmp(json_string_value(json_object_get(e, "outcome")), "passed") != 0)
			cli_print("        %s\n", json_string_value(json_object_get(e, "message")));
	}
	json_array_foreach(json_object_get(report, "problems"), i, e) {
		cli_print("problem (round %d): %s: %s\n",
			  (int)json_integer_value(json_object_get(e, "round")),
			  json_string_value(json_object_get(e, "problem")),
			  json_string_value(json_object_get(e, "summary")));
		size_t k;
		json_t *ch;
		json_array_foreach(json_object_get(e, "changes"), k, ch) {
			char *from = json_dumps(json_object_get(ch, "from"), JSON_ENCODE_ANY);
			char *to = json_dumps(json_object_get(ch, "to"), JSON_ENCODE_ANY);
			cli_print("  %s %s: %s -> %s\n",
				  json_is_true(json_object_get(e, "verified")) ? "fix" : "try",
				  json_string_value(json_object_get(ch, "path")),
				  from ? from : "(none)", to ? to : "null");
			free(from);
			free(to);
		}
		if (strcmp(json_string_value(json_object_get(e, "problem")), "other") == 0)
			cli_print("  nothing to change in the connector for these: see each "
				  "failure's message\n");
		else if (!json_array_size(json_object_get(e, "changes")))
			cli_print("  no change to the connector made it pass\n");
	}
	json_t *names = json_object_get(report, "writes_skipped");
	if (json_array_size(names)) {
		cli_print("writes not sent:");
		json_array_foreach(names, i, e)
			cli_print(" %s", json_string_value(e));
		cli_print(
			" (--writes sends the create actions that are not destructive: each makes "
			"one real object at the vendor)\n");
	}
	json_array_foreach(json_object_get(report, "created"), i, e) {
		json_t *id = json_object_get(e, "id");
		char *shown = id ? urlenc_scalar_text(id) : NULL;
		cli_print("made at the vendor by %s: %s (delete it when done)\n",
			  json_string_value(json_object_get(e, "tool")),
			  shown ? shown : "an object without an id");
		free(shown);
	}
	json_t *before = json_object_get(report, "before");
	if (before) {
		size_t bad = 0;
		json_array_foreach(before, i, e)
			bad += strcmp(json_string_value(json_object_get(e, "outcome")), "failed") ==
			       0;
		cli_print("before the fix: %zu failed; after it:\n", bad);
	}
	cli_print("%d passed, %d failed, %d skipped\n",
		  (int)json_integer_value(json_object_get(report, "passed")),
		  (int)json_integer_value(json_object_get(report, "failed")),
		  (int)json_integer_value(json_object_get(report, "skipped")));
}

int cli_conntest(struct cli *cli, int argc, char **argv)
{
	const char *slug = NULL;
	struct conntest_opts o = {0};
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--connection") == 0) {
			if (!(o.connection = cli_opt_value(&i, argc, argv)))
				return 2;
		} else if (strcmp(argv[i], "--fix") == 0) {
			o.fix = 1;
		} else if (strcmp(argv[i], "--writes") == 0) {
			o.writes = 1;
		} else if (argv[i][0] != '-' && !slug) {
			slug = argv[i];
		} else {
			usage();
			return 2;
		}
	}
	if (!slug) {
		usage();
		return 2;
	}
	int ret = 1;
	struct registry *r = cli_registry(cli);
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	struct exec_env env = cli->exec;
	struct wait w = {0};
	const struct connector *c = cli_find_connector(r, slug);
	if (!c)
		goto out;
	env.store = st;
	o.rules = r;
	err_init(&e);
	env.http = http_new(&e);
	if (!env.http) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	struct conntest *t = conntest_start(&env, c->doc, c->path, &o, test_done, &w, &e);
	if (!t && err_is_set(&e)) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	while (!w.report) {
		int jobs = exec_poll(&env);
		if (w.report || (http_pending(env.http) == 0 && jobs == 0))
			break;
		if (http_wait(env.http, -1, 1000, NULL) < 0)
			break;
	}
	if (!w.report) {
		conntest_cancel(t);
		fprintf(stderr, "switchboard: the test did not finish\n");
		goto out;
	}
	if (cli->json) {
		json_t *shown = json_deep_copy(w.report);
		json_object_del(shown, "connector_doc");
		cli_print_json(shown);
		json_decref(shown);
	} else {
		print_report(w.report);
	}
	ret = json_integer_value(json_object_get(w.report, "failed")) > 0 ? 1 : 0;
	if (o.fix && json_is_true(json_object_get(w.report, "fixed")) && save_fix(c, w.report) < 0)
		ret = 1;
out:
	exec_shutdown();
	http_free(env.http);
	json_decref(w.report);
	store_free(st);
	registry_free(r);
	return ret;
}
