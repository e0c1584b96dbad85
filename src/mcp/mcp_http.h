/* mcp_http.h - `switchboard serve --http`: the MCP core over Streamable HTTP
 * (2026-07-28, and 2025-11-25 without sessions), stateless so that any
 * request can land on any replica. */
#ifndef SB_MCP_HTTP_H
#define SB_MCP_HTTP_H

#include <jansson.h>

#include "caller.h"
#include "mcp.h"

/* Who is calling: the transport's hook for an authenticator (static tokens,
 * JWTs against a JWKS, introspection). Every function is called on one of
 * libmicrohttpd's threads, several at once, so it must be thread-safe. It
 * must never log or return the token. */
struct mcp_auth {
	/* authorization: the Authorization header's value, or NULL when the
	 * request has none. Returns 0 with *caller set (new: the transport
	 * frees its subject, groups, scopes and the struct itself), or the HTTP
	 * status to refuse with (401; 403 for insufficient scope, 400 for a
	 * malformed header, 503 when the token cannot be checked now) with
	 * *challenge set to the WWW-Authenticate value (a new string; may be
	 * left NULL). */
	int (*authenticate)(const char *authorization, struct caller **caller, char **challenge,
			    void *ctx);
	/* The protected-resource metadata (RFC 9728) answered on GET of path
	 * (/.well-known/oauth-protected-resource, or that followed by the MCP
	 * path): a new JSON object, or NULL for 404. May be NULL. */
	json_t *(*resource_metadata)(const char *path, void *ctx);
	void *ctx;
};

struct mcp_http_options {
	const char *addr; /* an IPv4 or IPv6 literal (no brackets) */
	int port;         /* 0: any free port (the log line names it) */
	const char *path; /* the MCP endpoint; default "/mcp" */
	/* NULL-terminated; may be NULL. Origins ("https://app.example") and
	 * Host names ("mcp.example.com", or with ":port") allowed besides
	 * loopback. */
	char **allow_origins;
	char **allow_hosts;
	int keepalive_s;             /* SSE keep-alive comments; 0: 15 s */
	int request_timeout_s;       /* a request must be in within it; 0: 30 s */
	const struct mcp_auth *auth; /* NULL: nobody is authenticated (loopback only) */
	const char *port_file;       /* the port served is written there, or NULL */
};

/* Serve until SIGINT or SIGTERM. Returns the process exit status. Request
 * bodies are capped at opt->max_message bytes. */
int mcp_serve_http(struct mcp_options *opt, const struct mcp_http_options *h);

#endif
