/* store_int.h - shared by the store's files only; everyone else uses
 * store.h. The operations (store.c, store_conn.c, store_events.c) are
 * written once in SQL both engines run; an engine (store_sqlite.c,
 * store_pg.c) is one struct store_backend of functions, like auth.h's
 * handlers. Only the engine files include their library's header. */
#ifndef SB_STORE_INT_H
#define SB_STORE_INT_H

#include <stddef.h>

#include "crypto.h"
#include "store.h"

/* One bound argument of store_db_query (see the type letters there). */
struct store_arg {
	char type; /* 't', 'i' or 'b'; a NULL text or blob, or 'n' with 0, binds NULL */
	const char *text;
	long long num;
	const void *blob;
	size_t len;
};

/* A query being read; its fields are the engine's. */
struct store_stmt {
	struct store *s;
	void *h;             /* sqlite3_stmt, or the PGresult */
	int row;             /* PostgreSQL: the current row, -1 before the first */
	unsigned char *blob; /* PostgreSQL: the last blob decoded (col_blob) */
};

/* An engine. Each function gets an open store unless said otherwise;
 * messages name the store by s->label (never a password). */
struct store_backend {
	const char *name;
	/* Connect to s->path (s->db), set the engine's options and make sure
	 * its schema version can be read. 0 or -1 with err. */
	int (*open)(struct store *s, struct err *err);
	/* Disconnect; s->db may be NULL. */
	void (*close)(struct store *s);
	/* Run sql with args into st (st->h), read then with row and the col
	 * functions. 0, or -1 with err. */
	int (*query)(struct store *s, struct store_stmt *st, const char *sql,
		     const struct store_arg *args, int nargs, struct err *err);
	/* The next row: 1 a row, 0 no more, -1 with err. */
	int (*row)(struct store_stmt *st, struct err *err);
	void (*finalize)(struct store_stmt *st);
	/* Columns of the current row: NULL (text, blob) or 0 when SQL NULL.
	 * Strings and blobs are borrowed until the next row or finalize. */
	long long (*col_int)(struct store_stmt *st, int i);
	const char *(*col_text)(struct store_stmt *st, int i);
	const void *(*col_blob)(struct store_stmt *st, int i, size_t *len);
	/* Rows changed by the statement just read to its end. */
	int (*changes)(struct store_stmt *st);
	/* Several statements without arguments or rows (a migration). */
	int (*script)(struct store *s, const char *sql, struct err *err);
	/* A write transaction that waits for other writers; commit leaves it
	 * open on failure for rollback, which does nothing when none is open. */
	int (*tx_begin)(struct store *s, struct err *err);
	int (*tx_commit)(struct store *s, struct err *err);
	void (*tx_rollback)(struct store *s);
	/* store_data_version; with own_writes, this handle's writes outside a
	 * transaction count as well (the connection memo). */
	long long (*data_version)(struct store *s, int own_writes);
	/* Optional: store_notify_fd and store_take_notices. */
	int (*notify_fd)(struct store *s);
	int (*take_notices)(struct store *s);
	/* The schema version, read and set inside a write transaction. */
	int (*get_schema)(struct store *s, long long *out, struct err *err);
	int (*set_schema)(struct store *s, long long v, struct err *err);
	/* store_lock_acquire and store_lock_release. */
	int (*lock_acquire)(struct store *s, long long id, int ttl_s, struct err *err);
	int (*lock_release)(struct store *s, long long id, struct err *err);
	/* Optional: after a key rotation, push old pages out (sqlite's WAL). */
	void (*compact)(struct store *s);
	/* Migrations in this engine's dialect: the shared list's entry i
	 * (0-based) when the engine has its own text for it, else NULL. */
	const char *(*migration)(int i);
};

extern const struct store_backend store_sqlite;
extern const struct store_backend store_pg;

