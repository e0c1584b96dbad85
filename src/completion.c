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
	"_switchboard_names()\n"
	"{\n"
	"\tswitchboard connections list 2>/dev/null | awk 'NR > 1 { sub(/^\\*/, \"\"); print $2 "
	"}'\n"
	"}\n"
	"_switchboard()\n"
	"{\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tlocal cmds='serve tools call connectors coverage check connections key auth oauth-app "
	"connect ui webhooks events completion help version'\n"
	"\tlocal opts='--capabilities --store --all --connectors --tools --exclude --read-only "
	"--mode --max-tools --page-size --max-message-bytes --log-level --json --dry-run --help "
	"--version'\n"
	"\tcase $prev in\n"
	"\t--capabilities) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	"\t--store) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	"\t--mode) COMPREPLY=($(compgen -W 'auto static discover' -- \"$cur\")); return ;;\n"
	"\t--log-level) COMPREPLY=($(compgen -W 'debug info warn error off' -- \"$cur\")); return "
	";;\n"
	"\tesac\n"
	"\tlocal i cmd='' sub='' n=0\n"
	"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	"\t\tcase ${COMP_WORDS[i]} in\n"
	"\t\t--capabilities|--store|--connectors|--tools|--exclude|--mode|--max-tools|--page-size|-"
	"-max-message-bytes|--log-level) ((i++)) ;;\n"
	"\t\t-*) ;;\n"
	"\t\t*) ((n++)); [ $n -eq 1 ] && cmd=${COMP_WORDS[i]}; [ $n -eq 2 ] && "
	"sub=${COMP_WORDS[i]} ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tif [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return; fi\n"
	"\tlocal words=''\n"
	"\tcase $cmd:$n in\n"
	"\t:0) words=$cmds ;;\n"
	"\tcall:1) words=$(switchboard --all --mode static tools 2>/dev/null | cut -d' ' -f1) ;;\n"
	"\tconnectors:1|connect:1) words=$(switchboard connectors 2>/dev/null | cut -d' ' -f1) ;;\n"
	"\tconnections:1) words='list show add edit remove rename default test refresh' ;;\n"
	"\tconnections:2) case $sub in show|edit|remove|rename|default|test|refresh) "
	"words=$(_switchboard_names) ;; add) words=$(switchboard connectors 2>/dev/null | cut -d' "
	"' -f1) ;; esac ;;\n"
	"\tconnections:*) [ \"$sub\" = refresh ] && words=$(_switchboard_names) ;;\n"
	"\toauth-app:1) words='set show remove' ;;\n"
	"\toauth-app:2) words=$(switchboard connectors 2>/dev/null | cut -d' ' -f1) ;;\n"
	"\twebhooks:1) words='serve register list remove' ;;\n"
	"\twebhooks:2) [ \"$sub\" != serve ] && words=$(_switchboard_names) ;;\n"
	"\tevents:1) words='list poll prune' ;;\n"
	"\tevents:*) [ \"$sub\" = poll ] && words=$(_switchboard_names) ;;\n"
	"\tkey:1) words='rotate' ;;\n"
	"\tcompletion:1) words='bash zsh' ;;\n"
	"\tcheck:*) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	"\tesac\n"
	"\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	"}\n"
	"complete -F _switchboard switchboard\n";

