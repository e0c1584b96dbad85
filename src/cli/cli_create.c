/* cli_create.c - `switchboard connectors create` (the Create Connector form:
 * prompts on a terminal, options otherwise) and `connectors edit SLUG` (the
 * user's copy in $VISUAL/$EDITOR, checked before it replaces the file). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_fields.h"
#include "registry_create.h"

#define LINE_MAX_LEN 1024
#define CONNECTOR_MAX_BYTES (64u << 20) /* as import reads a spec */

static const char create_usage[] =
	"usage: switchboard connectors create [--name NAME] [--slug SLUG] [--description TEXT]\n"
	"           [--domain HOST] [--visibility private|public] [--icon-url URL]\n"
	"           [--base-url URL] [--category TEXT] [--auth TYPE[,TYPE...]]...\n"
	"           [--default-auth TYPE] [--key-header NAME | --key-query NAME]\n"
	"           [--key-format TEMPLATE] [--authorize-url URL --token-url URL]\n"
	"           [--scopes S] [--custom-header 'Name: {field}']... [--force]\n";

struct create_opts {
	struct registry_create rc;
	struct registry_create_auth a;
	json_t *types; /* auth types asked for, in order */
	int force;
};

/* "api_key,oauth2" appended to types; -1 after a message on a bad type. */
static int add_types(json_t *types, const char *list)
{
	static const char *const known[] = {"none",    "basic",  "bearer",
					    "api_key", "oauth2", "custom"};
	while (*list) {
		list += strspn(list, ", ");
		size_t n = strcspn(list, ", ");
		if (!n)
			break;
		size_t k = 0;
		while (k < sizeof(known) / sizeof(known[0]) &&
		       (strlen(known[k]) != n || strncmp(known[k], list, n) != 0))
			k++;
		if (k == sizeof(known) / sizeof(known[0])) {
			fprintf(stderr,
				"switchboard: no auth method '%.*s' (none, basic, bearer, api_key, "
				"oauth2 or custom)\n",
				(int)n, list);
			return -1;
		}
		json_array_append_new(types, json_string(known[k]));
		list += n;
	}
	return 0;
}

/* "Name: template" into headers; -1 after a message when it has no colon. */
static int add_header(json_t *headers, const char *line)
{
	const char *colon = strchr(line, ':');
	if (!colon || colon == line) {
		fprintf(stderr, "switchboard: --custom-header takes 'Name: template', not '%s'\n",
			line);
		return -1;
	}
	const char *v = colon + 1 + strspn(colon + 1, " ");
	char *name = xstrndup(line, (size_t)(colon - line));
	json_object_set_new(headers, name, json_string(v));
	free(name);
	return 0;
}

/* The options into o; 0, or 2 (a usage error, said). */
static int parse(struct create_opts *o, int argc, char **argv)
{
	const struct {
		const char *opt;
		const char **dst;
	} strs[] = {
		{"--name", &o->rc.name},
		{"--slug", &o->rc.slug},
		{"--description", &o->rc.description},
		{"--category", &o->rc.category},
		{"--domain", &o->rc.domain},
		{"--visibility", &o->rc.visibility},
		{"--icon-url", &o->rc.icon_url},
		{"--base-url", &o->rc.base_url},
		{"--default-auth", &o->rc.default_auth},
		{"--key-header", &o->a.key_name},
		{"--key-query", &o->a.key_name},
		{"--key-format", &o->a.key_format},
		{"--authorize-url", &o->a.authorize_url},
		{"--token-url", &o->a.token_url},
		{"--scopes", &o->a.scopes},
	};
	const size_t nstrs = sizeof(strs) / sizeof(strs[0]);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		size_t k = 0;
		while (k < nstrs && strcmp(strs[k].opt, a) != 0)
			k++;
		if (k < nstrs) {
			if (!(v = cli_opt_value(&i, argc, argv)))
				return 2;
			*strs[k].dst = v;
			if (strcmp(a, "--key-query") == 0)
				o->a.key_in = "query";
		} else if (strcmp(a, "--auth") == 0) {
			if (!(v = cli_opt_value(&i, argc, argv)) || add_types(o->types, v) < 0)
				return 2;
		} else if (strcmp(a, "--custom-header") == 0) {
			if (!(v = cli_opt_value(&i, argc, argv)) ||
			    add_header(o->a.custom_headers, v) < 0)
				return 2;
		} else if (strcmp(a, "--force") == 0) {
			o->force = 1;
		} else {
			fprintf(stderr, "switchboard: connectors create: unexpected '%s'\n%s", a,
				create_usage);
			return 2;
		}
	}
	return 0;
}

