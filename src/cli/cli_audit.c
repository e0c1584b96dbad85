/* cli_audit.c - audit export (JSON Lines) and audit prune. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "cli_help.h"
#include "store.h"
#include "webhook.h"

static int usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "switchboard: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
	fprintf(stderr, "usage: switchboard audit export [--since ISO|-1d] [--owner PRINCIPAL]\n"
			"       switchboard audit prune --older-than SPAN\n");
	return 2;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int print_entry(const struct audit_entry *a, void *ctx)
{
	(void)ctx;
	char at[32];
	webhook_format_time(a->at_ms / 1000, at);
	json_t *o = json_pack("{s:I, s:s, s:I, s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:I, s:O}", "id",
			      (json_int_t)a->id, "at", at, "at_ms", (json_int_t)a->at_ms, "subject",
			      str_or_null(a->subject), "tool", a->tool, "connector",
			      str_or_null(a->connector), "connection", str_or_null(a->connection),
			      "owner", str_or_null(a->owner), "outcome", a->outcome, "error",
			      str_or_null(a->error), "duration_ms", (json_int_t)a->duration_ms,
			      "arguments", a->arguments ? a->arguments : json_null());
	cli_print_jsonl(o);
	json_decref(o);
	return 0;
}

static int audit_export(struct cli *cli, int argc, char **argv)
{
	const char *since = NULL, *owner = NULL;
	long long since_s = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
			since = argv[++i];
		else if (strcmp(argv[i], "--owner") == 0 && i + 1 < argc)
			owner = argv[++i];
		else
			return usage("unknown or incomplete option", argv[i]);
	}
	if (since && webhook_parse_since(since, now_s(), &since_s) < 0)
		return usage("--since takes an ISO 8601 time or a span back (-1d), not", since);
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	int ret = st && store_audit_foreach(st, since_s * 1000, owner, print_entry, NULL, &e) == 0
			  ? 0
			  : 1;
	if (ret)
		fprintf(stderr, "switchboard: %s\n", e.msg);
	store_free(st);
	return ret;
}

static int audit_prune(struct cli *cli, int argc, char **argv)
{
	const char *older = NULL;
	long long before = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--older-than") == 0 && i + 1 < argc)
			older = argv[++i];
		else
			return usage("unknown or incomplete option", argv[i]);
	}
	if (!older || webhook_parse_since(older, now_s(), &before) < 0)
		return usage("prune needs --older-than SPAN (90d, 12h) or an ISO 8601 time", NULL);
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	int n = st ? store_prune_audit(st, before * 1000, &e) : -1;
	if (n < 0) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
	} else {
		char when[32];
		webhook_format_time(before, when);
		fprintf(stderr, "switchboard: removed %d audit entr%s before %s\n", n,
			n == 1 ? "y" : "ies", when);
	}
	store_free(st);
	return n < 0 ? 1 : 0;
}

int cli_audit(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "export") == 0)
		return audit_export(cli, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "prune") == 0)
		return audit_prune(cli, argc - 1, argv + 1);
	return usage(NULL, NULL);
}
