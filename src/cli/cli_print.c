/* cli_print.c - the CLI's output on stdout: text and JSON. */
#include "cli_print.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void cli_print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
}

void cli_print_json(json_t *v)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
		       (isatty(STDOUT_FILENO) ? JSON_INDENT(2) : JSON_COMPACT);
	char *s = json_dumps(v, flags);
	cli_print("%s\n", s ? s : "null");
	free(s);
}

void cli_print_jsonl(json_t *v)
{
	char *s = json_dumps(v, JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_COMPACT);
	cli_print("%s\n", s ? s : "null");
	free(s);
}
