/* cli_refresh.c - connections refresh: renew OAuth tokens now, or with
 * --if-due only those whose refresh token is past half its life (or whose
 * access token is due), so a cron line keeps idle connections alive. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oauth.h"
#include "store.h"

static const char refresh_usage[] =
	"usage: switchboard connections refresh [CONNECTION...] [--if-due] [--json]\n";

static void print_item(json_t *it)
{
	const char *who = json_string_value(json_object_get(it, "connection"));
	const char *result = json_string_value(json_object_get(it, "result"));
	json_t *at = json_object_get(it, "refresh_token_expires_at");
	char when[32] = "";
	if (json_is_integer(at)) {
		time_t t = (time_t)json_integer_value(at);
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (strcmp(result, "failed") == 0)
		fprintf(stderr, "switchboard: %s: refresh failed: %s\n", who,
			json_string_value(json_object_get(it, "error")));
	else
		cli_print("%s %s%s%s\n", strcmp(result, "refreshed") == 0 ? "refreshed" : "not due",
			  who, *when ? ", refresh token valid until " : "", when);
}

int cli_connections_refresh(struct cli *cli, int argc, char **argv)
{
	int if_due = 0, failures = 0, ret = 1;
	const char **only = xcalloc((size_t)argc + 1, sizeof(*only));
	size_t n = 0;
	struct store *st = NULL;
	struct registry *r = NULL;
	json_t *out = NULL;
	struct err e;
	err_init(&e);
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--if-due") == 0) {
			if_due = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_print("%s", refresh_usage);
			ret = 0;
			goto out;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "switchboard: connections refresh: unknown option '%s'\n%s",
				argv[i], refresh_usage);
			ret = 2;
			goto out;
		} else {
			only[n++] = argv[i];
		}
	}
	st = store_open(cli->store_path, &e);
	if (!st)
		goto fail;
	r = cli_registry(cli);
	out = oauth_keepalive_run(st, r, n ? only : NULL, if_due, &failures, &e);
	if (!out)
		goto fail;
	if (cli->json) {
		cli_print_json(out);
		size_t i;
		json_t *it;
		json_array_foreach(out, i, it)
			if (json_object_get(it, "error"))
				fprintf(stderr, "switchboard: %s: refresh failed: %s\n",
					json_string_value(json_object_get(it, "connection")),
					json_string_value(json_object_get(it, "error")));
	} else {
		size_t i;
		json_t *it;
		json_array_foreach(out, i, it)
			print_item(it);
		if (json_array_size(out) == 0)
			fprintf(stderr, "switchboard: no OAuth connections to refresh\n");
	}
	ret = failures ? 1 : 0;
	goto out;
fail:
	fprintf(stderr, "switchboard: %s\n", e.msg);
out:
	json_decref(out);
	registry_free(r);
	store_free(st);
	free(only);
	return ret;
}
