/* webhook.h - events: vendor webhook deliveries verified with the
 * connector's scheme and stored as events, polling for entities that send
 * none, and reading events back (the CLI's events list; for models, the
 * MCP layer's tool and resources, mcp_events.h).
 *
 * Conventions as in store.h: int functions return 0 or -1 with err unless
 * said otherwise; strings passed in are borrowed; json_t results are new
 * references. Nothing here writes to stdout. */
#ifndef SB_WEBHOOK_H
#define SB_WEBHOOK_H

#include <jansson.h>

#include <signal.h>
#include <stddef.h>

#include "listen.h"
#include "registry.h"
#include "store.h"
#include "util.h"

/* Bodies above this get 413 before anything else is looked at. */
#define WEBHOOK_MAX_BODY (1u << 20)

/* ---- verifying a delivery (webhook_verify.c) ---- */

enum webhook_verdict {
	WEBHOOK_OK = 0,
	WEBHOOK_MISSING,     /* a signature, timestamp or id header is absent */
	WEBHOOK_MALFORMED,   /* present but unreadable */
	WEBHOOK_MISMATCH,    /* does not match the secret */
	WEBHOOK_STALE,       /* signed, but the timestamp is outside the tolerance */
	WEBHOOK_BAD_SECRET,  /* the configured secret cannot be used (whsec_ not base64) */
	WEBHOOK_UNSUPPORTED, /* no such scheme, or "none" */
};

struct webhook_request {
	const char *method;
	const char *url; /* the public URL the vendor called (HubSpot signs it), or NULL */
	json_t *headers; /* lowercase name -> string; borrowed */
	const char *body;
	size_t body_len;
	long long now; /* seconds since the epoch */
};

/* Check a delivery against secret with a connector's webhooks block
 * (connector.h: scheme, header names, tolerance_s; defaults per scheme; may
 * be NULL). Comparisons are constant-time. why (may be NULL) gets a reason
 * without the secret or the body. */
struct webhook_spec;
enum webhook_verdict webhook_verify(const struct webhook_spec *webhooks, const char *secret,
				    const struct webhook_request *req, struct err *why);
/* The secrets a connection's webhook secret field holds: a string (one
 * secret), or an array of strings and {"id": ENDPOINT, "secret": S}
 * objects (several endpoints, or old and new during a rotation; register
 * writes the objects, so remove can drop one endpoint's secret). The i-th
 * usable secret, borrowed, or NULL past the end; webhook_secret_count says
 * how many there are. */
size_t webhook_secret_count(json_t *secrets);
const char *webhook_secret_at(json_t *secrets, size_t i);
/* webhook_verify with every secret of secrets (as above): OK when any one
 * verifies. Each is tried, whatever the ones before gave, so the time
 * taken does not tell which matched; otherwise the most telling verdict
 * (stale before a mismatch, an unusable secret only when all are). */
enum webhook_verdict webhook_verify_any(const struct webhook_spec *webhooks, json_t *secrets,
					const struct webhook_request *req, struct err *why);
/* "signature does not match" ...; static text. */
const char *webhook_verdict_text(enum webhook_verdict v);

/* ---- turning a delivery into events (webhook.c) ---- */

/* Split a verified body into events, one per element for array payloads
 * (QuickBooks CloudEvents, HubSpot batches, Xero's events[]). Returns a new
 * array of {entity (string or null), event, vendor_event, id, payload}:
 * event is the canonical name from the connector's entity events map (the
 * vendor's name when unmapped), id the vendor's delivery or event id
 * (id_header, id_pointer, else "sha256:" of the body or element). NULL with
 * err when the body is not JSON. An element of a batch that is not an
 * object is kept as an event of its own (type "unknown" when nothing names
 * it), so a verified delivery is never refused for its shape. */
json_t *webhook_events(const struct connector *c, json_t *headers, const char *body,
		       size_t body_len, struct err *err);

/* The receiving end: a listen_handler_fn with ctx a struct
 * webhook_receiver. Routes POST <prefix>/<connector>/<connection>, verifies,
 * stores every event of a delivery in one transaction, then answers 200
 * (a handshake such as Slack's url_verification gets its answer instead);
 * a batch is stored whole or not at all, so a retry brings all of it again;
 * 401 unverified (one log line, never the body), 404 unknown connector,
 * connection or path, 405 not POST, 400 a verified body that is not JSON
 * (nothing stored),
 * 500 when the connection has no usable secret or the store fails (the
 * vendor retries). Bodies over the listener's cap get 413 before this. */
