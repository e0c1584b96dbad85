/* store.c - the sqlite store: connections with sealed secrets, OAuth apps,
 * events and locks, schema migrations, the sealing key and its rotation.
 * The only file that includes sqlite3.h. */
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

#define BUSY_TIMEOUT_MS 5000
#define BUSY_RETRIES 8
#define MAX_ID_LEN 64
#define KEY_CHECK_MSG "switchboard key check 1"

struct store {
	sqlite3 *db;
	char *path;
	unsigned char key[CRYPTO_KEY_LEN];
	int have_key;
	int key_from_env;
	char *key_path;     /* the key file, NULL when the key came from the env */
	long long changes;  /* commits through this handle, for store_data_version */
};

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
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

#define CONN_COLS                                                                                  \
	"id, connector, name, auth, config, secrets, is_default, status, last_error, created_at, " \
	"updated_at, last_used_at, expires_at"

/* ---- sqlite helpers ---- */

/* Prepare sql and bind the arguments that types describes, one letter each:
 * t text (const char *, NULL binds NULL), i integer (long long), n integer
 * with 0 bound as NULL, b blob (const void *, size_t), v (sqlite3_value *).
 * Arguments must outlive the statement: nothing is copied. */
static sqlite3_stmt *db_vquery(struct store *s, struct err *err, const char *sql,
			       const char *types, va_list ap)
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
			rc = sqlite3_bind_value(st, i, va_arg(ap, const sqlite3_value *));
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

static sqlite3_stmt *db_query(struct store *s, struct err *err, const char *sql, const char *types,
			      ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	return st;
}

/* Step a query: 1 a row, 0 no more, -1 with err. */
static int db_row(struct store *s, sqlite3_stmt *st, struct err *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return err_set(err, "cannot read store '%s': %s", s->path, sqlite3_errmsg(s->db));
}

