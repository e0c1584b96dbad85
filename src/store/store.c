/* store.c - the store's core: choosing the engine, schema migrations, the
 * query helpers the other store files share, sealing, and key rotation. No
 * engine's library here: see store_sqlite.c and store_pg.c. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"
#include "store_int.h"

#define KEY_CHECK_MSG "switchboard key check 1"

/* Each entry moves the schema one version up (index 0 makes version 1) and
 * runs in its own transaction. Never edit an entry that has shipped: add the
 * next one. The text is sqlite's; an engine whose dialect differs gives its
 * own text for an entry (store_backend.migration), with the same tables,
 * columns and constraints. */
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
	/* 5: single-use tokens (a confirmation's requestState) already used,
	 * kept until they expire, so every process on the store refuses a
	 * second use. */
	"CREATE TABLE used_once (token TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);",
	/* 6: tenants and the audit log. A connection may have an owner (a
	 * principal; NULL is the local user's) and be granted to groups; every
	 * tool call leaves a row in audit (times in milliseconds). */
	"ALTER TABLE connections ADD COLUMN owner TEXT;"
	"CREATE INDEX connections_owner ON connections (owner);"
	"CREATE TABLE connection_grants ("
	"  connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,"
	"  group_name TEXT NOT NULL,"
	"  PRIMARY KEY (connection_id, group_name));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  subject TEXT,"
	"  tool TEXT NOT NULL,"
	"  connector TEXT,"
	"  connection TEXT,"
	"  owner TEXT,"
	"  outcome TEXT NOT NULL,"
	"  error TEXT,"
	"  duration_ms INTEGER NOT NULL,"
	"  arguments TEXT NOT NULL);"
	"CREATE INDEX audit_at ON audit (at);",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* ---- queries ---- */

