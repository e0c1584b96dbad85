/* mcp_connect.h - the switchboard_connect tool: an OAuth authorization flow
 * or, for key-based methods, a one-time page (connect_page.h); shown to the
 * user through URL-mode elicitation when the client supports it, else
 * returned for the model to show. Non-secret settings a connection needs
 * (a shop, a tenant) may be asked with form-mode elicitation; secrets only
 * ever on the page. Answers and requests go out through the core's
 * mcp_connect_io, on its thread only. */
#ifndef SB_MCP_CONNECT_H
#define SB_MCP_CONNECT_H

#include <jansson.h>

#include "registry.h"
#include "store.h"

struct mcp_connect;

/* How flows talk to the client, given by the MCP core (all on its thread). */
struct mcp_connect_io {
	/* Send one message (stolen): elicitation/create, a notification, for
	 * the tools/call whose handle is call (NULL once it is answered). */
	void (*send)(json_t *msg, void *call, void *ctx);
	/* Answer the tools/call whose handle mcp_connect_start got, with result
	 * (stolen); the handle is gone after this. */
	void (*answer)(void *call, json_t *result, void *ctx);
	/* Drop a handle unanswered (at shutdown). */
	void (*forget)(void *call, void *ctx);
	void *ctx;
};

/* io is copied. */
struct mcp_connect *mcp_connect_new(const struct mcp_connect_io *io);
/* Stop every flow (listeners closed) and free; accepts NULL. */
void mcp_connect_free(struct mcp_connect *mc);

/* A tools/call of switchboard_connect: call is its handle for io.answer
 * (now, or once the client has answered an elicitation); client_caps
 * (borrowed) what the client declared: capabilities.elicitation {} or
 * {form}: form mode, {url}: URL mode; may_elicit 0 when no request may be sent
 * to the client (a 2026-07-28 request): the URL is then in the result.
 * args were checked against the tool's input schema (borrowed). */
void mcp_connect_start(struct mcp_connect *mc, struct store *st, const struct registry *r,
		       void *call, json_t *client_caps, int may_elicit, json_t *args);

/* A response from the client (borrowed): 1 when it answered one of our
 * elicitation requests (and was handled), else 0. */
int mcp_connect_response(struct mcp_connect *mc, json_t *msg);

/* Look at the flows: 1 when one saved a connection since the last call (the
 * caller looks at the store now, so tools/list_changed follows at once). */
int mcp_connect_poll(struct mcp_connect *mc);

#endif
