/* store.h - the store: connections (secrets sealed with AES-256-GCM), OAuth
 * client apps, received events, polling cursors and per-connection locks, in
 * an sqlite file or a PostgreSQL database shared by several processes and
 * hosts. The only module that knows SQL (store*.c; store_int.h is its
 * private header and the engine interface).
 *
 * Conventions: int functions return 0 on success, -1 with err set, unless
 * said otherwise. Strings passed in are borrowed (copied when kept). Every
 * struct returned is new and freed with its *_free(), which accepts NULL.
 * Secrets never appear in error messages. Writes run in transactions that
 * wait for other processes' writes, so several switchboard processes may
 * share one store. A struct store is for one thread and must not be carried
 * across fork(). */
#ifndef SB_STORE_H
#define SB_STORE_H

#include <jansson.h>

#include "connection.h"
#include "util.h"

struct store;

/* Free a connection, wiping its secrets first (see store_secrets_free).
 * Accepts NULL. */
void connection_free(struct connection *c);
/* Free a NULL-terminated array from store_list_connections. Accepts NULL. */
void connections_free(struct connection **list);
/* Drop a reference to a secrets value. When it is the last reference, every
 * string inside is wiped first. Keep a secret beyond its connection with
 * json_deep_copy rather than json_incref, so the wipe never hits a value
 * someone else still reads. Accepts NULL. */
void store_secrets_free(json_t *secrets);

/* Open (creating when missing) the store at path. path NULL means
 * $SWITCHBOARD_STORE, else $XDG_DATA_HOME/switchboard/switchboard.db
 * (~/.local/share/switchboard/switchboard.db). A path starting with
 * postgres:// or postgresql:// is a libpq URL: the database must exist, the
 * tables are made in it. Otherwise it is an sqlite file: a missing folder is
 * created 0700 and a missing file 0600. Runs pending schema migrations, each
 * in its own transaction. A PostgreSQL connection lost later (a restart) is
 * made again by the next call outside a transaction; calls fail meanwhile. The sealing key is
 * loaded on first need (see store_rotate_key for where it lives). Returns a new store (store_free)
 * or NULL with err. */
struct store *store_open(const char *path, struct err *err);
/* Close the store and wipe the key. Accepts NULL. */
void store_free(struct store *s);
/* The file or URL in use (as given: a URL may hold a password, so it is not
 * for messages); borrowed, valid until store_free. */
const char *store_path(const struct store *s);
/* The schema version this build migrates to. */
int store_schema_version(void);

/* Add c: connector and name are required; auth NULL means "none"; owner
 * NULL means unowned (grants are not added here). Sets
 * c->id, created_at, updated_at, is_default (the first connection of a
 * connector becomes its default) and status when NULL. c->secrets, when not
 * NULL, is sealed, bound to the row. Error when the name is taken. */
int store_add_connection(struct store *s, struct connection *c, struct err *err);
/* Update the row c->id from c: auth and status (NULL keeps the stored
 * value), config, last_error, expires_at, and the secrets, re-sealed, when
 * c->secrets != NULL (NULL keeps the stored ones). connector, name and
 * is_default are not changed here: see store_rename_connection and
 * store_set_default. The whole row is written, so a read-modify-write that
 * races another process (an OAuth refresh) belongs under store_lock_acquire. */
int store_update_connection(struct store *s, const struct connection *c, struct err *err);
/* Remove a connection. When it was the default, the connector's oldest
 * remaining connection becomes the default. Its events stay, unlinked. */
int store_remove_connection(struct store *s, long long id, struct err *err);

/* Find a connection. connector may be NULL: then name must be unambiguous
 * across connectors (the error names the candidates as CONNECTOR/NAME), or
 * be written "CONNECTOR/NAME" itself. name may also be the id in digits.
 * with_secrets opens the sealed secrets (c->secrets is then an object, empty
 * when none were stored). Returns a new connection (connection_free) or NULL
 * with err when missing, ambiguous or the secrets cannot be opened. */