/* Run a statement that returns no rows: the number of rows changed or -1. */
static int db_exec(struct store *s, struct err *err, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	if (!st)
		return -1;
	int ret = sqlite3_step(st) == SQLITE_DONE
			  ? sqlite3_changes(s->db)
			  : err_set(err, "cannot update store '%s': %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return ret;
}

/* The first column of the first row as an integer: 1 found (*out set), 0
 * no row, -1 with err. */
static int db_int(struct store *s, struct err *err, long long *out, const char *sql,
		  const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vquery(s, err, sql, types, ap);
	va_end(ap);
	if (!st)
		return -1;
	int ret = db_row(s, st, err);
	if (ret == 1)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return ret;
}

static char *col_text(sqlite3_stmt *st, int i)
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
static int tx_begin(struct store *s, struct err *err)
{
	return db_exec_retry(s, "BEGIN IMMEDIATE", err);
}

/* On failure the transaction stays open for tx_rollback. */
static int tx_commit(struct store *s, struct err *err)
{
	if (db_exec_retry(s, "COMMIT", err) < 0)
		return -1;
	s->changes++;
	return 0;
}

static void tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- opening ---- */

static int migrate(struct store *s, struct err *err)
{
	long long v = 0;

	for (;;) {
		if (tx_begin(s, err) < 0)
			return -1;
		/* Read inside the transaction: another process may have just
		 * migrated. */
		if (db_int(s, err, &v, "PRAGMA user_version", "") < 0)
			goto fail;
		if (v > NMIGRATIONS) {
			err_set(err,
				"store '%s' has schema version %lld, newer than this switchboard "
				"knows (%d); upgrade switchboard",
				s->path, v, NMIGRATIONS);
			goto fail;
		}
		if (v == NMIGRATIONS) {
			tx_rollback(s);
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
		if (tx_commit(s, err) < 0)
			goto fail;
	}
fail:
	tx_rollback(s);
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

/* Create the folder of path (0700) when it is missing. */
static int make_parent(const char *path, struct err *err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	int ret = mkdir_p(dir, 0700, err);
	free(dir);
	return ret;
}

struct store *store_open(const char *path, struct err *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;

	s->path = path ? xstrdup(path) : default_path(err);
	if (!s->path || make_parent(s->path, err) < 0)
		goto fail;
	/* Create the file ourselves so it is 0600 whatever the umask; sqlite
	 * gives the -wal and -shm files the same mode. */
	int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(err, "cannot open store '%s': %s", s->path, strerror(errno));
		goto fail;
	}
	close(fd);
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
		st = db_query(s, err, "PRAGMA journal_mode = WAL", "");
		if (!st)
			goto fail;
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);
			if (!mode || strcmp(mode, "wal") != 0)
				log_warn("store '%s' cannot use WAL mode (%s); concurrent use is slower",
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
	long long v = 0;
	if (db_int(s, NULL, &v, "PRAGMA data_version", "") != 1)
		return -1;
	return v + s->changes;
}

/* ---- the sealing key ---- */

/* Decode a base64 key, ignoring surrounding white space; 0 or -1. */
static int key_decode(const char *text, unsigned char key[CRYPTO_KEY_LEN])
{
	size_t n = 0, len;
	int ret = -1;

	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	for (len = strlen(text); len > 0 && strchr(" \t\r\n", text[len - 1]); len--)
		;
	char *trimmed = xstrndup(text, len);
	unsigned char *raw = crypto_unbase64(trimmed, &n);
	if (raw && n == CRYPTO_KEY_LEN) {
		memcpy(key, raw, CRYPTO_KEY_LEN);
		ret = 0;
	}
	if (raw)
		crypto_cleanse(raw, n);
	free(raw);
	free_secret(trimmed);
	return ret;
}

static char *key_file_path(struct err *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/switchboard/key", xdg);
	if (home && *home)
		return xasprintf("%s/.config/switchboard/key", home);
	err_set(err, "cannot find the key file: set SWITCHBOARD_KEY, XDG_CONFIG_HOME or HOME");
	return NULL;
}

/* Read the key file: 1 read, 0 missing, -1 with err. */
static int key_read_file(const char *path, unsigned char key[CRYPTO_KEY_LEN], struct err *err)
{
	char text[256];
	struct stat st;
	ssize_t n;
	int ret = -1, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return err_set(err, "cannot open key file '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(err, "key file '%s' is not a regular file", path);
		goto done;
	}
	if (st.st_mode & 077) {
		err_set(err, "key file '%s' is readable by others (mode %o); run: chmod 600 '%s'",
			path, (unsigned)(st.st_mode & 07777), path);
		goto done;
	}
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_set(err, "cannot read key file '%s': %s", path, strerror(errno));
		goto done;
	}
	text[n] = '\0';
	if (key_decode(text, key) < 0) {
		err_set(err, "key file '%s' does not hold a key (base64 of 32 bytes)", path);
		goto done;
	}
	ret = 1;
done:
	crypto_cleanse(text, sizeof(text));
	close(fd);
	return ret;
}

/* Write b64 to a new file at path, mode 0600, and flush it to disk. */
static int key_write_file(const char *path, const char *b64, struct err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, "cannot create key file '%s': %s", path, strerror(errno));
	size_t len = strlen(b64), off = 0;
	while (off < len) {
		ssize_t n = write(fd, b64 + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < len || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		err_set(err, "cannot write key file '%s': %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Make a new key file. It is written aside and linked into place, so a
 * racing process either wins (and we read its key) or sees a whole file. */
static int key_create_file(const char *path, unsigned char key[CRYPTO_KEY_LEN], struct err *err)
{
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid()), *b64 = NULL;
	int ret = -1;

	if (make_parent(path, err) < 0 || crypto_random(key, CRYPTO_KEY_LEN, err) < 0)
		goto done;
	b64 = crypto_base64(key, CRYPTO_KEY_LEN, 0);
	unlink(tmp);
	if (key_write_file(tmp, b64, err) < 0)
		goto done;
	if (link(tmp, path) == 0)
		ret = 0;
	else if (errno == EEXIST)
		ret = key_read_file(path, key, err) == 1 ? 0 : -1;
	else
		err_set(err, "cannot create key file '%s': %s", path, strerror(errno));
	unlink(tmp);
done:
	free_secret(b64);
	free(tmp);
	return ret;
}

/* Load the key once: from SWITCHBOARD_KEY, else the key file, created when
 * create is set (a reader must not invent a key the data was not sealed
 * with). */
static int store_load_key(struct store *s, int create, struct err *err)
{
	const char *env = getenv("SWITCHBOARD_KEY");

	if (s->have_key)
		return 0;
	if (env && *env) {
		if (key_decode(env, s->key) < 0)
			return err_set(err, "SWITCHBOARD_KEY is not a key: expected base64 of 32 "
					    "bytes (make one with: openssl rand -base64 32)");
		s->key_from_env = 1;
		s->have_key = 1;
		return 0;
	}
	if (!s->key_path && !(s->key_path = key_file_path(err)))
		return -1;
	int rc = key_read_file(s->key_path, s->key, err);
	if (rc == 0 && !create)
		return err_set(err, "key file '%s' is missing: restore it or set SWITCHBOARD_KEY",
			       s->key_path);
	if (rc == 0)
		rc = key_create_file(s->key_path, s->key, err) == 0 ? 1 : -1;
	if (rc < 0) {
		crypto_cleanse(s->key, sizeof(s->key));
		return -1;
	}
	s->have_key = 1;
	return 0;
}

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
 * it when the store has none yet. */
static int key_verify(struct store *s, struct err *err)
{
	char *mine = key_check(s->key), *theirs = NULL;
	int ret = -1;
	sqlite3_stmt *st = db_query(s, err, "SELECT value FROM meta WHERE name = 'key_check'", "");

	if (!st)
		goto done;
	int rc = db_row(s, st, err);
	if (rc < 0)
		goto done;
	if (rc == 0) {
		ret = db_exec(s, err, "INSERT INTO meta (name, value) VALUES ('key_check', ?)", "t",
			      mine) < 0 ? -1 : 0;
		goto done;
	}
	theirs = col_text(st, 0);
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
static int seal(struct store *s, const char *plain, const char *aad, unsigned char **blob,
		size_t *blob_len, struct err *err)
{
	if (store_load_key(s, 1, err) < 0 || key_verify(s, err) < 0)
		return -1;
	return crypto_seal(s->key, plain, strlen(plain), aad, blob, blob_len, err);
}

/* Open a blob; a new string (free_secret) or NULL. The caller words the
 * error, so that it names what could not be opened. */
static char *unseal(struct store *s, const void *blob, size_t blob_len, const char *aad,
		    struct err *err)
{
	char *plain = NULL;
	if (store_load_key(s, 0, err) < 0)
		return NULL;
	if (crypto_open(s->key, blob, blob_len, aad, &plain, NULL, NULL) < 0)
		return NULL;
	return plain;
}

static char *conn_aad(const char *connector, long long id)
{
	return xasprintf("%s/%lld", connector, id);
}

static char *app_aad(const char *connector)
{
	return xasprintf("oauth_app:%s", connector);
}

/* ---- connections ---- */

static void json_wipe(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	/* Wipe only what no one else still holds. */
	if (!v || v->refcount > 1)
		return;
	if (json_is_string(v)) {
		crypto_cleanse((char *)json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, x)
			json_wipe(x);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			json_wipe(x);
	}
}

void store_secrets_free(json_t *secrets)
{
	json_wipe(secrets);
	json_decref(secrets);
}

void connection_free(struct connection *c)
{
	if (!c)
		return;
	free(c->connector);
	free(c->name);
	free(c->auth);
	json_decref(c->config);
	store_secrets_free(c->secrets);
	free(c->status);
	free(c->last_error);
	free(c);
}

void connections_free(struct connection **list)
{
	if (!list)
		return;
	for (size_t i = 0; list[i]; i++)
		connection_free(list[i]);
	free(list);
}

/* A connector slug: [a-z0-9_-], 1 to 64 characters. */
static int check_connector(const char *connector, struct err *err)
{
	size_t n = connector ? strlen(connector) : 0;
	if (n == 0 || n > MAX_ID_LEN || connector[strspn(connector, "abcdefghijklmnopqrstuvwxyz"
								     "0123456789_-")])
		return err_set(err, "invalid connector '%s': use a-z, 0-9, '_' or '-'",
			       connector ? connector : "");
	return 0;
}

/* A connection name: [A-Za-z0-9._-], 1 to 64 characters, not only digits
 * (digits alone mean an id). */
static int check_name(const char *name, struct err *err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > MAX_ID_LEN ||
	    name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")] ||
	    name[strspn(name, "0123456789")] == '\0')
		return err_set(err,
			       "invalid connection name '%s': use letters, digits, '.', '_' or "
			       "'-' (at most 64, not only digits)",
			       name ? name : "");
	return 0;
}

static int check_json(const struct connection *c, struct err *err)
{
	const char *what = c->config && !json_is_object(c->config)	  ? "config"
			   : c->secrets && !json_is_object(c->secrets) ? "secrets"
								       : NULL;
	if (!what)
		return 0;
	if (c->connector && c->name)
		return err_set(err, "%s of connection '%s/%s' must be an object", what,
			       c->connector, c->name);
	return err_set(err, "%s of connection %lld must be an object", what, c->id);
}

/* c's config as JSON text (a new string), or NULL with err. */
static char *dump_config(const struct connection *c, struct err *err)
{
	char *text = c->config ? json_dumps(c->config, JSON_COMPACT | JSON_SORT_KEYS)
			       : xstrdup("{}");
	if (!text)
		err_set(err, "cannot serialise the config of connection %lld", c->id);
	return text;
}

/* Serialise and seal c's secrets, bound to connector/id. */
static int seal_secrets(struct store *s, const char *connector, long long id, json_t *secrets,
			unsigned char **blob, size_t *blob_len, struct err *err)
{
	char *aad = conn_aad(connector, id);
	char *text = json_dumps(secrets, JSON_COMPACT);
	int ret = text ? seal(s, text, aad, blob, blob_len, err)
		       : err_set(err, "cannot serialise the secrets of connection '%s/%lld'",
				 connector, id);
	free_secret(text);
	free(aad);
	return ret;
}

/* A connection from a row of CONN_COLS. */
static struct connection *conn_from_row(struct store *s, sqlite3_stmt *st, int with_secrets,
					struct err *err)
{
	struct connection *c = xcalloc(1, sizeof(*c));
	const char *config = (const char *)sqlite3_column_text(st, 4);

	c->id = sqlite3_column_int64(st, 0);
	c->connector = col_text(st, 1);
	c->name = col_text(st, 2);
	c->auth = col_text(st, 3);
	c->is_default = sqlite3_column_int(st, 6) != 0;
	c->status = col_text(st, 7);
	c->last_error = col_text(st, 8);
	c->created_at = sqlite3_column_int64(st, 9);
	c->updated_at = sqlite3_column_int64(st, 10);
	c->last_used_at = sqlite3_column_int64(st, 11);
	c->expires_at = sqlite3_column_int64(st, 12);
	if (!c->connector || !c->name || !c->auth || !c->status) {
		err_set(err, "cannot read store '%s': incomplete connection row %lld", s->path,
			c->id);
		goto fail;
	}
	c->config = config ? json_loads(config, 0, NULL) : NULL;
	if (!json_is_object(c->config)) {
		err_set(err, "connection '%s/%s' has a broken config in store '%s'", c->connector,
			c->name, s->path);
		goto fail;
	}
	if (!with_secrets)
		return c;
	if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
		c->secrets = json_object();
		return c;
	}
	char *aad = conn_aad(c->connector, c->id);
	char *plain = unseal(s, sqlite3_column_blob(st, 5), (size_t)sqlite3_column_bytes(st, 5),
			     aad, err);
	free(aad);
	c->secrets = plain ? json_loads(plain, 0, NULL) : NULL;
	free_secret(plain);
	if (!json_is_object(c->secrets)) {
		err_set(err, "cannot open secrets of connection '%s/%s': wrong key or tampered data",
			c->connector, c->name);
		goto fail;
	}
	return c;
fail:
	connection_free(c);
	return NULL;
}

/* Load one connection by id; NULL with err when missing. */
static struct connection *conn_load(struct store *s, long long id, int with_secrets,
				    struct err *err)
{
	struct connection *c = NULL;
	sqlite3_stmt *st = db_query(s, err, "SELECT " CONN_COLS " FROM connections WHERE id = ?",
				    "i", id);
	if (!st)
		return NULL;
	int rc = db_row(s, st, err);
	if (rc == 1)
		c = conn_from_row(s, st, with_secrets, err);
	else if (rc == 0)
		err_set(err, "no connection with id %lld", id);
	sqlite3_finalize(st);
	return c;
}

/* The connector of connection id (new string), or NULL with err. */
static char *conn_connector(struct store *s, long long id, struct err *err)
{
	char *connector = NULL;
	sqlite3_stmt *st = db_query(s, err, "SELECT connector FROM connections WHERE id = ?", "i", id);
	if (!st)
		return NULL;
	int rc = db_row(s, st, err);
	if (rc == 1)
		connector = col_text(st, 0);
	else if (rc == 0)
		err_set(err, "no connection with id %lld", id);
	sqlite3_finalize(st);
	return connector;
}

int store_add_connection(struct store *s, struct connection *c, struct err *err)
{
	int ret = -1, in_tx = 0, has_default;
	char *config = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	long long now = now_s(), id, one;
	const char *auth = c->auth ? c->auth : "none", *status = c->status ? c->status : "ok";

	if (check_connector(c->connector, err) < 0 || check_name(c->name, err) < 0 ||
	    check_json(c, err) < 0)
		goto done;
	if (!(config = dump_config(c, err)) || tx_begin(s, err) < 0)
		goto done;
	in_tx = 1;
	int found = db_int(s, err, &one, "SELECT 1 FROM connections WHERE connector = ? AND name = ?",
			   "tt", c->connector, c->name);
	if (found == 1)
		err_set(err, "connection '%s/%s' already exists", c->connector, c->name);
	if (found != 0)
		goto done;
	has_default = db_int(s, err, &one,
			     "SELECT 1 FROM connections WHERE connector = ? AND is_default = 1", "t",
			     c->connector);
	if (has_default < 0 ||
	    db_exec(s, err,
		    "INSERT INTO connections (connector, name, auth, config, is_default, status, "
		    "last_error, created_at, updated_at, expires_at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "ttttittiii", c->connector, c->name, auth, config, (long long)!has_default,
		    status, c->last_error, now, now, c->expires_at) < 0)
		goto done;
	/* The secrets are bound to the row id, which exists only now. */
	id = sqlite3_last_insert_rowid(s->db);
	if (c->secrets &&
	    (seal_secrets(s, c->connector, id, c->secrets, &blob, &blob_len, err) < 0 ||
	     db_exec(s, err, "UPDATE connections SET secrets = ? WHERE id = ?", "bi", blob,
		     blob_len, id) < 0))
		goto done;
	if (tx_commit(s, err) < 0)
		goto done;
	in_tx = 0;
	c->id = id;
	c->is_default = !has_default;
	c->created_at = c->updated_at = now;
	if (!c->auth)
		c->auth = xstrdup(auth);
	if (!c->status)
		c->status = xstrdup(status);
	ret = 0;
done:
	if (in_tx)
		tx_rollback(s);
	free(blob);
	free(config);
	return ret;
}

int store_update_connection(struct store *s, const struct connection *c, struct err *err)
{
	int ret = -1;
	char *connector = NULL, *config = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0;

	if (check_json(c, err) < 0)
		return -1;
	if (!(config = dump_config(c, err)) || tx_begin(s, err) < 0)
		goto done;
	/* The aad comes from the row, not from c, which may be stale. */
	if (!(connector = conn_connector(s, c->id, err)) ||
	    db_exec(s, err,
		    "UPDATE connections SET auth = coalesce(?, auth), config = ?, "
		    "status = coalesce(?, status), last_error = ?, expires_at = ?, updated_at = ? "
		    "WHERE id = ?",
		    "ttttiii", c->auth, config, c->status, c->last_error, c->expires_at, now_s(),
		    c->id) < 0)
		goto done;
	if (c->secrets &&
	    (seal_secrets(s, connector, c->id, c->secrets, &blob, &blob_len, err) < 0 ||
	     db_exec(s, err, "UPDATE connections SET secrets = ? WHERE id = ?", "bi", blob,
		     blob_len, c->id) < 0))
		goto done;
	ret = tx_commit(s, err);
done:
	if (ret < 0)
		tx_rollback(s);
	free(blob);
	free(config);
	free(connector);
	return ret;
}

int store_remove_connection(struct store *s, long long id, struct err *err)
{
	int ret = -1;
	char *connector = NULL;
	long long was_default = 0;

	if (tx_begin(s, err) < 0)
		return -1;
	if (!(connector = conn_connector(s, id, err)) ||
	    db_int(s, err, &was_default, "SELECT is_default FROM connections WHERE id = ?", "i",
		   id) < 0 ||
	    db_exec(s, err, "DELETE FROM connections WHERE id = ?", "i", id) < 0)
		goto done;
	if (was_default &&
	    db_exec(s, err,
		    "UPDATE connections SET is_default = 1 WHERE id = "
		    "(SELECT min(id) FROM connections WHERE connector = ?)",
		    "t", connector) < 0)
		goto done;
	ret = tx_commit(s, err);
done:
	if (ret < 0)
		tx_rollback(s);
	free(connector);
	return ret;
}

/* Find the single id that connector (may be NULL) and name denote; 0 or -1. */
static int conn_find(struct store *s, const char *connector, const char *name, long long *id,
		     struct err *err)
{
	struct buf names;
	int n = 0, rc, ret = -1;
	sqlite3_stmt *st;

	buf_init(&names, 4096);
	st = db_query(s, err,
		      "SELECT id, connector FROM connections WHERE name = ?1 AND "
		      "(?2 IS NULL OR connector = ?2) ORDER BY connector",
		      "tt", name, connector);
	if (!st)
		goto done;
	while ((rc = db_row(s, st, err)) == 1) {
		*id = sqlite3_column_int64(st, 0);
		buf_addf(&names, "%s%s/%s", n++ ? ", " : "", sqlite3_column_text(st, 1), name);
	}
	if (rc < 0)
		goto done;
	if (n == 0 && connector)
		err_set(err, "no connection '%s/%s'", connector, name);
	else if (n == 0)
		err_set(err, "no connection named '%s'", name);
	else if (n > 1)
		err_set(err, "connection name '%s' is ambiguous: %s; give the connector too", name,
			names.data);
	else
		ret = 0;
done:
	sqlite3_finalize(st);
	buf_release(&names);
	return ret;
}

struct connection *store_get_connection(struct store *s, const char *connector, const char *name,
					int with_secrets, struct err *err)
{
	struct connection *c = NULL;
	char *prefix = NULL;
	const char *slash = connector || !name ? NULL : strchr(name, '/');
	long long id = 0;
	long num;

	if (!name || !*name) {
		err_set(err, "no connection name given");
		return NULL;
	}
	if (slash) {
		connector = prefix = xstrndup(name, (size_t)(slash - name));
		name = slash + 1;
	}
	if (name[strspn(name, "0123456789")] == '\0' && parse_long(name, &num) == 0) {
		c = conn_load(s, num, with_secrets, err);
		if (c && connector && strcmp(c->connector, connector) != 0) {
			err_set(err, "no connection '%s/%s'", connector, name);
			connection_free(c);
			c = NULL;
		}
	} else if (conn_find(s, connector, name, &id, err) == 0) {
		c = conn_load(s, id, with_secrets, err);
	}
	free(prefix);
	return c;
}

struct connection *store_get_default(struct store *s, const char *connector, int with_secrets,
				     struct err *err)
{
	long long id;
	int rc = db_int(s, err, &id,
			"SELECT id FROM connections WHERE connector = ? AND is_default = 1", "t",
			connector);
	return rc == 1 ? conn_load(s, id, with_secrets, err) : NULL;
}

int store_list_connections(struct store *s, const char *connector, struct connection ***out,
			   struct err *err)
{
	struct connection **list = xcalloc(1, sizeof(*list));
	size_t n = 0;
	int rc;
	sqlite3_stmt *st = db_query(s, err,
				    "SELECT " CONN_COLS " FROM connections WHERE ?1 IS NULL OR "
				    "connector = ?1 ORDER BY connector, name",
				    "t", connector);

	*out = NULL;
	if (!st)
		goto fail;
	while ((rc = db_row(s, st, err)) == 1) {
		struct connection *c = conn_from_row(s, st, 0, err);
		if (!c)
			goto fail;
		list = xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = c;
		list[n] = NULL;
	}
	if (rc < 0)
		goto fail;
	sqlite3_finalize(st);
	*out = list;
	return 0;
fail:
	sqlite3_finalize(st);
	connections_free(list);
	return -1;
}

int store_set_default(struct store *s, long long id, struct err *err)
{
	int ret = -1;
	char *connector = NULL;

	if (tx_begin(s, err) < 0)
		return -1;
	/* Two statements: the unique index on defaults is checked row by row. */
	if (!(connector = conn_connector(s, id, err)) ||
	    db_exec(s, err, "UPDATE connections SET is_default = 0 WHERE connector = ?", "t",
		    connector) < 0 ||
	    db_exec(s, err, "UPDATE connections SET is_default = 1 WHERE id = ?", "i", id) < 0)
		goto done;
	ret = tx_commit(s, err);
done:
	if (ret < 0)
		tx_rollback(s);
	free(connector);
	return ret;
}

int store_rename_connection(struct store *s, long long id, const char *new_name,
			    struct err *err)
{
	int ret = -1;
	char *connector = NULL;
	long long other = 0;

	if (check_name(new_name, err) < 0 || tx_begin(s, err) < 0)
		return -1;
	if (!(connector = conn_connector(s, id, err)))
		goto done;
	int found = db_int(s, err, &other,
			   "SELECT id FROM connections WHERE connector = ? AND name = ?", "tt",
			   connector, new_name);
	if (found == 1 && other != id)
		err_set(err, "connection '%s/%s' already exists", connector, new_name);
	if (found < 0 || (found == 1 && other != id) ||
	    db_exec(s, err, "UPDATE connections SET name = ?, updated_at = ? WHERE id = ?", "tii",
		    new_name, now_s(), id) < 0)
		goto done;
	ret = tx_commit(s, err);
done:
	if (ret < 0)
		tx_rollback(s);
	free(connector);
	return ret;
}

int store_touch_connection(struct store *s, long long id)
{
	/* A plain autocommit write: the busy timeout is enough for a hint. */
	return db_exec(s, NULL, "UPDATE connections SET last_used_at = ? WHERE id = ?", "ii",
		       now_s(), id) == 1 ? 0 : -1;
}

int store_set_status(struct store *s, long long id, const char *status, const char *last_error,
		     struct err *err)
{
	int ret = -1, n;

	if (!status || !*status)
		return err_set(err, "no status given for connection %lld", id);
	if (tx_begin(s, err) < 0)
		return -1;
	n = db_exec(s, err,
		    "UPDATE connections SET status = ?, last_error = ?, updated_at = ? WHERE id = ?",
		    "ttii", status, last_error, now_s(), id);
	if (n == 0)
		err_set(err, "no connection with id %lld", id);
	if (n == 1)
		ret = tx_commit(s, err);
	if (ret < 0)
		tx_rollback(s);
	return ret;
}

/* ---- OAuth apps ---- */

int store_set_oauth_app(struct store *s, const struct oauth_app *app, struct err *err)
{
	int ret = -1;
	char *aad = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	long long now = now_s();

	if (check_connector(app->connector, err) < 0)
		return -1;
	if (!app->client_id || !*app->client_id)
		return err_set(err, "oauth app of '%s' has no client_id", app->connector);
	if (tx_begin(s, err) < 0)
		return -1;
	aad = app_aad(app->connector);
	if (app->client_secret && seal(s, app->client_secret, aad, &blob, &blob_len, err) < 0)
		goto done;
	if (db_exec(s, err,
		    "INSERT INTO oauth_apps (connector, client_id, client_secret, scopes, "
		    "redirect_port, authorize_url, token_url, created_at, updated_at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connector) DO UPDATE SET "
		    "client_id = excluded.client_id, client_secret = excluded.client_secret, "
		    "scopes = excluded.scopes, redirect_port = excluded.redirect_port, "
		    "authorize_url = excluded.authorize_url, token_url = excluded.token_url, "
		    "updated_at = excluded.updated_at",
		    "ttbtittii", app->connector, app->client_id, blob, blob_len, app->scopes,
		    (long long)app->redirect_port, app->authorize_url, app->token_url, now,
		    now) < 0)
		goto done;
	ret = tx_commit(s, err);
done:
	if (ret < 0)
		tx_rollback(s);
	free(blob);
	free(aad);
	return ret;
}

struct oauth_app *store_get_oauth_app(struct store *s, const char *connector, struct err *err)
{
	struct oauth_app *app = NULL;
	char *aad = NULL;
	sqlite3_stmt *st = db_query(s, err,
				    "SELECT connector, client_id, client_secret, scopes, "
				    "redirect_port, authorize_url, token_url, created_at, "
				    "updated_at FROM oauth_apps WHERE connector = ?",
				    "t", connector);

	if (!st || db_row(s, st, err) != 1)
		goto done;
	app = xcalloc(1, sizeof(*app));
	app->connector = col_text(st, 0);
	app->client_id = col_text(st, 1);
	app->scopes = col_text(st, 3);
	app->redirect_port = sqlite3_column_int(st, 4);
	app->authorize_url = col_text(st, 5);
	app->token_url = col_text(st, 6);
	app->created_at = sqlite3_column_int64(st, 7);
	app->updated_at = sqlite3_column_int64(st, 8);
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		aad = app_aad(connector);
		app->client_secret = unseal(s, sqlite3_column_blob(st, 2),
					    (size_t)sqlite3_column_bytes(st, 2), aad, err);
		if (!app->client_secret) {
			err_set(err,
				"cannot open the oauth client secret of '%s': wrong key or "
				"tampered data",
				connector);
			oauth_app_free(app);
			app = NULL;
		}
	}
done:
	sqlite3_finalize(st);
	free(aad);
	return app;
}

int store_remove_oauth_app(struct store *s, const char *connector, struct err *err)
{
	if (tx_begin(s, err) < 0)
		return -1;
	if (db_exec(s, err, "DELETE FROM oauth_apps WHERE connector = ?", "t", connector) < 0 ||
	    tx_commit(s, err) < 0) {
		tx_rollback(s);
		return -1;
	}
	return 0;
}

void oauth_app_free(struct oauth_app *app)
{
	if (!app)
		return;
	free(app->connector);
	free(app->client_id);
	free_secret(app->client_secret);
	free(app->scopes);
	free(app->authorize_url);
	free(app->token_url);
	free(app);
}

/* ---- key rotation ---- */

/* The sealed columns, each walked in key order one row at a time, so no
 * cursor is open while its table changes. */
static const struct sealed_column {
	const char *next;   /* the row after ?1 (NULL = first): key, connector, id, blob, label */
	const char *update; /* ?1 blob, ?2 key */
	int is_app;
} sealed_columns[] = {
	{"SELECT id, connector, id, secrets, 'connection ''' || connector || '/' || name || "
	 "''' FROM connections WHERE secrets IS NOT NULL AND "
	 "(?1 IS NULL OR id > ?1) ORDER BY id LIMIT 1",
	 "UPDATE connections SET secrets = ? WHERE id = ?", 0},
	{"SELECT connector, connector, 0, client_secret, 'the oauth app of ''' || connector || "
	 "''' FROM oauth_apps WHERE client_secret IS NOT NULL AND (?1 IS NULL OR connector > ?1) ORDER BY connector LIMIT 1",
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
		sqlite3_stmt *st = db_query(s, err, col->next, "v", cursor);
		if (!st || (rc = db_row(s, st, err)) < 0) {
			sqlite3_finalize(st);
			goto done;
		}
		if (rc == 0) {
			sqlite3_finalize(st);
			break;
		}
		const char *connector = (const char *)sqlite3_column_text(st, 1);
		aad = col->is_app ? app_aad(connector) : conn_aad(connector, sqlite3_column_int64(st, 2));
		plain = unseal(s, sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
			       aad, err);
		if (!plain)
			err_set(err,
				"cannot rotate the key: the secrets of %s do not open (wrong key "
				"or tampered data); nothing was changed",
				sqlite3_column_text(st, 4));
		sqlite3_value_free(cursor);
		cursor = sqlite3_value_dup(sqlite3_column_value(st, 0));
		if (plain && cursor &&
		    crypto_seal(new_key, plain, strlen(plain), aad, &blob, &blob_len, err) == 0)
			rc = db_exec(s, err, col->update, "bv", blob, blob_len, cursor);
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
	unsigned char new_key[CRYPTO_KEY_LEN];
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
	if (crypto_random(new_key, sizeof(new_key), err) < 0 || tx_begin(s, err) < 0)
		goto done;
	in_tx = 1;
	if (key_verify(s, err) < 0)
		goto done;
	for (size_t i = 0; i < sizeof(sealed_columns) / sizeof(sealed_columns[0]); i++)
		if (reseal_column(s, &sealed_columns[i], new_key, err) < 0)
			goto done;
	check = key_check(new_key);
	if (db_exec(s, err, "UPDATE meta SET value = ? WHERE name = 'key_check'", "t", check) < 0)
		goto done;
	b64 = crypto_base64(new_key, sizeof(new_key), 0);
	/* The new key is on disk before the data that needs it is committed. */
	if (new_path && key_write_file(new_path, b64, err) < 0)
		goto done;
	if (tx_commit(s, err) < 0) {
		if (new_path)
			unlink(new_path);
		goto done;
	}
	in_tx = 0;
	memcpy(s->key, new_key, sizeof(new_key));
	if (new_path && rename(new_path, s->key_path) < 0) {
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
		tx_rollback(s);
	crypto_cleanse(new_key, sizeof(new_key));
	free_secret(b64);
	free(check);
	free(new_path);
	return ret;
}

/* ---- events ---- */

int store_add_event(struct store *s, struct event *ev, struct err *err)
{
	int ret = -1, n = -1;
	long long at = ev->received_at ? ev->received_at : now_s();
	char *payload = json_dumps(ev->payload ? ev->payload : json_null(),
				   JSON_COMPACT | JSON_ENCODE_ANY);

	if (check_connector(ev->connector, err) < 0)
		goto done;
	if (!ev->event_type || !*ev->event_type) {
		err_set(err, "event of '%s' has no type", ev->connector);
		goto done;
	}
	if (!payload) {
		err_set(err, "cannot serialise an event of '%s'", ev->connector);
		goto done;
	}
	if (tx_begin(s, err) < 0)
		goto done;
	n = db_exec(s, err,
		    "INSERT INTO events (connector, connection_id, entity, event_type, "
		    "vendor_event_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
		    "ON CONFLICT (connector, vendor_event_id) DO NOTHING",
		    "tntttti", ev->connector, ev->connection_id, ev->entity, ev->event_type,
		    ev->vendor_event_id, payload, at);
	if (n == 1) {
		ev->id = sqlite3_last_insert_rowid(s->db);
		ev->received_at = at;
	}
	if (n < 0 || tx_commit(s, err) < 0)
		tx_rollback(s);
	else
		ret = n;
done:
	free(payload);
	return ret;
}

int store_list_events(struct store *s, const struct event_filter *f, struct event ***out,
		      struct err *err)
{
	static const struct event_filter all = {0};
	struct event **list = xcalloc(1, sizeof(*list));
	size_t n = 0;
	int rc;
	sqlite3_stmt *st;

	if (!f)
		f = &all;
	*out = NULL;
	st = db_query(s, err,
		      "SELECT id, connector, coalesce(connection_id, 0), entity, event_type, "
		      "vendor_event_id, payload, received_at FROM events WHERE "
		      "(?1 IS NULL OR connector = ?1) AND (?2 = 0 OR connection_id = ?2) AND "
		      "(?3 IS NULL OR event_type = ?3) AND received_at >= ?4 "
		      "ORDER BY id DESC LIMIT ?5",
		      "titii", f->connector, f->connection_id, f->event_type, f->since,
		      (long long)(f->limit <= 0 ? 100 : f->limit > 1000 ? 1000 : f->limit));
	if (!st)
		goto fail;
	while ((rc = db_row(s, st, err)) == 1) {
		struct event *ev = xcalloc(1, sizeof(*ev));
		const char *payload = (const char *)sqlite3_column_text(st, 6);
		ev->id = sqlite3_column_int64(st, 0);
		ev->connector = col_text(st, 1);
		ev->connection_id = sqlite3_column_int64(st, 2);
		ev->entity = col_text(st, 3);
		ev->event_type = col_text(st, 4);
		ev->vendor_event_id = col_text(st, 5);
		ev->payload = payload ? json_loads(payload, JSON_DECODE_ANY, NULL) : NULL;
		ev->received_at = sqlite3_column_int64(st, 7);
		list = xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = ev;
		list[n] = NULL;
	}
	if (rc < 0)
		goto fail;
	sqlite3_finalize(st);
	*out = list;
	return 0;
fail:
	sqlite3_finalize(st);
	events_free(list);
	return -1;
}

void event_free(struct event *ev)
{
	if (!ev)
		return;
	free(ev->connector);
	free(ev->entity);
	free(ev->event_type);
	free(ev->vendor_event_id);
	json_decref(ev->payload);
	free(ev);
}

void events_free(struct event **list)
{
	if (!list)
		return;
	for (size_t i = 0; list[i]; i++)
		event_free(list[i]);
	free(list);
}

/* ---- locks ---- */

int store_lock_acquire(struct store *s, long long id, int ttl_s, struct err *err)
{
	int ret = -1;
	long long now = now_s(), pid = (long long)getpid(), holder = 0, expires = 0;
	char *connector = NULL;
	sqlite3_stmt *st = NULL;

	if (ttl_s <= 0)
		return err_set(err, "invalid lock time %d for connection %lld", ttl_s, id);
	if (tx_begin(s, err) < 0)
		return -1;
	if (!(connector = conn_connector(s, id, err)))
		goto done;
	st = db_query(s, err, "SELECT holder_pid, expires_at FROM locks WHERE connection_id = ?",
		      "i", id);
	int rc = st ? db_row(s, st, err) : -1;
	if (rc < 0)
		goto done;
	if (rc == 1) {
		holder = sqlite3_column_int64(st, 0);
		expires = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 1 && holder != pid && expires > now) {
		ret = 0;
		goto done;
	}
	if (db_exec(s, err,
		    "INSERT INTO locks (connection_id, holder_pid, expires_at) VALUES (?, ?, ?) "
		    "ON CONFLICT (connection_id) DO UPDATE SET holder_pid = excluded.holder_pid, "
		    "expires_at = excluded.expires_at",
		    "iii", id, pid, now + ttl_s) < 0 ||
	    tx_commit(s, err) < 0)
		goto done;
	ret = 1;
done:
	if (ret != 1)
		tx_rollback(s);
	sqlite3_finalize(st);
	free(connector);
	return ret;
}

int store_lock_release(struct store *s, long long id, struct err *err)
{
	if (tx_begin(s, err) < 0)
		return -1;
	if (db_exec(s, err, "DELETE FROM locks WHERE connection_id = ? AND holder_pid = ?", "ii",
		    id, (long long)getpid()) < 0 ||
	    tx_commit(s, err) < 0) {
		tx_rollback(s);
		return -1;
	}
	return 0;
}