/* Ask on the terminal; Enter takes def (may be NULL: an empty answer).
 * The answer is in line. 0, or -1 at end of input. */
static int ask(const char *question, const char *def, char *line, size_t size)
{
	char *q = def && *def ? xasprintf("%s [%s]: ", question, def) : xasprintf("%s: ", question);
	int n = cli_fields_prompt(q, 0, line, size);
	free(q);
	if (n < 0)
		return -1;
	if (n == 0 && def)
		snprintf(line, size, "%s", def);
	return 0;
}

/* An answer kept for the rest of the command: strings in o point into it. */
static const char *keep(json_t *pool, const char *s)
{
	if (!*s)
		return NULL;
	json_array_append_new(pool, json_string(s));
	return json_string_value(json_array_get(pool, json_array_size(pool) - 1));
}

/* The auth method of type, its options asked for on a terminal until they
 * make a method. New, or NULL at end of input. */
static json_t *ask_method(struct create_opts *o, const char *type, const char *slug, json_t *pool)
{
	char line[LINE_MAX_LEN];
	struct err e;
	for (;;) {
		err_init(&e);
		if (strcmp(type, "api_key") == 0) {
			const char *in = o->a.key_in ? o->a.key_in : "header";
			if (ask("  api_key: sent in a header or a query parameter", in, line,
				sizeof(line)) < 0)
				return NULL;
			int query = strcmp(line, "query") == 0;
			if (strcmp(line, in) != 0)
				o->a.key_name = NULL; /* the other kind's name is no default */
			o->a.key_in = keep(pool, line);
			const char *name = o->a.key_name ? o->a.key_name
					   : query       ? "api_key"
							 : "X-API-Key";
			if (ask(query ? "  api_key: query parameter name"
				      : "  api_key: header name",
				name, line, sizeof(line)) < 0)
				return NULL;
			o->a.key_name = keep(pool, line);
			if (ask("  api_key: value template",
				o->a.key_format ? o->a.key_format : "{api_key}", line,
				sizeof(line)) < 0)
				return NULL;
			o->a.key_format = keep(pool, line);
		} else if (strcmp(type, "oauth2") == 0) {
			if (ask("  oauth2: authorize URL (https)", o->a.authorize_url, line,
				sizeof(line)) < 0)
				return NULL;
			o->a.authorize_url = keep(pool, line);
			if (ask("  oauth2: token URL (https)", o->a.token_url, line, sizeof(line)) <
			    0)
				return NULL;
			o->a.token_url = keep(pool, line);
			if (ask("  oauth2: scopes, comma-separated (optional)", o->a.scopes, line,
				sizeof(line)) < 0)
				return NULL;
			o->a.scopes = keep(pool, line);
		} else if (strcmp(type, "custom") == 0) {
			json_object_clear(o->a.custom_headers);
			for (;;) {
				if (ask("  custom: a header as 'Name: {field}' (empty: done)", NULL,
					line, sizeof(line)) < 0)
					return NULL;
				if (!*line)
					break;
				add_header(o->a.custom_headers, line);
			}
		}
		json_t *m = registry_create_method(type, slug, &o->a, &e);
		if (m)
			return m;
		fprintf(stderr, "switchboard: %s\n", e.msg);
	}
}

/* Every field asked for on a terminal, each again until it is valid; the
 * options given are the defaults. 0, or -1 at end of input. */