struct connection *store_get_connection(struct store *s, const char *connector, const char *name,
					int with_secrets, struct err *err);
/* The connector's default connection, or NULL without err when it has none;
 * NULL with err on failure. */
struct connection *store_get_default(struct store *s, const char *connector, int with_secrets,
				     struct err *err);
/* All connections (connector NULL = every connector), without secrets,
 * ordered by connector, name. OUT: *out, a NULL-terminated array freed with
 * connections_free; NULL on error. */
int store_list_connections(struct store *s, const char *connector, struct connection ***out,
			   struct err *err);
/* Make id the default of its connector (and no other). */
int store_set_default(struct store *s, long long id, struct err *err);
/* Rename; error when new_name is invalid or taken. The secrets need no
 * re-sealing: they are bound to connector and id, not the name. */
int store_rename_connection(struct store *s, long long id, const char *new_name, struct err *err);
/* last_used_at = now. Best effort: 0 or -1, no message. */
int store_touch_connection(struct store *s, long long id);
/* Set status ("ok", "needs_reconnect", "error" ...) and last_error (NULL
 * clears it). */
int store_set_status(struct store *s, long long id, const char *status, const char *last_error,
		     struct err *err);

/* Tenants. A principal or group name: 1 to 256 bytes, no control
 * characters. 0, or -1 with err naming what (e.g. "owner"). */
int store_check_principal(const char *name, const char *what, struct err *err);
/* Share connection id with a group, or stop sharing it. Granting twice is
 * not an error; revoking a group it is not shared with is. */
int store_grant_connection(struct store *s, long long id, const char *group, struct err *err);
int store_revoke_connection(struct store *s, long long id, const char *group, struct err *err);

/* The audit log: one entry per tool call. Its writes do not count as
 * changes (store_data_version), so recording a call neither invalidates
 * cached connections nor rebuilds anyone's tool list. */
struct audit_entry {
	long long id;
	long long at_ms;  /* when the call started (unix milliseconds) */
	char *subject;    /* who called; NULL: the local user (stdio, the CLI) */
	char *tool;       /* required */
	char *connector;  /* NULL for a tool of no connector */
	char *connection; /* the connection's name; NULL when none was used */
	char *owner;      /* the connection's owner; NULL: unowned */
	char *outcome;    /* required: "ok", "error", "refused" or "cancelled" */
	char *error;      /* the error's class when not ok, else NULL */
	long long duration_ms;
	json_t *arguments; /* redacted (see audit.h); NULL is stored as {} */
};
/* Free a's strings and arguments, and zero it. */
void store_audit_entry_release(struct audit_entry *a);
/* Append a (id and at_ms 0 = now are set in the stored row only). */
int store_add_audit(struct store *s, const struct audit_entry *a, struct err *err);
/* Append n entries in one transaction (one flush to disk): all or none. */
int store_add_audits(struct store *s, const struct audit_entry *a, size_t n, struct err *err);
/* Call fn with each entry since since_ms (0 = all), oldest first; with
 * owner, only the entries whose subject or connection owner is owner. The
 * entry is borrowed for the call; fn returns 0 to go on, -1 to stop (then
 * store_audit_foreach returns -1 without touching err). */
typedef int (*store_audit_fn)(const struct audit_entry *a, void *ctx);
int store_audit_foreach(struct store *s, long long since_ms, const char *owner, store_audit_fn fn,
			void *ctx, struct err *err);
/* Delete the entries before before_ms: how many, or -1 with err. */
int store_prune_audit(struct store *s, long long before_ms, struct err *err);

/* A number that changes whenever the store changes: sqlite's PRAGMA
 * data_version (other processes' commits) plus a count of this handle's own
 * commits; with PostgreSQL a counter every write transaction of every
 * process bumps. Cheap enough to ask before every request; compare for
 * equality only. -1 on error. store_touch_connection does not count. */
long long store_data_version(struct store *s);

