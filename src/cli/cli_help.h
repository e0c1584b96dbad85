/* cli_help.h - the help of every command and subcommand (one table, which
 * `switchboard help --commands` lists and the tests walk), and "did you
 * mean" for a mistyped word among known ones. */
#ifndef SB_CLI_HELP_H
#define SB_CLI_HELP_H

#include <stddef.h>

/* Print the help of the longest command path that the leading words of
 * argv name ("connections add stripe" -> "connections add") on stdout;
 * argc 0 prints the program's help. Returns 0, or 2 after saying on
 * stderr that no command has that name (with a suggestion). */
int cli_help_print(int argc, char **argv);

/* Print every command path with a help entry, one a line, on stdout. */
void cli_help_list(void);

/* 1 when "cmd sub" (sub may be NULL) has a help entry. */
int cli_help_known(const char *cmd, const char *sub);
/* 1 when cmd's first argument must be one of its subcommands ("events
 * list", ...); 0 for connectors, whose first may be a slug instead. */
int cli_help_has_subs(const char *cmd);

/* Say "did you mean 'X'?" on stderr for word among the subcommands of cmd
 * (cmd NULL: among the commands) when one is close. */
void cli_help_suggest(const char *cmd, const char *word);

/* The closest of the candidates added to word, by edit distance
 * (a swap of two neighbours counts one). */
struct cli_closest {
	const char *word; /* borrowed */
	char *best;       /* owned copy of the closest candidate, or NULL */
	size_t dist;
};

void cli_closest_init(struct cli_closest *c, const char *word);
void cli_closest_add(struct cli_closest *c, const char *candidate);
/* The closest candidate when it is close enough to be a typo of the
 * word (borrowed; NULL otherwise). */
const char *cli_closest_get(const struct cli_closest *c);
/* Print "switchboard: did you mean 'X'?" on stderr when there is one. */
void cli_closest_hint(const struct cli_closest *c);
void cli_closest_release(struct cli_closest *c);

/* The edit distance of a and b (optimal string alignment), at most 255
 * characters of each considered. Exposed for unit tests. */
size_t cli_edit_distance(const char *a, const char *b);

/* Usage texts shared with the commands' own usage errors. */
extern const char cli_connections_usage[];
extern const char cli_events_usage[];
extern const char cli_webhooks_usage[];
/* webhooks register, list and remove (cli_webhooks.c, cli_manage.c). */
extern const char cli_webhooks_manage_usage[];

#endif