static const char zsh_script[] =
	"#compdef switchboard\n"
	"# zsh completion for switchboard; install it as _switchboard in a folder of\n"
	"# $fpath (make install puts it in PREFIX/share/zsh/site-functions)\n"
	"_switchboard() {\n"
	"\tlocal -a cmds opts pos\n"
	"\tcmds=(\n"
	"\t\t'serve:serve MCP on stdin/stdout (the default)'\n"
	"\t\t'tools:list the tools serve would expose'\n"
	"\t\t'call:run one tool call'\n"
	"\t\t'connectors:list connectors, or show one'\n"
	"\t\t'coverage:the canonical fields each connector covers'\n"
	"\t\t'check:validate connector files'\n"
	"\t\t'connections:manage connections'\n"
	"\t\t'key:re-seal stored secrets under a new key'\n"
	"\t\t'auth:check a token against the auth configuration of serve --http'\n"
	"\t\t'oauth-app:your own OAuth app for a connector'\n"
	"\t\t'connect:connect an OAuth 2.0 account in the browser'\n"
	"\t\t'ui:the connectors page: connect accounts in a browser'\n"
	"\t\t'webhooks:receive vendor webhooks, manage subscriptions'\n"
	"\t\t'events:list, poll and prune stored events'\n"
	"\t\t'completion:print a shell completion script'\n"
	"\t)\n"
	"\topts=(--capabilities --store --all --connectors --tools --exclude --read-only --mode\n"
	"\t\t--max-tools --page-size --max-message-bytes --log-level --json --dry-run --help "
	"--version)\n"
	"\tlocal i\n"
	"\tfor ((i = 2; i < CURRENT; i++)); do\n"
	"\t\tcase ${words[i]} in\n"
	"\t\t--capabilities|--store|--connectors|--tools|--exclude|--mode|--max-tools|--page-size|-"
	"-max-message-bytes|--log-level) ((i++)) ;;\n"
	"\t\t-*) ;;\n"
	"\t\t*) pos+=(${words[i]}) ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tcase ${words[CURRENT-1]} in\n"
	"\t--capabilities) _files -/; return ;;\n"
	"\t--store) _files; return ;;\n"
	"\t--mode) compadd auto static discover; return ;;\n"
	"\t--log-level) compadd debug info warn error off; return ;;\n"
	"\tesac\n"
	"\tif [[ $PREFIX == -* ]]; then compadd -- $opts; return; fi\n"
	"\tlocal slugs='switchboard connectors 2>/dev/null | cut -d\" \" -f1'\n"
	"\tlocal names='switchboard connections list 2>/dev/null | awk \"NR > 1 { sub(/^\\\\*/, "
	"\\\"\\\"); print \\$2 }\"'\n"
	"\tcase ${pos[1]}:${#pos} in\n"
	"\t:0) _describe command cmds ;;\n"
	"\tcall:1) compadd -- ${(f)\"$(switchboard --all --mode static tools 2>/dev/null | cut -d' "
	"' -f1)\"} ;;\n"
	"\tconnectors:1|connect:1|oauth-app:2) compadd -- ${(f)\"$(eval $slugs)\"} ;;\n"
	"\tconnections:1) compadd list show add edit remove rename default test refresh ;;\n"
	"\tconnections:2)\n"
	"\t\tcase ${pos[2]} in\n"
	"\t\tadd) compadd -- ${(f)\"$(eval $slugs)\"} ;;\n"
	"\t\tshow|edit|remove|rename|default|test|refresh) compadd -- ${(f)\"$(eval $names)\"} ;;\n"
	"\t\tesac ;;\n"
	"\tconnections:*) [[ ${pos[2]} == refresh ]] && compadd -- ${(f)\"$(eval $names)\"} ;;\n"
	"\toauth-app:1) compadd set show remove ;;\n"
	"\twebhooks:1) compadd serve register list remove ;;\n"
	"\twebhooks:2) [[ ${pos[2]} != serve ]] && compadd -- ${(f)\"$(eval $names)\"} ;;\n"
	"\tevents:1) compadd list poll prune ;;\n"
	"\tevents:*) [[ ${pos[2]} == poll ]] && compadd -- ${(f)\"$(eval $names)\"} ;;\n"
	"\tkey:1) compadd rotate ;;\n"
	"\tcompletion:1) compadd bash zsh ;;\n"
	"\tcheck:*) _files ;;\n"
	"\tesac\n"
	"}\n"
	"# Autoloaded from $fpath the file is the function's body; sourced, it registers it.\n"
	"if [[ ${funcstack[1]} == _switchboard ]]; then _switchboard \"$@\"; else compdef "
	"_switchboard switchboard; fi\n";

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
