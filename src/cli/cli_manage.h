/* cli_manage.h - internal to webhooks register, list and remove
 * (cli_webhooks.c): the connection and tools one command works on, the
 * connector's webhooks.api calls, and the webhook secret field that may
 * hold several signing secrets (cli_manage.c). */
#ifndef SB_CLI_MANAGE_H
#define SB_CLI_MANAGE_H

#include <jansson.h>

#include "cli.h"
#include "connector.h"
#include "registry.h"
#include "store.h"
#include "tools.h"
#include "util.h"

/* What the placeholders of an argument template stand for ({url},
 * {event}, {secret}, {id}, {events}); NULL members are left as they are. */
struct cli_manage_subst {
	const char *url, *event, *secret, *id;
	json_t *events;
};

/* One command's setting: set up by cli_manage_open, dropped by
 * cli_manage_release. */
struct cli_manage {
	struct cli *cli;
	struct registry *reg;
	struct store *st;
	const struct connector *c;
	struct connection *conn; /* with secrets */
	struct toolset *ts;
	const struct webhook_api *api; /* the connector's (connector.h) */
	json_t *extra;                 /* arguments from --repo, --org, --args; owned */
	const char *entity;
};

/* Print "switchboard: " fmt (with arg) when fmt is not NULL, then the
 * usage, on stderr. Returns 2, the exit status of a usage error. */
int cli_manage_usage(const char *fmt, const char *arg);

/* Load the registry, store, connection (with secrets) and tools for
 * CONNECTION name; m->extra must be set already (it picks the entity by
 * entity_by_arg). Returns 0, or an exit status after a message: 1 failure,
 * and 3 when the connector has webhooks but no api block (m is then set up
 * except for the tools). */
int cli_manage_open(struct cli_manage *m, struct cli *cli, const char *name);
/* Drop what cli_manage_open and the option parsing set up; m may be
 * partly set up or zeroed. */
void cli_manage_release(struct cli_manage *m);

/* --repo OWNER/NAME, --org ORG and --args JSON (option a, value v) into
 * m->extra; -1 after a usage message. */
int cli_manage_parse_target(struct cli_manage *m, const char *a, const char *v);
/* 1 when a is one of the options cli_manage_parse_target takes. */
int cli_manage_is_target(const char *a);

/* Run call, one of the api block's (create, list, remove), with sb filled
 * in. Returns the result's data (new), or NULL with err: the vendor's
 * error as the call reported it. */
json_t *cli_manage_call(struct cli_manage *m, const struct webhook_call *call,
			const struct cli_manage_subst *sb, struct err *err);

/* The vendor's event names to subscribe: given (comma-separated, from
 * --events), else the api block's default (every mapped event,
 * deduplicated), in event_case. A new array. */
json_t *cli_manage_events(const struct cli_manage *m, const char *given);

/* The delivery URL for public_url (a new string): public_url itself when it
 * already ends in /hooks/<connector>/<connection>. */
char *cli_manage_delivery_url(const struct cli_manage *m, const char *public_url);
/* Say where a vendor without an API takes subscriptions (public_url may
 * be NULL). Returns exit status 1. */
int cli_manage_portal_guidance(const struct cli_manage *m, const char *public_url);

/* Wipe every string in v in place before it goes (answers and arguments
 * holding a secret); v may be NULL. */
void cli_manage_wipe_json(json_t *v);
/* An id as text (GitHub's are numbers); a new string, or NULL. */
char *cli_manage_id_text(json_t *v);

/* May the connector's webhook secret field hold several secrets (see
 * webhook_verify_any)? When an auth method declares it "multiple", or
 * when none declares it (then it is only for webhooks). */
int cli_manage_field_multiple(const struct connector *c, const char *field);
/* The newest secret of a stored value (the last of an array); borrowed. */
const char *cli_manage_newest_secret(json_t *have);

/* What cli_manage_save_connection changes in the secret field. */
struct cli_manage_secret_change {
	const char *set;  /* replace the value with this one secret */
	json_t *add;      /* or add these endpoints' secrets ([{id, secret}]; borrowed) */
	const char *drop; /* or drop this endpoint's secret */
	int changed;      /* OUT: the field was written */
	size_t count;     /* OUT: secrets held afterwards */
};

/* Change the secret field as sc says and keep url (when not NULL) as the
 * connection's webhook_url, re-read first so a token refreshed (or a
 * secret added) meanwhile is not written back stale. 0, or -1 with err. */
int cli_manage_save_connection(struct cli_manage *m, const char *field,
			       struct cli_manage_secret_change *sc, const char *url,
			       struct err *err);

#endif