struct store {
	const struct store_backend *be;
	void *db;    /* the engine's handle */
	void *priv;  /* the engine's state */
	char *path;  /* as opened: a file, or a postgres:// URL (store_path) */
	char *label; /* path without a password, for messages */
	unsigned char key[CRYPTO_KEY_LEN];
	int have_key;
	int key_from_env;
	char *key_path; /* the key file, NULL when the key came from the env */
	/* Connections loaded lately, reused while nothing in the database has
	 * changed (store_conn.c): a call resolves its connection without a
	 * query or an unseal. */
	struct conn_memo {
		char *key; /* "<connector>\n<name or empty>\n<with_secrets>" */
		long long version;
		struct connection *conn;
	} memo[8];
	unsigned memo_next;
	/* Rows this handle wrote that no reader of connections cares about
	 * (the audit log): the memo's version leaves them out. */
	long long quiet_changes;
};
/* Forget the memo (store_free). */
void store_memo_release(struct store *s);

/* Queries (store.c). store_db_query runs sql, binding one argument per
 * letter of types: t text (const char *), i integer (long long), n integer
 * with 0 bound as NULL, b blob (const void *, size_t); a NULL pointer binds
 * NULL. Placeholders are "?" or "?N" (sqlite's; store_pg.c numbers them for
 * PostgreSQL). Arguments must outlive the statement. Returns a statement
 * (store_db_finalize, which accepts NULL) or NULL with err. */
struct store_stmt *store_db_query(struct store *s, struct err *err, const char *sql,
				  const char *types, ...);
/* Step a query: 1 a row, 0 no more, -1 with err. */
int store_db_row(struct store_stmt *st, struct err *err);
void store_db_finalize(struct store_stmt *st);
/* Column i of the current row (see struct store_backend). */
long long store_db_col_int(struct store_stmt *st, int i);
const char *store_db_col_text(struct store_stmt *st, int i);
const void *store_db_col_blob(struct store_stmt *st, int i, size_t *len);
/* Column i as a new string, NULL when NULL. */
char *store_db_text(struct store_stmt *st, int i);
/* Run a statement that returns no rows: the number of rows changed, or -1. */
int store_db_exec(struct store *s, struct err *err, const char *sql, const char *types, ...);
/* The first column of the first row as an integer: 1 found (*out set), 0 no
 * row, -1 with err. */
int store_db_int(struct store *s, struct err *err, long long *out, const char *sql,
		 const char *types, ...);

/* Every write runs in a transaction that waits for other writers. A failed
 * commit leaves the transaction open for store_tx_rollback, which does
 * nothing when none is open. */
int store_tx_begin(struct store *s, struct err *err);
int store_tx_commit(struct store *s, struct err *err);
void store_tx_rollback(struct store *s);

/* Sealing (store.c). store_seal is for write transactions only: it checks the
 * key against the store's before sealing plain for aad into a new *blob.
 * store_unseal returns the opened text (free_secret) or NULL, setting err
 * only when the key cannot be loaded: the caller words the failure. */
int store_seal(struct store *s, const char *plain, const char *aad, unsigned char **blob,
	       size_t *blob_len, struct err *err);
char *store_unseal(struct store *s, const void *blob, size_t blob_len, const char *aad,
		   struct err *err);
/* The aad binding a sealed blob to its row: "<connector>/<id>" for a
 * connection, "oauth_app:<connector>" for an OAuth app. New strings. */
char *store_conn_aad(const char *connector, long long id);
char *store_app_aad(const char *connector);

/* The key (store_key.c). Load s->key once from SWITCHBOARD_KEY or the key
 * file, creating the file when create is set. */
int store_load_key(struct store *s, int create, struct err *err);
/* Another process may have rotated the key file since it was loaded: read
 * it again. 1 when s->key changed (try again with it), else 0. */
int store_reload_key(struct store *s);
/* The key file's path ($XDG_CONFIG_HOME/switchboard/key, else under
 * $HOME/.config): a new string, or NULL with err. */
char *store_key_file_path(struct err *err);
/* Read a key file (refused when others may read it): 1 read, 0 missing,
 * -1 with err (err may be NULL). */
int store_key_read_file(const char *path, unsigned char key[CRYPTO_KEY_LEN], struct err *err);
/* Write b64 and a newline to a new file (0600, O_EXCL), flushed to disk. */
int store_key_write_file(const char *path, const char *b64, struct err *err);
/* Create the folder of path (0700) when it is missing. */
int store_make_parent(const char *path, struct err *err);

/* A connector slug: [a-z0-9_-], 1 to 64 characters (store_conn.c). */
int store_check_connector(const char *connector, struct err *err);

#endif