static int ask_all(struct create_opts *o, const struct registry *r, json_t *pool)
{
	char line[LINE_MAX_LEN];
	char *slug = NULL;
	int ret = -1;
	do {
		if (ask("Name", o->rc.name, line, sizeof(line)) < 0)
			goto out;
	} while (!*line);
	o->rc.name = keep(pool, line);
	for (;;) {
		char *derived = registry_create_slug(o->rc.name);
		int got = ask("Slug (lowercase letters and digits)",
			      o->rc.slug ? o->rc.slug : derived, line, sizeof(line));
		free(derived);
		if (got < 0)
			goto out;
		free(slug);
		slug = registry_create_slug(line);
		if (!*line || strcmp(slug, line) != 0)
			fprintf(stderr, "switchboard: a slug is lowercase letters and digits, "
					"starting with a letter, at most 20\n");
		else if (registry_find(r, line) && !o->force)
			fprintf(stderr, "switchboard: a connector '%s' exists already\n", line);
		else
			break;
	}
	o->rc.slug = keep(pool, line);
	char *def = xasprintf("%s.", o->rc.name);
	int got =
		ask("Description", o->rc.description ? o->rc.description : def, line, sizeof(line));
	free(def);
	if (got < 0)
		goto out;
	o->rc.description = keep(pool, line);
	for (;;) {
		if (ask("Domain, such as salesforce.com (optional)", o->rc.domain, line,
			sizeof(line)) < 0)
			goto out;
		if (!*line || registry_create_is_host(line))
			break;
		fprintf(stderr, "switchboard: '%s' is not a host name\n", line);
	}
	o->rc.domain = keep(pool, line);
	if (ask("API base URL (optional)", o->rc.base_url, line, sizeof(line)) < 0)
		goto out;
	o->rc.base_url = keep(pool, line);
	do {
		if (ask("Visibility: private (yours) or public (every user's)",
			o->rc.visibility ? o->rc.visibility : "private", line, sizeof(line)) < 0)
			goto out;
	} while (strcmp(line, "private") != 0 && strcmp(line, "public") != 0);
	o->rc.visibility = keep(pool, line);
	for (;;) {
		if (ask("Icon URL, https (optional)", o->rc.icon_url, line, sizeof(line)) < 0)
			goto out;
		if (!*line || strncmp(line, "https://", 8) == 0)
			break;
		fprintf(stderr, "switchboard: the icon URL must be https\n");
	}
	o->rc.icon_url = keep(pool, line);
	for (;;) {
		json_t *given = json_array_size(o->types) ? json_copy(o->types) : NULL;
		char *types = NULL;
		size_t i;
		json_t *t;
		json_array_foreach(given, i, t) {
			char *more = xasprintf("%s%s%s", types ? types : "", types ? "," : "",
					       json_string_value(t));
			free(types);
			types = more;
		}
		json_decref(given);
		got = ask("Auth methods, one or more of none, basic, bearer, api_key, oauth2, "
			  "custom",
			  types ? types : "api_key", line, sizeof(line));
		free(types);
		if (got < 0)
			goto out;
		json_array_clear(o->types);
		if (add_types(o->types, line) == 0 && json_array_size(o->types))
			break;
	}
	json_array_clear(o->rc.methods);
	size_t i;
	json_t *t;
	json_array_foreach(o->types, i, t) {
		json_t *m = ask_method(o, json_string_value(t), o->rc.slug, pool);
		if (!m)
			goto out;
		json_array_append_new(o->rc.methods, m);
	}
	while (json_array_size(o->types) > 1) {
		const char *first = json_string_value(json_array_get(o->types, 0));
		if (ask("Default auth method", o->rc.default_auth ? o->rc.default_auth : first,
			line, sizeof(line)) < 0)
			goto out;
		json_array_foreach(o->types, i, t)
			if (strcmp(json_string_value(t), line) == 0)
				break;
		if (i < json_array_size(o->types)) {
			o->rc.default_auth = keep(pool, line);
			break;
		}
		fprintf(stderr, "switchboard: the default is one of the methods chosen\n");
	}
	ret = 0;
out:
	free(slug);
	return ret;
}

/* The auth methods from the options. 0, or -1 after a message. */
static int methods_from_opts(struct create_opts *o, const char *slug)
{
	size_t i;
	json_t *t;
	struct err e;
	if (!json_array_size(o->types)) {
		fprintf(stderr, "switchboard: choose the auth methods with --auth (one or more of "
				"none, basic, bearer, api_key, oauth2, custom)\n");
		return -1;
	}
	json_array_foreach(o->types, i, t) {
		err_init(&e);
		json_t *m = registry_create_method(json_string_value(t), slug, &o->a, &e);
		if (!m) {
			fprintf(stderr, "switchboard: %s\n", e.msg);
			return -1;
		}
		json_array_append_new(o->rc.methods, m);
	}
	return 0;
}

