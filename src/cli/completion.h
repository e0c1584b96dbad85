/* completion.h - shell completion scripts for bash and zsh. */
#ifndef SB_COMPLETION_H
#define SB_COMPLETION_H

/* `switchboard completion bash|zsh`: prints the script on stdout. argv holds
 * the arguments after "completion". Returns the exit status: 0, or 2 (usage). */
int completion_print(int argc, char **argv);

#endif