struct webhook_batcher;
struct webhook_receiver {
	const struct registry *reg;
	struct store *store;             /* used on the listener thread only */
	const char *prefix;              /* "/hooks" */
	struct webhook_batcher *batcher; /* group commit; NULL: each delivery alone */
};
void webhook_receive(const struct listen_request *req, struct listen_response *resp, void *ctx);
/* Group commit: from here on deliveries are stored on a thread of the
 * receiver's own (with a store handle of its own, opened on rc->store's
 * path), those that arrive together in one transaction and one flush, each
 * answered after its commit. Call before the listener starts; 0 or -1 with
 * err. webhook_receiver_stop stores and answers what is queued and stops
 * the thread; call it before listen_stop (deliveries after it are stored
 * one at a time on the listener thread). Accepts a receiver never started. */
int webhook_receiver_start(struct webhook_receiver *rc, struct err *err);
void webhook_receiver_stop(struct webhook_receiver *rc);

/* ---- polling (webhook_poll.c) ---- */

struct exec_env;

struct webhook_poll_options {
	const struct registry *reg;
	struct store *store;
	struct exec_env *env;    /* http and store set; used synchronously */
	const char *const *only; /* NULL-terminated CONNECTION names (or C/N), or NULL */
	const char *entity;      /* only this entity (then polled even when it has webhooks),
				    or NULL */
	json_t *args; /* extra arguments of every list call (owner, repo, channel ...), or
			 NULL; borrowed */
	volatile sig_atomic_t *stop; /* set from a signal handler: stop between calls */
};
/* Poll every stored connection (or opt->only) once: for each entity with a
 * "polling" block (those whose webhooks the connection can receive are left
 * out unless asked for by entity), call its list action through exec,
 * filtered on the polling field when the action has a parameter for it, and
 * store new or changed items as events (event "changed", deduplicated on id
 * + field value). A list action's required arguments come from opt->args,
 * else from the connection's settings of the same name (owner, repo);
 * entities still missing one are skipped with a note, not a failure. The first poll of a connection
 * and entity records where things stand without making events. The polling block may add fixed
 * arguments (args, first_args), a filter template for search languages
 * (filter), and an epoch (epoch_field, epoch_param: IMAP's uidvalidity)
 * under which the cursor is valid; when the epoch changes, items whose
 * restart_field is at or after the previous poll's start are reported and
 * a new cursor begins. With oldest_first, a poll reads page after page
 * (each filtered from the cursor the page before moved, stored with its
 * events before the next call) up to max_items (default 500); so does a
 * block with id_param (Stripe's ending_before), each call asking for the
 * page just newer than the newest item seen, stored oldest first;
 * otherwise one call, with a warning when more items follow. scope_param (Email's mailbox)
 * keeps a cursor per value of that argument: key "<entity>@<value>", the
 * default value keeping the plain entity. Reports each connection and entity on
 * stderr. Returns the number of failures (calls or store), or -1 with err
 * when nothing could be polled. */
int webhook_poll(const struct webhook_poll_options *opt, struct err *err);

/* ---- reading events (webhook_events.c) ---- */

/* ISO 8601 UTC with seconds, "2026-01-31T09:30:00Z". */
void webhook_format_time(long long t, char out[32]);
/* A time for --since and the tool: an ISO 8601 date or date-time (UTC
 * unless it carries an offset), a duration back from now ("-90s", "-15m",
 * "-1h", "-2d", "-1w"; the "-" is optional), or unix seconds. */
int webhook_parse_since(const char *s, long long now, long long *out);
/* One event as people and models see it: {id, connector, connection, entity,
 * event, vendor_event, vendor_event_id, received_at (ISO), payload}.
 * connection is the name (NULL when unknown or removed). */
json_t *webhook_event_json(const struct event *ev, const char *connection);
/* connection id (as a decimal string) -> name, for webhook_event_json. */
json_t *webhook_connection_names(struct store *s);

#endif