/* The change feed (PostgreSQL's LISTEN/NOTIFY: every write transaction of
 * every process notifies). store_notify_fd is a descriptor that turns
 * readable when a notice may have come, or -1 when there is no feed
 * (sqlite, or the connection is down): then poll store_data_version. It
 * may change after a reconnect, so ask again after store_take_notices.
 * store_take_notices reads what came without blocking: 1 when the store
 * may have changed since the last call (a notice, or a reconnect that may
 * have missed some), else 0. */
int store_notify_fd(struct store *s);
int store_take_notices(struct store *s);

/* An OAuth client app registered for a connector, overriding its defaults. */
struct oauth_app {
	char *connector;
	char *client_id;
	char *client_secret; /* opened; NULL for a public client (PKCE only) */
	char *scopes;        /* space separated; NULL = the connector's */
	int redirect_port;   /* loopback port for the redirect; 0 = any free port */
	char *authorize_url; /* NULL = the connector's */
	char *token_url;     /* NULL = the connector's */
	char *revoke_url;    /* NULL = the connector's revoke.url */
	long long created_at, updated_at;
};
/* Insert or replace the app for app->connector (connector and client_id are
 * required); client_secret is sealed. */
int store_set_oauth_app(struct store *s, const struct oauth_app *app, struct err *err);
/* The connector's app with its secret opened: new (oauth_app_free), or NULL
 * without err when there is none, NULL with err on failure. */
struct oauth_app *store_get_oauth_app(struct store *s, const char *connector, struct err *err);
/* Remove the connector's app; removing a missing one is not an error. */
int store_remove_oauth_app(struct store *s, const char *connector, struct err *err);
/* Wipes client_secret. Accepts NULL. */
void oauth_app_free(struct oauth_app *app);

/* The sealing key is the 32 bytes in base64 of $SWITCHBOARD_KEY, else of the
 * key file $XDG_CONFIG_HOME/switchboard/key (~/.config/switchboard/key),
 * created 0600 on first use; a key file others may read is refused.
 *
 * Rotation re-seals every secret under a new random key in one transaction.
 * With a key file the new key replaces it and *new_key_b64 is set to NULL.
 * With SWITCHBOARD_KEY nothing is written: *new_key_b64 gets the new key in
 * base64 (caller shows it, then wipes and frees it with free_secret), and
 * new_key_b64 NULL is then an error, before anything changes. Secrets that
 * do not open stop the rotation with nothing changed.
 *
 * Other processes: with a key file they re-read it when a secret does not
 * open or their key no longer matches the store's. With SWITCHBOARD_KEY they
 * must be restarted with the new key; until then their seals are refused (the
 * store keeps a fingerprint of its key), so nothing is sealed under the old
 * one. The new key file is written as "<key>.new" before the commit and
 * renamed after it: a leftover "<key>.new" holds the key of an interrupted
 * rotation, and stops the next rotation until it is moved or removed. */
int store_rotate_key(struct store *s, char **new_key_b64, struct err *err);

/* A key for another use than sealing the store's secrets (purpose names
 * it, e.g. "confirm"): HMAC-SHA256 of purpose under the sealing key, so the
 * sealing key itself never leaves the store. Never creates a key file: -1
 * with err when there is no key yet. out is CRYPTO_KEY_LEN (32) bytes. */
int store_derive_key(struct store *s, const char *purpose, unsigned char out[32], struct err *err);

/* Spend a single-use token (a confirmation's nonce): 1 when this is its
 * first use, 0 when any process on this store spent it already, -1 with
 * err. It is remembered until expires_at (seconds since the epoch); tokens
 * past their expiry are forgotten on the way. */
int store_use_once(struct store *s, const char *token, long long expires_at, struct err *err);

/* A webhook or polled event. */
struct event {
	long long id;
	char *connector;
	long long connection_id; /* 0 = none */
	char *entity;            /* may be NULL */
	char *event_type;
	char *vendor_event_id; /* may be NULL (then never a duplicate) */
	json_t *payload;       /* owned; NULL is stored as null */
	long long received_at; /* 0 in store_add_event means now */
	char *vendor_type;     /* the vendor's own name (customer.created); may be NULL */
};
/* Store ev unless the connector already has its vendor_event_id. Returns 1
 * when new (sets ev->id and received_at), 0 for a duplicate, -1 with err. */
