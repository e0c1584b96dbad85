/* cli_fields.h - a connection's fields as the CLI takes them: --set,
 * --unset, --secret FIELD=@FILE, --secret-stdin and terminal prompts, typed
 * and checked against the connector's declarations and sorted into config
 * and secrets. Secrets never come from argv and never appear in an error. */
#ifndef SB_CLI_FIELDS_H
#define SB_CLI_FIELDS_H

#include <jansson.h>
#include <stddef.h>

#include "connector.h"
#include "registry.h"
#include "util.h"

/* What the options of one add or edit gave. init makes the arrays (empty)
 * and release drops them; the caller appends strings to them while it
 * parses argv. cli_fields only reads them. */
struct cli_fields_args {
	json_t *set;      /* "FIELD=VALUE" strings from --set */
	json_t *unset;    /* field names from --unset */
	json_t *secret;   /* "FIELD=@FILE" strings from --secret */
	int secret_stdin; /* --secret-stdin */
};
void cli_fields_args_init(struct cli_fields_args *a);
void cli_fields_args_release(struct cli_fields_args *a);
/* 1 when the options give, remove or read any field, else 0. */
int cli_fields_args_given(const struct cli_fields_args *a);

/* The fields a connection of connector c with one auth method may have:
 * the method's fields, the connector's params, its webhook secret,
 * base_url, the OAuth tokens for oauth2 and credential_command where the
 * method allows one. c and method are borrowed and must outlive f; either
 * may be NULL (the connector or method is gone from the registry), and then
 * no field is known. */
struct cli_fields {
	const struct connector *c;
	const struct auth_method *method;
	json_t *known; /* owned: name -> {secret, required, prompt} */
};
void cli_fields_init(struct cli_fields *f, const struct connector *c,
		     const struct auth_method *method);
void cli_fields_release(struct cli_fields *f);

/* Fill config and secrets (both objects, changed in place) for an add or
 * an edit: --set, then --unset, --secret-stdin, --secret FIELD=@FILE, then,
 * when stdin is a terminal, prompts for the fields still missing; last,
 * check that every required field is there. keep: an edit, where Enter at
 * a prompt keeps the stored value and prompts come only when no option
 * gave a field. secrets may be NULL for an edit of plain fields (the
 * secrets stay sealed and are not checked). f needs c and method. 0, or
 * -1 with err, which never quotes a secret; config and secrets may then be
 * partly filled. */
int cli_fields_gather(const struct cli_fields *f, const struct cli_fields_args *a, json_t *config,
		      json_t *secrets, int keep, struct err *err);

/* Which secret fields a connection has: each secret field f knows (false
 * when not in secrets) and each field in secrets (true). Never a value.
 * secrets is borrowed and may be NULL. A new object {field: bool}. */
json_t *cli_fields_secrets_set(const struct cli_fields *f, json_t *secrets);

/* Ask question on stderr and read one line from the terminal on stdin,
 * without echo when hidden (the terminal is restored, also on SIGINT and
 * SIGTERM). Read byte by byte, so no stdio buffer keeps a copy; the caller
 * wipes line when it held a secret. Returns the length without the line
 * end, or -1 at end of input or when the line does not fit in size bytes
 * (said on stderr). */
int cli_fields_prompt(const char *question, int hidden, char *line, size_t size);

/* Read all of stdin as secret input (at most 64 KiB), trailing line ends
 * dropped. Reads with read(2), so no stdio buffer keeps a copy. A new
 * string, "" for empty input, that the caller frees with free_secret; or
 * NULL with err. */
char *cli_fields_read_stdin(struct err *err);

#endif
