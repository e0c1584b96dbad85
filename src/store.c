/* store.c - the store's core: opening, schema migrations, the sqlite
 * helpers and transactions the other store files share, sealing, and key
 * rotation. Only the store's files (store*.c) include sqlite3.h. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto.h"
#include "log.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000
#define BUSY_RETRIES 8
#define KEY_CHECK_MSG "switchboard key check 1"

/* Each entry moves the schema one version up (index 0 makes version 1) and
 * runs in its own transaction. Never edit an entry that has shipped: add the
 * next one. */
static const char *const migrations[] = {
	/* 1: the initial schema. */
	"CREATE TABLE connections ("
	"  id INTEGER PRIMARY KEY,"
	"  connector TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  auth TEXT NOT NULL DEFAULT 'none',"
	"  config TEXT NOT NULL DEFAULT '{}',"
	"  secrets BLOB,"
	"  is_default INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'ok',"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  last_used_at INTEGER NOT NULL DEFAULT 0,"
	"  expires_at INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (connector, name));"
	"CREATE UNIQUE INDEX connections_default ON connections (connector) WHERE is_default = 1;"
	"CREATE TABLE oauth_apps ("
	"  connector TEXT PRIMARY KEY,"
	"  client_id TEXT NOT NULL,"
	"  client_secret BLOB,"
	"  scopes TEXT,"
	"  redirect_port INTEGER NOT NULL DEFAULT 0,"
	"  authorize_url TEXT,"
	"  token_url TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  connector TEXT NOT NULL,"
	"  connection_id INTEGER REFERENCES connections (id) ON DELETE SET NULL,"
	"  entity TEXT,"
	"  event_type TEXT NOT NULL,"
	"  vendor_event_id TEXT,"
	"  payload TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  UNIQUE (connector, vendor_event_id));"
	"CREATE INDEX events_received ON events (connector, received_at);"
	"CREATE TABLE locks ("
	"  connection_id INTEGER PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,"
	"  holder_pid INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL);"
	"CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
	/* 2: events keep the vendor's own event name and are read per entity;
	 * polling keeps a cursor per connection and entity. */
	"ALTER TABLE events ADD COLUMN vendor_type TEXT;"
	"CREATE INDEX events_entity ON events (connector, entity, id);"
	"CREATE TABLE poll_cursors ("
	"  connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,"
	"  entity TEXT NOT NULL,"
	"  cursor TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (connection_id, entity));",
	/* 3: a lock holder's pid namespace, so a lock left by a process that
	 * died is taken over at once instead of when it expires. */
	"ALTER TABLE locks ADD COLUMN holder_ns TEXT NOT NULL DEFAULT '';",
	/* 4: an OAuth app may override the connector's revocation endpoint (a
	 * test provider, GitHub Enterprise), as it does the token endpoint. */
	"ALTER TABLE oauth_apps ADD COLUMN revoke_url TEXT;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* ---- sqlite helpers ---- */

/* store_db_query with a va_list; the letters are described in store_int.h. */
static sqlite3_stmt *db_vquery(struct store *s, struct err *err, const char *sql, const char *types,
			       va_list ap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	for (int i = 1; rc == SQLITE_OK && types[i - 1]; i++) {
		long long v;
		const void *p;
		switch (types[i - 1]) {
		case 't':
			rc = sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, long long));
			break;
		case 'n':
			v = va_arg(ap, long long);
			rc = v ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			v = (long long)va_arg(ap, size_t);
			rc = p ? sqlite3_bind_blob64(st, i, p, (sqlite3_uint64)v, SQLITE_STATIC)
			       : sqlite3_bind_null(st, i);
			break;
		case 'v':
			p = va_arg(ap, const sqlite3_value *);
			rc = p ? sqlite3_bind_value(st, i, p) : sqlite3_bind_null(st, i);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		err_set(err, "cannot query store '%s': %s", s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *store_db_query(struct store *s, struct err *err, const char *sql, const char *types,
			     ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	return st;
}

/* Step a query: 1 a row, 0 no more, -1 with err. */
int store_db_row(struct store *s, sqlite3_stmt *st, struct err *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return err_set(err, "cannot read store '%s': %s", s->path, sqlite3_errmsg(s->db));
}

/* Run a statement that returns no rows: the number of rows changed or -1. */
int store_db_exec(struct store *s, struct err *err, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	if (!st)
		return -1;
	int ret = -1;
	if (sqlite3_step(st) == SQLITE_DONE)
		ret = sqlite3_changes(s->db);
	else
		err_set(err, "cannot update store '%s': %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return ret;
}

/* The first column of the first row as an integer: 1 found (*out set), 0
 * no row, -1 with err. */
int store_db_int(struct store *s, struct err *err, long long *out, const char *sql,
		 const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	if (!st)
		return -1;
	int ret = store_db_row(s, st, err);
	if (ret == 1)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return ret;
}

char *store_db_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* Back off before retrying a busy database, a little longer each time, with
 * jitter so two processes do not retry in step. */
static void busy_sleep(int attempt)
{
	long ms = (10L << (attempt < 5 ? attempt : 5)) + (long)((now_ms() ^ getpid()) % 10);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Run sql (no bindings), retrying while another process holds the lock
 * longer than the busy timeout or sqlite refuses to wait. */
static int db_exec_retry(struct store *s, const char *sql, struct err *err)
{
	for (int i = 0;; i++) {
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (!is_busy(rc) || i == BUSY_RETRIES)
			return err_set(err, "cannot write to store '%s': %s", s->path,
				       sqlite3_errmsg(s->db));
		busy_sleep(i);
	}
}

/* Every write goes through BEGIN IMMEDIATE: it takes the write lock up front,
 * so a transaction never fails half way because another process wrote. */
int store_tx_begin(struct store *s, struct err *err)
{
	return db_exec_retry(s, "BEGIN IMMEDIATE", err);
}

/* On failure the transaction stays open for store_tx_rollback. */
int store_tx_commit(struct store *s, struct err *err)
{
	if (db_exec_retry(s, "COMMIT", err) < 0)
		return -1;
	s->changes++;
	return 0;
}

void store_tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- opening ---- */

static int migrate(struct store *s, struct err *err)
{
	long long v = 0;

	for (;;) {
		if (store_tx_begin(s, err) < 0)
			return -1;
		/* Read inside the transaction: another process may have just
		 * migrated. */
		if (store_db_int(s, err, &v, "PRAGMA user_version", "") < 0)
			goto fail;
		if (v > NMIGRATIONS) {
			err_set(err,
				"store '%s' has schema version %lld, newer than this switchboard "
				"knows (%d); upgrade switchboard",
				s->path, v, NMIGRATIONS);
			goto fail;
		}
		if (v == NMIGRATIONS) {
			store_tx_rollback(s);
			return 0;
		}
		char *bump = xasprintf("PRAGMA user_version = %lld", v + 1);
		int rc = sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(s->db, bump, NULL, NULL, NULL);
		free(bump);
		if (rc != SQLITE_OK) {
			err_set(err, "cannot migrate store '%s' to version %lld: %s", s->path,
				v + 1, sqlite3_errmsg(s->db));
			goto fail;
		}
		if (store_tx_commit(s, err) < 0)
			goto fail;
	}
fail:
	store_tx_rollback(s);
	return -1;
}

static char *default_path(struct err *err)
{
	const char *env = getenv("SWITCHBOARD_STORE");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (env && *env)
		return xstrdup(env);
	/* The XDG spec says a relative value is to be ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/switchboard/switchboard.db", xdg);
	if (home && *home)
		return xasprintf("%s/.local/share/switchboard/switchboard.db", home);
	err_set(err, "cannot find the store: set SWITCHBOARD_STORE, XDG_DATA_HOME or HOME");
	return NULL;
}

static void key_finish_rotation(struct store *s);

struct store *store_open(const char *path, struct err *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;

	s->path = path ? xstrdup(path) : default_path(err);
	if (!s->path || store_make_parent(s->path, err) < 0)
		goto fail;
	/* Create the file ourselves so it is 0600 whatever the umask; sqlite
	 * gives the -wal and -shm files the same mode. Only when it is missing:
	 * closing any descriptor of an existing store would drop the POSIX
	 * locks another handle of this process holds on it (a worker thread's
	 * refresh opens one) and sqlite then reports disk I/O errors. */
	struct stat sb;
	if (stat(s->path, &sb) < 0) {
		int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			err_set(err, "cannot open store '%s': %s", s->path, strerror(errno));
			goto fail;
		}
		close(fd);
	}
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		err_set(err, "cannot open store '%s': %s", s->path,
			s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* secure_delete zeroes what a delete or a re-seal frees, so old sealed
	 * blobs do not outlive a key rotation in free pages. */
	if (db_exec_retry(s, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON", err) < 0)
		goto fail;
	/* Switching to WAL needs a moment of exclusive access, which a busy
	 * neighbour may deny without waiting. */
	for (int i = 0;; i++) {
		st = store_db_query(s, err, "PRAGMA journal_mode = WAL", "");
		if (!st)
			goto fail;
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);
			if (!mode || strcmp(mode, "wal") != 0)
				log_warn("store '%s' cannot use WAL mode (%s); concurrent use is "
					 "slower",
					 s->path, mode ? mode : "unknown");
			break;
		}
		if (!is_busy(rc) || i == BUSY_RETRIES) {
			err_set(err, "cannot open store '%s': %s", s->path, sqlite3_errmsg(s->db));
			goto fail;
		}
		sqlite3_finalize(st);
		st = NULL;
		busy_sleep(i);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (migrate(s, err) < 0)
		goto fail;
	key_finish_rotation(s);
	return s;
fail:
	sqlite3_finalize(st);
	store_free(s);
	return NULL;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	store_memo_release(s);
	sqlite3_finalize(s->data_version);
	sqlite3_close(s->db);
	crypto_cleanse(s->key, sizeof(s->key));
	free(s->key_path);
	free(s->path);
	free(s);
}

const char *store_path(const struct store *s)
{
	return s->path;
}

int store_schema_version(void)
{
	return NMIGRATIONS;
}

long long store_data_version(struct store *s)
{
	if (!s->data_version &&
	    sqlite3_prepare_v3(s->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
			       &s->data_version, NULL) != SQLITE_OK)
		return -1;
	long long v = -1;
	if (sqlite3_step(s->data_version) == SQLITE_ROW)
		v = sqlite3_column_int64(s->data_version, 0) + s->changes;
	sqlite3_reset(s->data_version);
	return v;
}

/* ---- sealing ---- */

/* A public fingerprint of a key, kept in meta, so a process with another key
 * (a wrong SWITCHBOARD_KEY, or one that missed a rotation) cannot seal new
 * secrets the others could not open. */
static char *key_check(const unsigned char key[CRYPTO_KEY_LEN])
{
	unsigned char mac[32];
	crypto_hmac_sha256(key, CRYPTO_KEY_LEN, KEY_CHECK_MSG, strlen(KEY_CHECK_MSG), mac);
	return crypto_hex(mac, sizeof(mac));
}

/* Inside a write transaction: check our key against the store's, recording
 * it when the store has none yet. A key file rotated by another process is
 * picked up here. */
static int key_verify(struct store *s, struct err *err)
{
	char *mine = key_check(s->key), *theirs = NULL;
	int ret = -1;
	sqlite3_stmt *st =
		store_db_query(s, err, "SELECT value FROM meta WHERE name = 'key_check'", "");

	if (!st)
		goto done;
	int rc = store_db_row(s, st, err);
	if (rc < 0)
		goto done;
	if (rc == 0) {
		if (store_db_exec(s, err, "INSERT INTO meta (name, value) VALUES ('key_check', ?)",
				  "t", mine) == 1)
			ret = 0;
		goto done;
	}
	theirs = store_db_text(st, 0);
	if (theirs && strcmp(mine, theirs) != 0 && store_reload_key(s)) {
		free(mine);
		mine = key_check(s->key);
	}
	if (!theirs || strcmp(mine, theirs) != 0) {
		if (s->key_from_env)
			err_set(err, "SWITCHBOARD_KEY is not the key store '%s' is sealed with",
				s->path);
		else
			err_set(err,
				"key file '%s' does not hold the key store '%s' is sealed with "
				"(was the key rotated? restart switchboard)",
				s->key_path, s->path);
		goto done;
	}
	ret = 0;
done:
	sqlite3_finalize(st);
	free(mine);
	free(theirs);
	return ret;
}

/* Seal plain for aad; only inside a write transaction. */
int store_seal(struct store *s, const char *plain, const char *aad, unsigned char **blob,
	       size_t *blob_len, struct err *err)
{
	if (store_load_key(s, 1, err) < 0 || key_verify(s, err) < 0)
		return -1;
	return crypto_seal(s->key, plain, strlen(plain), aad, blob, blob_len, err);
}

/* Open a blob; a new string (free_secret) or NULL. The caller words the
 * error, so that it names what could not be opened. */
char *store_unseal(struct store *s, const void *blob, size_t blob_len, const char *aad,
		   struct err *err)
{
	char *plain = NULL;
	if (store_load_key(s, 0, err) < 0)
		return NULL;
	/* A failure may just mean another process rotated the key file. */
	if (crypto_open(s->key, blob, blob_len, aad, &plain, NULL, NULL) < 0 &&
	    (!store_reload_key(s) ||
	     crypto_open(s->key, blob, blob_len, aad, &plain, NULL, NULL) < 0))
		return NULL;
	return plain;
}

int store_derive_key(struct store *s, const char *purpose, unsigned char out[CRYPTO_KEY_LEN],
		     struct err *err)
{
	if (store_load_key(s, 0, err) < 0)
		return -1;
	crypto_hmac_sha256(s->key, sizeof(s->key), purpose, strlen(purpose), out);
	return 0;
}

char *store_conn_aad(const char *connector, long long id)
{
	return xasprintf("%s/%lld", connector, id);
}

char *store_app_aad(const char *connector)
{
	return xasprintf("oauth_app:%s", connector);
}

/* ---- key rotation ---- */

/* A rotation killed between its commit and the rename of "<key>.new" over
 * the key file leaves the store sealed with key.new while the key file
 * holds the old key, and every secret fails to open. When the key file's
 * fingerprint is not the store's and key.new's is, finish the rename. A
 * key.new that does not open the store (a rotation that never committed, or
 * one under way) is left alone. */
static void key_finish_rotation(struct store *s)
{
	const char *env = getenv("SWITCHBOARD_KEY");
	unsigned char key[CRYPTO_KEY_LEN];
	char *path = NULL, *new_path = NULL, *want = NULL, *have = NULL;
	struct stat st;
	sqlite3_stmt *q = NULL;

	if ((env && *env) || !(path = store_key_file_path(NULL)))
		return;
	new_path = xasprintf("%s.new", path);
	if (lstat(new_path, &st) < 0)
		goto done;
	q = store_db_query(s, NULL, "SELECT value FROM meta WHERE name = 'key_check'", "");
	if (!q || store_db_row(s, q, NULL) != 1 || !(want = store_db_text(q, 0)))
		goto done;
	if (store_key_read_file(path, key, NULL) == 1 && strcmp(have = key_check(key), want) == 0)
		goto done;
	free(have);
	have = NULL;
	if (store_key_read_file(new_path, key, NULL) != 1 ||
	    strcmp(have = key_check(key), want) != 0)
		goto done;
	if (rename(new_path, path) == 0)
		log_warn("finished an interrupted key rotation: the store is sealed with '%s', "
			 "now moved over '%s'",
			 new_path, path);
	else
		log_error("the store is sealed with the key in '%s' (a key rotation was "
			  "interrupted), but it cannot be moved over '%s': %s; do it by hand",
			  new_path, path, strerror(errno));
done:
	crypto_cleanse(key, sizeof(key));
	sqlite3_finalize(q);
	free(have);
	free(want);
	free(new_path);
	free(path);
}

/* The sealed columns, each walked in key order one row at a time, so no
 * cursor is open while its table changes. */
static const struct sealed_column {
	const char *next;   /* the row after ?1 (NULL = first): key, connector, id, blob, label */
	const char *update; /* ?1 blob, ?2 key */
	int is_app;
} sealed_columns[] = {
	{"SELECT id, connector, id, secrets, 'connection ''' || connector || '/' || name || '''' "
	 "FROM connections WHERE secrets IS NOT NULL AND (?1 IS NULL OR id > ?1) "
	 "ORDER BY id LIMIT 1",
	 "UPDATE connections SET secrets = ? WHERE id = ?", 0},
	{"SELECT connector, connector, 0, client_secret, 'the oauth app of ''' || connector || "
	 "'''' "
	 "FROM oauth_apps WHERE client_secret IS NOT NULL AND (?1 IS NULL OR connector > ?1) "
	 "ORDER BY connector LIMIT 1",
	 "UPDATE oauth_apps SET client_secret = ? WHERE connector = ?", 1},
};

/* Re-seal one column under new_key; inside the rotation's transaction. */
static int reseal_column(struct store *s, const struct sealed_column *col,
			 const unsigned char new_key[CRYPTO_KEY_LEN], struct err *err)
{
	sqlite3_value *cursor = NULL;
	int ret = -1, rc;

	for (;;) {
		char *aad = NULL, *plain = NULL;
		unsigned char *blob = NULL;
		size_t blob_len = 0;
		sqlite3_stmt *st = store_db_query(s, err, col->next, "v", cursor);
		if (!st || (rc = store_db_row(s, st, err)) < 0) {
			sqlite3_finalize(st);
			goto done;
		}
		if (rc == 0) {
			sqlite3_finalize(st);
			break;
		}
		const char *connector = (const char *)sqlite3_column_text(st, 1);
		aad = col->is_app ? store_app_aad(connector)
				  : store_conn_aad(connector, sqlite3_column_int64(st, 2));
		plain = store_unseal(s, sqlite3_column_blob(st, 3),
				     (size_t)sqlite3_column_bytes(st, 3), aad, err);
		if (!plain)
			err_set(err,
				"cannot rotate the key: the secrets of %s do not open (wrong key "
				"or tampered data); nothing was changed",
				sqlite3_column_text(st, 4));
		sqlite3_value_free(cursor);
		cursor = sqlite3_value_dup(sqlite3_column_value(st, 0));
		if (plain && cursor &&
		    crypto_seal(new_key, plain, strlen(plain), aad, &blob, &blob_len, err) == 0)
			rc = store_db_exec(s, err, col->update, "bv", blob, blob_len, cursor);
		else
			rc = -1;
		sqlite3_finalize(st);
		free_secret(plain);
		free(blob);
		free(aad);
		if (rc < 0)
			goto done;
	}
	ret = 0;
done:
	sqlite3_value_free(cursor);
	return ret;
}

int store_rotate_key(struct store *s, char **new_key_b64, struct err *err)
{
	unsigned char new_key[CRYPTO_KEY_LEN], check_key[CRYPTO_KEY_LEN];
	char *b64 = NULL, *check = NULL, *new_path = NULL;
	int ret = -1, in_tx = 0;
	struct stat st;

	if (new_key_b64)
		*new_key_b64 = NULL;
	if (store_load_key(s, 1, err) < 0)
		goto done;
	if (s->key_from_env && !new_key_b64) {
		err_set(err, "the key comes from SWITCHBOARD_KEY; cannot rotate it without "
			     "showing the new one");
		goto done;
	}
	if (!s->key_from_env) {
		new_path = xasprintf("%s.new", s->key_path);
		/* A leftover is the only copy of a key if a rotation died after
		 * its commit: never overwrite it. */
		if (lstat(new_path, &st) == 0) {
			err_set(err,
				"'%s' is left from an interrupted key rotation: if secrets do "
				"not open, it holds the key (move it over '%s'), else remove it",
				new_path, s->key_path);
			goto done;
		}
	}
	if (crypto_random(new_key, sizeof(new_key), err) < 0 || store_tx_begin(s, err) < 0)
		goto done;
	in_tx = 1;
	if (key_verify(s, err) < 0)
		goto done;
	for (size_t i = 0; i < sizeof(sealed_columns) / sizeof(sealed_columns[0]); i++)
		if (reseal_column(s, &sealed_columns[i], new_key, err) < 0)
			goto done;
	check = key_check(new_key);
	if (store_db_exec(s, err, "UPDATE meta SET value = ? WHERE name = 'key_check'", "t",
			  check) < 0)
		goto done;
	b64 = crypto_base64(new_key, sizeof(new_key), 0);
	/* The new key is on disk before the data that needs it is committed. */
	if (new_path && store_key_write_file(new_path, b64, err) < 0)
		goto done;
	if (store_tx_commit(s, err) < 0) {
		if (new_path)
			unlink(new_path);
		goto done;
	}
	in_tx = 0;
	fault_point("key_rotate_after_commit"); /* the crash test of key_finish_rotation */
	memcpy(s->key, new_key, sizeof(new_key));
	/* A process that opened the store just now may have finished the
	 * rename for us (key_finish_rotation). */
	if (new_path && rename(new_path, s->key_path) < 0 &&
	    !(errno == ENOENT && store_key_read_file(s->key_path, check_key, NULL) == 1 &&
	      crypto_memeq(check_key, new_key, sizeof(new_key)))) {
		err_set(err, "key rotated, but cannot move '%s' over '%s': %s; do it by hand",
			new_path, s->key_path, strerror(errno));
		goto done;
	}
	/* Best effort: push the old blobs out of the WAL as well. */
	sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	if (s->key_from_env) {
		*new_key_b64 = b64;
		b64 = NULL;
	}
	ret = 0;
done:
	if (in_tx)
		store_tx_rollback(s);
	crypto_cleanse(new_key, sizeof(new_key));
	crypto_cleanse(check_key, sizeof(check_key));
	free_secret(b64);
	free(check);
	free(new_path);
	return ret;
}
