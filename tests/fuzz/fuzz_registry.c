/* fuzz_registry.c - libFuzzer target for connector files: bytes are written
 * to a temporary file and loaded with registry_load_file (JSON parse, schema
 * validation, the checks a schema cannot say, defaults); a file that loads
 * is turned into tools (names, input schemas, annotations, search), and
 * each tool whose auth needs no I/O gets a dry run with arguments made to
 * pass its own input schema.
 *
 *     make fuzz && build-fuzz/fuzz/fuzz_registry -max_total_time=180 tests/fuzz/corpus/registry */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "log.h"
#include "registry.h"
#include "schema.h"
#include "tools.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static struct registry *keep; /* keeps the connector schema loaded between runs */

static void set_datadir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (getenv("SWITCHBOARD_DATADIR") || n <= 0)
		return;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
	setenv("SWITCHBOARD_DATADIR", exe, 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	set_datadir();
	log_set_level(LOG_OFF);
	snprintf(path, sizeof(path), "/tmp/sb-fuzz-registry-%d.json", (int)getpid());
	keep = registry_new();
	return 0;
}

/* Arguments that satisfy the required properties, when simple values do. */
static json_t *make_args(const struct tool *t)
{
	json_t *args = json_object();
	json_t *props = json_object_get(tools_input(t), "properties");
	size_t i;
	json_t *name;
	json_array_foreach(json_object_get(tools_input(t), "required"), i, name) {
		const char *k = json_string_value(name);
		const char *type =
			json_string_value(json_object_get(json_object_get(props, k), "type"));
		if (!k)
			continue;
		if (type && strcmp(type, "integer") == 0)
			json_object_set_new(args, k, json_integer(1));
		else if (type && strcmp(type, "boolean") == 0)
			json_object_set_new(args, k, json_true());
		else if (type && strcmp(type, "object") == 0)
			json_object_set_new(args, k, json_object());
		else if (type && strcmp(type, "array") == 0)
			json_object_set_new(args, k, json_array());
		else
			json_object_set_new(args, k, json_string("x/y?z=1&a b"));
	}
	return args;
}

static int io_free_auth(const struct connector *c)
{
	json_t *m = connector_auth_method(c, NULL);
	const char *type = json_string_value(json_object_get(m, "type"));
	return type && (strcmp(type, "none") == 0 || strcmp(type, "api_key") == 0 ||
			strcmp(type, "bearer") == 0 || strcmp(type, "basic") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	struct registry *r = registry_new();
	struct err e;
	err_init(&e);
	if (registry_load_file(r, path, &e) == 0) {
		struct tools_filter f = {.all = 1, .mode = TOOLS_STATIC};
		struct toolset *ts = tools_build(r, &f, NULL, NULL, &e);
		if (ts) {
			json_decref(tools_search(ts, "a", NULL, NULL, 5));
			struct exec_env env = {0};
			for (size_t i = 0; i < ts->n && i < 16; i++) {
				const struct tool *t = &ts->tools[i];
				char *s = json_dumps(tools_def(t), JSON_COMPACT);
				free(s);
				if (!io_free_auth(t->connector))
					continue;
				json_t *args = make_args(t);
				struct err ve;
				err_init(&ve);
				if (schema_validate(tools_input(t), args, &ve) == 0) {
					err_init(&ve);
					json_decref(exec_dry_run(&env, t, args, &ve));
				}
				json_decref(args);
			}
			tools_free(ts);
		}
	}
	registry_free(r);
	return 0;
}
