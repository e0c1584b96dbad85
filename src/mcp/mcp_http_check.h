/* mcp_http_check.h - what serve --http checks in a request's headers, apart
 * from libmicrohttpd: Host and Origin (DNS rebinding), Accept, and the
 * 2026-07-28 headers mirrored from the body (Mcp-Method, Mcp-Name,
 * Mcp-Param-*). Pure functions; any thread. */
#ifndef SB_MCP_HTTP_CHECK_H
#define SB_MCP_HTTP_CHECK_H

#include <jansson.h>

#include "util.h"

/* Does Host ("name[:port]", "[v6]:port") name this server: loopback, or
 * one of allow (NULL-terminated, may be NULL; "name" or "name:port")?
 * NULL or empty is not. */
int mcp_http_check_host(char **allow, const char *host);

/* Is a browser page's Origin acceptable: NULL (not a browser), an http(s)
 * loopback origin, or one of allow (exactly, case-insensitively)? */
int mcp_http_check_origin(char **allow, const char *origin);

/* Does the Accept header (NULL: anything) take type ("text/event-stream"),
 * exactly or through a wildcard? */
int mcp_http_check_accept(const char *accept, const char *type);

/* v without the optional whitespace around it (RFC 9110 5.5); NULL for
 * NULL. New. */
char *mcp_http_check_trim(const char *v);

/* A header value: "=?base64?...?=" decoded (strictly: the standard
 * alphabet, padded, no NUL), anything else as it is. Returns a new string,
 * or NULL when it does not decode. */
char *mcp_http_check_decode(const char *v);

/* Mcp-Method and Mcp-Name (trimmed values, NULL when absent) against the
 * body msg; modern: the request is 2026-07-28, where they are required.
 * Returns NULL, or the reason (new) for a 400 HeaderMismatch. */
char *mcp_http_check_names(const char *method_h, const char *name_h, json_t *msg, int modern);

/* The x-mcp-header annotations of a tool's inputSchema (properties,
 * recursively) against its arguments and the request's Mcp-Param-*
 * headers (object: lowercase name -> trimmed value). Returns 0, or -1 with
 * the HeaderMismatch reason in err. */
int mcp_http_check_params(json_t *schema, json_t *args, json_t *headers, struct err *err);

#endif