static struct store_stmt *db_vquery(struct store *s, struct err *err, const char *sql,
				    const char *types, va_list ap)
{
	struct store_arg args[16];
	int n = (int)strlen(types);

	if (n > (int)(sizeof(args) / sizeof(args[0]))) {
		err_set(err, "cannot query store '%s': too many arguments", s->label);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		struct store_arg *a = &args[i];
		*a = (struct store_arg){.type = types[i]};
		switch (types[i]) {
		case 't':
			a->text = va_arg(ap, const char *);
			break;
		case 'i':
			a->num = va_arg(ap, long long);
			break;
		case 'n':
			a->num = va_arg(ap, long long);
			break;
		case 'b':
			a->blob = va_arg(ap, const void *);
			a->len = va_arg(ap, size_t);
			break;
		default:
			err_set(err, "cannot query store '%s': bad argument type", s->label);
			return NULL;
		}
	}
	struct store_stmt *st = xcalloc(1, sizeof(*st));
	st->s = s;
	st->row = -1;
	if (s->be->query(s, st, sql, args, n, err) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

struct store_stmt *store_db_query(struct store *s, struct err *err, const char *sql,
				  const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct store_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	return st;
}

int store_db_row(struct store_stmt *st, struct err *err)
{
	return st->s->be->row(st, err);
}

void store_db_finalize(struct store_stmt *st)
{
	if (!st)
		return;
	st->s->be->finalize(st);
	free(st);
}

long long store_db_col_int(struct store_stmt *st, int i)
{
	return st->s->be->col_int(st, i);
}

const char *store_db_col_text(struct store_stmt *st, int i)
{
	return st->s->be->col_text(st, i);
}

const void *store_db_col_blob(struct store_stmt *st, int i, size_t *len)
{
	return st->s->be->col_blob(st, i, len);
}

char *store_db_text(struct store_stmt *st, int i)
{
	const char *t = store_db_col_text(st, i);
	return t ? xstrdup(t) : NULL;
}

int store_db_exec(struct store *s, struct err *err, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct store_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	if (!st)
		return -1;
	int ret = -1, rc = store_db_row(st, err);
	if (rc == 0)
		ret = s->be->changes(st);
	else if (rc == 1)
		err_set(err, "cannot update store '%s': a statement returned rows", s->label);
	store_db_finalize(st);
	return ret;
}

int store_db_int(struct store *s, struct err *err, long long *out, const char *sql,
		 const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct store_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	if (!st)
		return -1;
	int ret = store_db_row(st, err);
	if (ret == 1)
		*out = store_db_col_int(st, 0);
	store_db_finalize(st);
	return ret;
}

int store_tx_begin(struct store *s, struct err *err)
{
	return s->be->tx_begin(s, err);
}

int store_tx_commit(struct store *s, struct err *err)
{
	return s->be->tx_commit(s, err);
}

void store_tx_rollback(struct store *s)
{
	s->be->tx_rollback(s);
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
		if (s->be->get_schema(s, &v, err) < 0)
			goto fail;
		if (v > NMIGRATIONS) {
			err_set(err,
				"store '%s' has schema version %lld, newer than this switchboard "
				"knows (%d); upgrade switchboard",
				s->label, v, NMIGRATIONS);
			goto fail;
		}
		if (v == NMIGRATIONS) {
			store_tx_rollback(s);
			return 0;
		}
		const char *sql = s->be->migration ? s->be->migration((int)v) : NULL;
		struct err e;
		err_init(&e);
		if (s->be->script(s, sql ? sql : migrations[v], &e) < 0 ||
		    s->be->set_schema(s, v + 1, &e) < 0) {
			err_set(err, "cannot migrate store '%s' to version %lld: %s", s->label,
				v + 1, e.msg);
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

static int is_postgres_url(const char *path)
{
	return strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0;
}

/* path with the password of a URL ("scheme://user:password@host") masked. */
static char *redact_url(const char *path)
{
	const char *scheme = strstr(path, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (!at || !colon || colon > at)
		return xstrdup(path);
	return xasprintf("%.*s:***%s", (int)(colon - path), path, at);
}

static void key_finish_rotation(struct store *s);

struct store *store_open(const char *path, struct err *err)
{
	struct store *s = xcalloc(1, sizeof(*s));

	s->path = path ? xstrdup(path) : default_path(err);
	if (!s->path)
		goto fail;
	s->be = is_postgres_url(s->path) ? &store_pg : &store_sqlite;
	s->label = redact_url(s->path);
	if (s->be->open(s, err) < 0 || migrate(s, err) < 0)
		goto fail;
	key_finish_rotation(s);
	return s;
fail:
	store_free(s);
	return NULL;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	store_memo_release(s);
	if (s->be)
		s->be->close(s);
	crypto_cleanse(s->key, sizeof(s->key));
	free(s->key_path);
	free(s->label);
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
	return s->be->data_version(s, 0);
}

int store_notify_fd(struct store *s)
{
	return s->be->notify_fd ? s->be->notify_fd(s) : -1;
}

int store_take_notices(struct store *s)
{
	return s->be->take_notices ? s->be->take_notices(s) : 0;
}

int store_lock_acquire(struct store *s, long long id, int ttl_s, struct err *err)
{
	if (ttl_s <= 0)
		return err_set(err, "invalid lock time %d for connection %lld", ttl_s, id);
	return s->be->lock_acquire(s, id, ttl_s, err);
}

int store_lock_release(struct store *s, long long id, struct err *err)
{
	return s->be->lock_release(s, id, err);
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
	struct store_stmt *st =
		store_db_query(s, err, "SELECT value FROM meta WHERE name = 'key_check'", "");

	if (!st)
		goto done;
	int rc = store_db_row(st, err);
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
				s->label);
		else
			err_set(err,
				"key file '%s' does not hold the key store '%s' is sealed with "
				"(was the key rotated? restart switchboard)",
				s->key_path, s->label);
		goto done;
	}
	ret = 0;
done:
	store_db_finalize(st);
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

int store_use_once(struct store *s, const char *token, long long expires_at, struct err *err)
{
	int n;
	if (store_tx_begin(s, err) < 0)
		return -1;
	if (store_db_exec(s, err, "DELETE FROM used_once WHERE expires_at < ?", "i", now_s()) < 0 ||
	    (n = store_db_exec(s, err,
			       "INSERT INTO used_once (token, expires_at) VALUES (?, ?) "
			       "ON CONFLICT (token) DO NOTHING",
			       "ti", token, expires_at)) < 0 ||
	    store_tx_commit(s, err) < 0) {
		store_tx_rollback(s);
		return -1;
	}
	return n > 0;
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
	struct store_stmt *q = NULL;

	if ((env && *env) || !(path = store_key_file_path(NULL)))
		return;
	new_path = xasprintf("%s.new", path);
	if (lstat(new_path, &st) < 0)
		goto done;
	q = store_db_query(s, NULL, "SELECT value FROM meta WHERE name = 'key_check'", "");
	if (!q || store_db_row(q, NULL) != 1 || !(want = store_db_text(q, 0)))
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
	store_db_finalize(q);
	free(have);
	free(want);
	free(new_path);
	free(path);
}

/* The sealed columns, each walked in key order one row at a time, so no
 * cursor is open while its table changes. */
static const struct sealed_column {
	const char *next;   /* the row after ?1: key, connector, id, blob, label */
	const char *update; /* ?1 blob, ?2 key */
	int is_app;         /* keyed by connector (text), else by id */
} sealed_columns[] = {
	{"SELECT id, connector, id, secrets, 'connection ''' || connector || '/' || name || '''' "
	 "FROM connections WHERE secrets IS NOT NULL AND id > ?1 ORDER BY id LIMIT 1",
	 "UPDATE connections SET secrets = ? WHERE id = ?", 0},
	{"SELECT connector, connector, 0, client_secret, 'the oauth app of ''' || connector || "
	 "'''' FROM oauth_apps WHERE client_secret IS NOT NULL AND connector > ?1 "
	 "ORDER BY connector LIMIT 1",
	 "UPDATE oauth_apps SET client_secret = ? WHERE connector = ?", 1},
};

/* Re-seal one column under new_key; inside the rotation's transaction. */
static int reseal_column(struct store *s, const struct sealed_column *col,
			 const unsigned char new_key[CRYPTO_KEY_LEN], struct err *err)
{
	char *cursor_text = xstrdup("");
	long long cursor_id = 0;
	int ret = -1, rc = -1;

	for (;;) {
		char *aad = NULL, *plain = NULL;
		unsigned char *blob = NULL;
		size_t blob_len = 0, sealed_len = 0;
		struct store_stmt *st =
			col->is_app ? store_db_query(s, err, col->next, "t", cursor_text)
				    : store_db_query(s, err, col->next, "i", cursor_id);
		if (!st || (rc = store_db_row(st, err)) <= 0) {
			store_db_finalize(st);
			if (st && rc == 0)
				break;
			goto done;
		}
		const char *connector = store_db_col_text(st, 1);
		const void *sealed = store_db_col_blob(st, 3, &sealed_len);
		aad = col->is_app ? store_app_aad(connector)
				  : store_conn_aad(connector, store_db_col_int(st, 2));
		plain = store_unseal(s, sealed, sealed_len, aad, err);
		if (!plain)
			err_set(err,
				"cannot rotate the key: the secrets of %s do not open (wrong key "
				"or tampered data); nothing was changed",
				store_db_col_text(st, 4));
		free(cursor_text);
		cursor_text = store_db_text(st, 0);
		cursor_id = store_db_col_int(st, 0);
		store_db_finalize(st);
		if (plain &&
		    crypto_seal(new_key, plain, strlen(plain), aad, &blob, &blob_len, err) == 0)
			rc = col->is_app ? store_db_exec(s, err, col->update, "bt", blob, blob_len,
							 cursor_text)
					 : store_db_exec(s, err, col->update, "bi", blob, blob_len,
							 cursor_id);
		else
			rc = -1;
		free_secret(plain);
		free(blob);
		free(aad);
		if (rc < 0)
			goto done;
	}
	ret = 0;
done:
	free(cursor_text);
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
	if (s->be->compact)
		s->be->compact(s);
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
