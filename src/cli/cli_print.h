/* cli_print.h - the CLI's output channel: stdout, when MCP is not served.
 * A leaf of the CLI (it includes none of its modules), so the help and
 * every command can print through it. */
#ifndef SB_CLI_PRINT_H
#define SB_CLI_PRINT_H

#include <jansson.h>

/* Print to stdout (the CLI's output channel when not serving MCP). */
void cli_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print v (borrowed) as the JSON output of a command: pretty when stdout
 * is a terminal, compact otherwise; one line either way ends it. A list is
 * one array, one thing one object; --jsonl streams use cli_print_jsonl. */
void cli_print_json(json_t *v);
/* Print v (borrowed) compact on one line (--jsonl). */
void cli_print_jsonl(json_t *v);

#endif
