/* completion.c - `switchboard completion bash|zsh`: shell completion scripts.
 * Tool names and connector slugs are asked of switchboard itself when
 * completing, so they follow the registry as loaded. */
#include "completion.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char bash_script[] =
	"# bash completion for switchboard; source it, or install it as\n"
	"# PREFIX/share/bash-completion/completions/switchboard (make install does)\n"
	"_switchboard()\n"
	"{\n"
	"\tlocal cur prev words cword\n"
	"\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	"\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tlocal cmds='serve tools call connectors coverage check connections key oauth-app "
	"connect webhooks events completion help version'\n"
	"\tlocal opts='--capabilities --store --all --connectors --tools --exclude --read-only "
	"--mode --max-tools --page-size --max-message-bytes --log-level --json --dry-run --help "
	"--version'\n"
	"\tcase $prev in\n"
	"\t--capabilities) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	"\t--store) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	"\t--mode) COMPREPLY=($(compgen -W 'auto static discover' -- \"$cur\")); return ;;\n"
	"\t--log-level) COMPREPLY=($(compgen -W 'debug info warn error off' -- \"$cur\")); "
	"return ;;\n"
	"\tesac\n"
	"\tlocal i cmd='' sub=''\n"
	"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	"\t\tcase ${COMP_WORDS[i]} in\n"
	"\t\t--capabilities|--store|--connectors|--tools|--exclude|--mode|--max-tools|"
	"--page-size|--max-message-bytes|--log-level) ((i++)) ;;\n"
	"\t\t-*) ;;\n"
	"\t\t*) if [ -z \"$cmd\" ]; then cmd=${COMP_WORDS[i]}; elif [ -z \"$sub\" ]; then "
	"sub=${COMP_WORDS[i]}; fi ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tif [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return; fi\n"
	"\tcase $cmd in\n"
	"\t'') COMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\")) ;;\n"
	"\tcall) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W \"$(switchboard --all --mode static "
	"tools 2>/dev/null | cut -d' ' -f1)\" -- \"$cur\")) ;;\n"
	"\tconnectors|connect) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W \"$(switchboard "
	"connectors 2>/dev/null | cut -d' ' -f1)\" -- \"$cur\")) ;;\n"
	"\tconnections) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W 'list show add edit remove "
	"rename default test refresh' -- \"$cur\")) ;;\n"
	"\toauth-app) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W 'set show remove' -- \"$cur\")) "
	";;\n"
	"\twebhooks) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W 'serve register list remove' -- "
	"\"$cur\")) ;;\n"
	"\tevents) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W 'list poll prune' -- \"$cur\")) ;;\n"
	"\tkey) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W 'rotate' -- \"$cur\")) ;;\n"
	"\tcompletion) [ -z \"$sub\" ] && COMPREPLY=($(compgen -W 'bash zsh' -- \"$cur\")) ;;\n"
	"\tcheck) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	"\tesac\n"
	"}\n"
	"complete -F _switchboard switchboard\n";

static const char zsh_script[] =
	"#compdef switchboard\n"
	"# zsh completion for switchboard; install it as _switchboard in a folder of\n"
	"# $fpath (make install puts it in PREFIX/share/zsh/site-functions)\n"
	"_switchboard() {\n"
	"\tlocal -a cmds opts\n"
	"\tcmds=(\n"
	"\t\t'serve:serve MCP on stdin/stdout (the default)'\n"
	"\t\t'tools:list the tools serve would expose'\n"
	"\t\t'call:run one tool call'\n"
	"\t\t'connectors:list connectors, or show one'\n"
	"\t\t'coverage:the canonical fields each connector covers'\n"
	"\t\t'check:validate connector files'\n"
	"\t\t'connections:manage connections'\n"
	"\t\t'key:re-seal stored secrets under a new key'\n"
	"\t\t'oauth-app:your own OAuth app for a connector'\n"
	"\t\t'connect:connect an OAuth 2.0 account in the browser'\n"
	"\t\t'webhooks:receive vendor webhooks, manage subscriptions'\n"
	"\t\t'events:list, poll and prune stored events'\n"
	"\t\t'completion:print a shell completion script'\n"
	"\t)\n"
	"\topts=(--capabilities --store --all --connectors --tools --exclude --read-only --mode\n"
	"\t\t--max-tools --page-size --max-message-bytes --log-level --json --dry-run --help "
	"--version)\n"
	"\tlocal -a words_left=(${words[2,CURRENT-1]:#-*})\n"
	"\tif [[ $PREFIX == -* ]]; then compadd -- $opts; return; fi\n"
	"\tif (( ${#words_left} == 0 )); then _describe command cmds; return; fi\n"
	"\tlocal cmd=${words_left[1]}\n"
	"\tif (( ${#words_left} > 1 )); then\n"
	"\t\t[[ $cmd == check ]] && _files\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tcase $cmd in\n"
	"\tcall) compadd -- ${(f)\"$(switchboard --all --mode static tools 2>/dev/null | "
	"cut -d' ' -f1)\"} ;;\n"
	"\tconnectors|connect) compadd -- ${(f)\"$(switchboard connectors 2>/dev/null | "
	"cut -d' ' -f1)\"} ;;\n"
	"\tconnections) compadd list show add edit remove rename default test refresh ;;\n"
	"\toauth-app) compadd set show remove ;;\n"
	"\twebhooks) compadd serve register list remove ;;\n"
	"\tevents) compadd list poll prune ;;\n"
	"\tkey) compadd rotate ;;\n"
	"\tcompletion) compadd bash zsh ;;\n"
	"\tcheck) _files ;;\n"
	"\tesac\n"
	"}\n"
	"# Autoloaded from $fpath the file is the function's body; sourced, it registers it.\n"
	"if [[ ${funcstack[1]} == _switchboard ]]; then _switchboard \"$@\"; "
	"else compdef _switchboard switchboard; fi\n";

int completion_print(int argc, char **argv)
{
	if (argc == 1 && strcmp(argv[0], "bash") == 0) {
		cli_print("%s", bash_script);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "zsh") == 0) {
		cli_print("%s", zsh_script);
		return 0;
	}
	if (argc == 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		cli_print("usage: switchboard completion bash|zsh\n"
			  "prints a completion script: eval \"$(switchboard completion bash)\"\n");
		return 0;
	}
	fprintf(stderr, "usage: switchboard completion bash|zsh\n");
	return 2;
}