int store_add_event(struct store *s, struct event *ev, struct err *err);
/* Store n events in one transaction, each as store_add_event would (the new
 * ones get id and received_at). All or nothing: returns how many were new,
 * or -1 with err and nothing stored. */
int store_add_events(struct store *s, struct event *const *evs, size_t n, struct err *err);
/* Several deliveries' events in one transaction and one flush to disk
 * (group commit): each group all or nothing on its own (a savepoint), so
 * one group's failure does not undo another's. Sets each group's added
 * (how many were new) or, when that group failed, -1 and its err. Returns
 * 0 when the transaction committed (the groups with added >= 0 are on
 * disk), or -1 with err when nothing was stored. */
struct event_group {
	struct event *const *evs;
	size_t n;
	int added;      /* OUT */
	struct err err; /* OUT: why this group failed */
};
int store_add_event_groups(struct store *s, struct event_group *g, size_t n, struct err *err);
struct event_filter {
	const char *connector;   /* NULL = any */
	long long connection_id; /* 0 = any */
	const char *event_type;  /* NULL = any; matches event_type or vendor_type */
	long long since;         /* received_at >= since; 0 = any */
	int limit;               /* 0 = 100; at most 1000 */
	const char *entity;      /* NULL = any */
	int no_entity;           /* only events without an entity (entity is ignored) */
	long long before_id;     /* id < before_id, for paging newest first; 0 = any */
	long long after_id;      /* id > after_id, and then oldest first; 0 = any */
	/* With only_ids: only the events of these connections (none when
	 * n_connection_ids is 0), for a caller who may use just those. */
	int only_ids;
	const long long *connection_ids;
	size_t n_connection_ids;
};
/* Events matching f (NULL = all), newest first (oldest first with
 * after_id). OUT: *out, a NULL-terminated array freed with events_free. */
int store_list_events(struct store *s, const struct event_filter *f, struct event ***out,
		      struct err *err);
void event_free(struct event *ev);
void events_free(struct event **list);
/* Delete the events received before `before` (seconds since the epoch), of
 * one connector or (NULL) all. Returns how many were deleted, or -1 with
 * err. Their vendor ids go too, so a delivery retried after this would be
 * stored again: keep events longer than vendors retry (days). */
int store_prune_events(struct store *s, long long before, const char *connector, struct err *err);
/* The highest event id (0 when there is none). */
int store_last_event_id(struct store *s, long long *out, struct err *err);
/* Stored events per connector and entity: OUT *out, a new array of
 * {connector, entity (null when unmapped), count, last_id, last_at}, by
 * connector then entity. */
int store_event_groups(struct store *s, json_t **out, struct err *err);

/* Polling cursors, one per connection and entity: the last value seen of
 * the entity's polling field, as text. store_get_poll_cursor gives 1 and a
 * new string in *out (free), 0 when none is stored, or -1 with err. */
int store_get_poll_cursor(struct store *s, long long connection_id, const char *entity, char **out,
			  struct err *err);
int store_set_poll_cursor(struct store *s, long long connection_id, const char *entity,
			  const char *cursor, struct err *err);

/* A per-connection lock across processes, e.g. around an OAuth refresh.
 * sqlite: the holder is this process id; it lasts ttl_s seconds unless
 * released, or until the holder is seen to have died (same pid namespace,
 * pid gone). PostgreSQL: an advisory lock of this handle's session, across
 * hosts, held until released or until the holder's connection ends. Returns
 * 1 acquired (or renewed, when this process already held it), 0 held by
 * another process (or handle), -1 with err. */
int store_lock_acquire(struct store *s, long long id, int ttl_s, struct err *err);
/* Release this process's lock on id; releasing a lock not held is not an
 * error. */
int store_lock_release(struct store *s, long long id, struct err *err);

#endif