int cli_connectors_create(struct cli *cli, int argc, char **argv)
{
	struct create_opts o = {.types = json_array()};
	o.a.custom_headers = json_object();
	o.rc.methods = json_array();
	json_t *pool = json_array(), *doc = NULL;
	struct registry *r = NULL;
	char *dir = NULL, *path = NULL, *text = NULL, *derived = NULL;
	struct err e;
	err_init(&e);
	int ret = parse(&o, argc, argv);
	if (ret)
		goto out;
	ret = 1;
	r = cli_registry(cli);
	o.rc.created_by = cli_user_name();
	if (!o.rc.name && isatty(STDIN_FILENO)) {
		fprintf(stderr, "Create a connector (Enter takes the [default]; Ctrl-D stops):\n");
		if (ask_all(&o, r, pool) < 0) {
			fprintf(stderr, "\nswitchboard: nothing created\n");
			goto out;
		}
	} else if (!o.rc.name) {
		fprintf(stderr, "switchboard: --name is required when stdin is not a terminal\n%s",
			create_usage);
		ret = 2;
		goto out;
	} else {
		derived = o.rc.slug ? NULL : registry_create_slug(o.rc.name);
		if (methods_from_opts(&o, o.rc.slug ? o.rc.slug : derived) < 0)
			goto out;
	}
	doc = registry_create_doc(&o.rc, &e);
	if (!doc) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	const char *slug = json_string_value(json_object_get(doc, "slug"));
	const struct connector *had = registry_find(r, slug);
	if (had && !o.force) {
		fprintf(stderr,
			"switchboard: a connector '%s' exists already (%s); choose another slug, "
			"or --force to write yours anyway (it then replaces that one for you)\n",
			slug, had->path);
		goto out;
	}
	int shared = strcmp(json_string_value(json_object_get(doc, "visibility")), "public") == 0;
	dir = shared ? registry_shared_dir() : registry_user_dir();
	if (mkdir_p(dir, shared ? 0755 : 0700, &e) < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	path = xasprintf("%s/%s.json", dir, slug);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *file = xasprintf("%s\n", text);
	int w = write_file_atomic(path, file, strlen(file), shared ? 0644 : 0600, o.force, &e);
	free(file);
	if (w < 0) {
		fprintf(stderr, "switchboard: %s%s\n", e.msg,
			o.force ? "" : "; --force replaces it");
		goto out;
	}
	cli_print("%s\n", path);
	fprintf(stderr,
		"created %s connector '%s' in %s\n"
		"next: add its entities and actions with: switchboard connectors edit %s\n"
		"  or import them from its API spec: switchboard connectors import SPEC "
		"--merge %s --out %s\n"
		"then connect an account: switchboard %s %s\n",
		shared ? "public" : "private", slug, path, slug, path, path,
		strcmp(json_string_value(json_object_get(json_object_get(doc, "auth"), "default")),
		       "oauth2") == 0
			? "connect"
			: "connections add",
		slug);
	ret = 0;
out:
	free(derived);
	free(dir);
	free(path);
	free(text);
	json_decref(doc);
	json_decref(pool);
	json_decref(o.types);
	json_decref(o.a.custom_headers);
	json_decref(o.rc.methods);
	registry_free(r);
	return ret;
}

/* ---- connectors edit SLUG ---- */

/* Run $VISUAL, else $EDITOR, else vi on path, through the shell as git
 * does (so "code --wait" works), on the terminal the command has. Returns
 * its exit status, or -1 when it could not run. */
static int run_editor(const char *path)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	char *cmd = xasprintf("%s \"$1\"", ed);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	int status;
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The edited text as a connector of slug: it loads as the registry loads a
 * file (schema and names checked), and keeps its slug. 0 or -1 with err. */
static int check_edit(const char *draft, const char *slug, struct err *err)
{
	struct registry *r = registry_new();
	int ret = -1;
	if (registry_load_file(r, draft, err) < 0)
		goto out;
	if (!registry_find(r, slug)) {
		err_set(err, "the slug must stay '%s' (create a new connector for another)", slug);
		goto out;
	}
	ret = 0;
out:
	registry_free(r);
	return ret;
}

/* Ask whether to open the editor again: only on a terminal; Enter is yes. */
static int again(void)
{
	char line[16];
	if (!isatty(STDIN_FILENO) ||
	    cli_fields_prompt("Edit again? [Y/n] ", 0, line, sizeof(line)) < 0)
		return 0;
	return line[0] != 'n' && line[0] != 'N';
}

int cli_connectors_edit(struct cli *cli, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "usage: switchboard connectors edit SLUG\n");
		return 2;
	}
	const char *slug = argv[0];
	struct registry *r = cli_registry(cli);
	char *udir = registry_user_dir(), *target = NULL, *text = NULL, *edited = NULL;
	char *tmpdir = NULL, *draft = NULL, *kept = NULL;
	size_t len = 0, elen = 0;
	int ret = 1;
	struct err e;
	err_init(&e);
	const struct connector *c = cli_find_connector(r, slug);
	if (!c)
		goto out;
	size_t ul = strlen(udir);
	int own = strncmp(c->path, udir, ul) == 0 && c->path[ul] == '/';
	target = own ? xstrdup(c->path) : xasprintf("%s/%s.json", udir, slug);
	/* A copy starts from the file as it is, not as loaded (no defaults). */
	text = read_file(c->path, CONNECTOR_MAX_BYTES, &len, &e);
	tmpdir = xasprintf("%s/switchboard-edit-XXXXXX",
			   getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!text || !mkdtemp(tmpdir)) {
		fprintf(stderr, "switchboard: %s\n", text ? strerror(errno) : e.msg);
		free(tmpdir);
		tmpdir = NULL;
		goto out;
	}
	draft = xasprintf("%s/%s.json", tmpdir, slug);
	if (write_file_atomic(draft, text, len, 0600, 0, &e) < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	if (!own)
		fprintf(stderr, "editing a copy of %s; once saved, %s overrides it for you\n",
			c->path, target);
	for (;;) {
		int st = run_editor(draft);
		if (st != 0) {
			fprintf(stderr, "switchboard: the editor failed (%s %d); %s is unchanged\n",
				st < 0 ? "status" : "exit", st, slug);
			goto out;
		}
		free(edited);
		err_init(&e);
		edited = read_file(draft, CONNECTOR_MAX_BYTES, &elen, &e);
		if (edited && elen == len && memcmp(edited, text, len) == 0) {
			fprintf(stderr, "no change; %s is as it was\n", slug);
			ret = 0;
			goto out;
		}
		if (edited && check_edit(draft, slug, &e) == 0)
			break;
		/* The draft's path means nothing to the user: say whose it is. */
		size_t dl = strlen(draft);
		if (strncmp(e.msg, draft, dl) == 0)
			fprintf(stderr, "switchboard: your edit of %s%s\n", slug, e.msg + dl);
		else
			fprintf(stderr, "switchboard: %s\n", e.msg);
		if (!again()) {
			kept = xasprintf("%s.rejected", target);
			err_init(&e);
			if (mkdir_p(udir, 0700, &e) == 0 &&
			    write_file_atomic(kept, edited ? edited : "", edited ? elen : 0, 0600,
					      1, &e) == 0)
				fprintf(stderr, "your edit is kept in %s; %s is unchanged\n", kept,
					slug);
			else
				fprintf(stderr, "switchboard: %s\n", e.msg);
			goto out;
		}
	}
	err_init(&e);
	if (mkdir_p(udir, 0700, &e) < 0 ||
	    write_file_atomic(target, edited, elen, 0600, 1, &e) < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	fprintf(stderr, "saved %s\n", target);
	ret = 0;
out:
	if (draft)
		unlink(draft);
	if (tmpdir)
		rmdir(tmpdir);
	free(draft);
	free(tmpdir);
	free(kept);
	free(edited);
	free(text);
	free(target);
	free(udir);
	registry_free(r);
	return ret;
}
