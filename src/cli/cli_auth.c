/* cli_auth.c - switchboard auth: what the resource server (rs.c) makes of
 * a token, its metadata, and the hash a tokens file keeps of a token.
 * Tokens come on stdin, never in argv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rs.h"

static const char auth_usage[] = "usage: switchboard auth check-token --auth-config FILE\n"
				 "       switchboard auth metadata --auth-config FILE\n"
				 "       switchboard auth hash-token\n";

/* The next line of stdin (at most 16 KiB; the rest of a longer line is
 * skipped), without its line end: a new string, or NULL at the end. */
static char *stdin_line(void)
{
	struct buf b;
	int c;
	buf_init(&b, 16384);
	while ((c = getchar()) != EOF && c != '\n') {
		char ch = (char)c;
		buf_add(&b, &ch, 1);
	}
	if (c == EOF && b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	while (b.len && b.data[b.len - 1] == '\r')
		b.data[--b.len] = '\0';
	return b.data ? buf_detach(&b) : xstrdup("");
}

/* check-token: each line of stdin a token (an empty line: no
 * Authorization header), each verdict one JSON line, as it comes, so a
 * test can change the issuer between two tokens. 0 when every one was
 * accepted. */
static int check_tokens(struct rs *rs)
{
	char *token;
	int ret = 0;

	while ((token = stdin_line())) {
		struct rs_verdict v;
		char *header = *token ? xasprintf("Bearer %s", token) : NULL;
		rs_authenticate(rs, header, &v);
		json_t *out = json_pack("{s:i, s:s}", "status", v.status, "reason", v.reason);
		if (v.caller)
			json_object_set_new(out, "caller", rs_caller_json(v.caller));
		if (v.www_authenticate)
			json_object_set_new(out, "www_authenticate",
					    json_string(v.www_authenticate));
		cli_print_jsonl(out);
		fflush(stdout);
		json_decref(out);
		if (v.status != 200)
			ret = 1;
		rs_verdict_release(&v);
		free_secret(header);
		free_secret(token);
	}
	return ret;
}

int cli_auth(struct cli *cli, int argc, char **argv)
{
	const char *config = NULL, *verb = argc > 0 ? argv[0] : "";
	struct rs *rs = NULL;
	struct err err;
	int ret = 1;

	(void)cli;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--auth-config") == 0) {
			if (!(config = cli_opt_value(&i, argc, argv)))
				return 2;
		} else {
			fprintf(stderr, "switchboard auth: unknown option '%s'\n%s", argv[i],
				auth_usage);
			return 2;
		}
	}
	if (strcmp(verb, "hash-token") == 0) {
		char *token = stdin_line();
		if (!token || !*token) {
			fprintf(stderr, "switchboard auth hash-token: give the token on stdin\n");
		} else {
			char *h = rs_token_hash(token);
			cli_print("%s\n", h);
			free(h);
			ret = 0;
		}
		free_secret(token);
		return ret;
	}
	if ((strcmp(verb, "check-token") != 0 && strcmp(verb, "metadata") != 0) || !config) {
		fputs(auth_usage, stderr);
		return 2;
	}
	err_init(&err);
	if (!(rs = rs_load(config, NULL, &err))) {
		fprintf(stderr, "switchboard: %s\n", err.msg);
		return 1;
	}
	if (strcmp(verb, "metadata") == 0) {
		json_t *out = json_pack("{s:s, s:o}", "url", rs_metadata_url(rs), "document",
					rs_metadata(rs));
		cli_print_json(out);
		json_decref(out);
		ret = 0;
	} else {
		ret = check_tokens(rs);
	}
	rs_free(rs);
	return ret;
}
