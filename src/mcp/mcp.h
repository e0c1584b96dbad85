/* mcp.h - serving MCP: the options, and mcp_serve() for the stdio transport
 * (mcp_stdio.c). The transport-free core is mcp_core.h. */
#ifndef SB_MCP_H
#define SB_MCP_H

#include <stddef.h>

#include "exec.h"
#include "registry.h"
#include "tools.h"

struct mcp_options {
	struct tools_filter filter;
	size_t max_message;                 /* bytes per line; default 4 MiB */
	int page_size;                      /* tools/list page size; 0: all in one page */
	const char *const *capability_dirs; /* extra --capabilities folders */
	const char *store_path;             /* --store, or NULL */
	struct exec_env exec;               /* http and store are filled in by mcp_serve */
	int audit;                          /* record tool calls in the audit log by default
					       (serve --http: a team's server); stdio: off,
					       SWITCHBOARD_AUDIT=on|off decides either way */
};

/* Serve MCP on stdin/stdout until stdin closes and in-flight work is done.
 * Returns the process exit status. (mcp_stdio.c) */
int mcp_serve(struct mcp_options *opt);

#endif
