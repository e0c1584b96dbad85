/* store_int.h - shared by the store's files only (store.c, store_conn.c,
 * store_events.c, store_key.c); everyone else uses store.h. It names sqlite's
 * types without including sqlite3.h, so store_key.c stays free of it. */
#ifndef SB_STORE_INT_H
#define SB_STORE_INT_H

#include <stddef.h>

#include "crypto.h"
#include "store.h"

struct sqlite3;
struct sqlite3_stmt;

struct store {
	struct sqlite3 *db;
	char *path;
	unsigned char key[CRYPTO_KEY_LEN];
	int have_key;
	int key_from_env;
	char *key_path;    /* the key file, NULL when the key came from the env */
	long long changes; /* commits through this handle, for store_data_version */
	struct sqlite3_stmt *data_version; /* PRAGMA data_version, prepared once */
	/* Connections loaded lately, reused while nothing in the database has
	 * changed (store_conn.c): a call resolves its connection without a
	 * query or an unseal. */
	struct conn_memo {
		char *key; /* "<connector>\n<name or empty>\n<with_secrets>" */
		long long version;
		struct connection *conn;
	} memo[8];
	unsigned memo_next;
};
/* Forget the memo (store_free). */
void store_memo_release(struct store *s);

/* Queries (store.c). store_db_query prepares sql and binds one argument per
 * letter of types: t text (const char *), i integer (long long), n integer
 * with 0 bound as NULL, b blob (const void *, size_t), v (sqlite3_value *);
 * a NULL pointer binds NULL. Arguments must outlive the statement: nothing is
 * copied. Returns a statement (sqlite3_finalize) or NULL with err. */
struct sqlite3_stmt *store_db_query(struct store *s, struct err *err, const char *sql,
				    const char *types, ...);
/* Step a query: 1 a row, 0 no more, -1 with err. */
int store_db_row(struct store *s, struct sqlite3_stmt *st, struct err *err);
/* Run a statement that returns no rows: the number of rows changed, or -1. */
int store_db_exec(struct store *s, struct err *err, const char *sql, const char *types, ...);
/* The first column of the first row as an integer: 1 found (*out set), 0 no
 * row, -1 with err. */
int store_db_int(struct store *s, struct err *err, long long *out, const char *sql,
		 const char *types, ...);
/* Column i as a new string, NULL when NULL. */
char *store_db_text(struct sqlite3_stmt *st, int i);

/* Every write runs in BEGIN IMMEDIATE ... COMMIT, retried while another
 * process holds the write lock. A failed commit leaves the transaction open
 * for store_tx_rollback, which does nothing when none is open. */
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
