/* store_sqlite.c - the store on an sqlite file: the default engine. WAL
 * mode, BEGIN IMMEDIATE writes retried while another process writes, and
 * per-connection locks as rows naming the holder's pid. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "compat.h"
#include "log.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000
#define BUSY_RETRIES 8

/* The wal-index header: the first 96 bytes of the -shm file, two copies of
 * a 48-byte header that every commit of any process rewrites (its iChange
 * counts them; https://www.sqlite.org/walformat.html). */
#define WAL_HDR 96
#define STMT_CACHE 16 /* statements kept prepared for their SQL's next use */

struct lite {
	long long changes;          /* commits through this handle */
	sqlite3_stmt *data_version; /* PRAGMA data_version, prepared once */
	int wal;                    /* the store is in WAL mode */
	int mapped;                 /* a PRAGMA answered: the header is mapped */
	int known;                  /* hdr and version are from the last PRAGMA */
	unsigned char hdr[WAL_HDR]; /* the wal-index header read before it */
	long long version;          /* what it answered */
	/* Finished statements, reset, kept for the same SQL again (an audit
	 * entry, a connection looked up each call): parsing a statement
	 * costs more than running it. The oldest makes room. */
	sqlite3_stmt *cache[STMT_CACHE];
	unsigned cache_next;
};

#define DB(s) ((sqlite3 *)(s)->db)
#define LITE(s) ((struct lite *)(s)->priv)
#define STMT(st) ((sqlite3_stmt *)(st)->h)

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
static int exec_retry(struct store *s, const char *sql, struct err *err)
{
	for (int i = 0;; i++) {
		int rc = sqlite3_exec(DB(s), sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (!is_busy(rc) || i == BUSY_RETRIES)
			return err_set(err, "cannot write to store '%s': %s", s->label,
				       sqlite3_errmsg(DB(s)));
		busy_sleep(i);
	}
}

/* A kept statement for sql, taken out of the cache (so a query nested in
 * another with the same SQL prepares its own), or NULL. */
static sqlite3_stmt *cache_take(struct lite *l, const char *sql)
{
	for (unsigned i = 0; i < STMT_CACHE; i++) {
		sqlite3_stmt *h = l->cache[i];
		if (h && strcmp(sqlite3_sql(h), sql) == 0) {
			l->cache[i] = NULL;
			return h;
		}
	}
	return NULL;
}

static void cache_put(struct lite *l, sqlite3_stmt *h)
{
	sqlite3_reset(h);
	sqlite3_clear_bindings(h); /* they point at the caller's memory */
	for (unsigned i = 0; i < STMT_CACHE; i++) {
		if (!l->cache[i]) {
			l->cache[i] = h;
			return;
		}
	}
	unsigned i = l->cache_next++ % STMT_CACHE;
	sqlite3_finalize(l->cache[i]);
	l->cache[i] = h;
}

static int lite_query(struct store *s, struct store_stmt *st, const char *sql,
		      const struct store_arg *args, int nargs, struct err *err)
{
	sqlite3_stmt *h = cache_take(LITE(s), sql);
	int rc = h ? SQLITE_OK : sqlite3_prepare_v2(DB(s), sql, -1, &h, NULL);

	for (int i = 0; rc == SQLITE_OK && i < nargs; i++) {
		const struct store_arg *a = &args[i];
		switch (a->type) {
		case 't':
			rc = sqlite3_bind_text(h, i + 1, a->text, -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(h, i + 1, a->num);
			break;
		case 'n':
			rc = a->num ? sqlite3_bind_int64(h, i + 1, a->num)
				    : sqlite3_bind_null(h, i + 1);
			break;
		default: /* 'b' */
			rc = a->blob ? sqlite3_bind_blob64(h, i + 1, a->blob,
							   (sqlite3_uint64)a->len, SQLITE_STATIC)
				     : sqlite3_bind_null(h, i + 1);
		}
	}
	if (rc != SQLITE_OK) {
		err_set(err, "cannot query store '%s': %s", s->label, sqlite3_errmsg(DB(s)));
		sqlite3_finalize(h);
		return -1;
	}
	st->h = h;
	return 0;
}

static int lite_row(struct store_stmt *st, struct err *err)
{
	int rc = sqlite3_step(STMT(st));
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return err_set(err, "cannot read store '%s': %s", st->s->label, sqlite3_errmsg(DB(st->s)));
}

static void lite_finalize(struct store_stmt *st)
{
	if (STMT(st))
		cache_put(LITE(st->s), STMT(st));
}

static long long lite_col_int(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(STMT(st), i);
}

static const char *lite_col_text(struct store_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(STMT(st), i);
}

static const void *lite_col_blob(struct store_stmt *st, int i, size_t *len)
{
	static const unsigned char empty[1];
	if (sqlite3_column_type(STMT(st), i) == SQLITE_NULL) {
		*len = 0;
		return NULL;
	}
	const void *p = sqlite3_column_blob(STMT(st), i);
	*len = p ? (size_t)sqlite3_column_bytes(STMT(st), i) : 0;
	return p ? p : empty; /* an empty blob is not NULL */
}

static int lite_changes(struct store_stmt *st)
{
	return sqlite3_changes(DB(st->s));
}

static int lite_script(struct store *s, const char *sql, struct err *err)
{
	if (sqlite3_exec(DB(s), sql, NULL, NULL, NULL) != SQLITE_OK)
		return err_set(err, "%s", sqlite3_errmsg(DB(s)));
	return 0;
}

/* Every write goes through BEGIN IMMEDIATE: it takes the write lock up front,
 * so a transaction never fails half way because another process wrote. */
static int lite_tx_begin(struct store *s, struct err *err)
{
	return exec_retry(s, "BEGIN IMMEDIATE", err);
}

static int lite_tx_commit(struct store *s, struct err *err)
{
	if (exec_retry(s, "COMMIT", err) < 0)
		return -1;
	LITE(s)->changes++;
	return 0;
}

static void lite_tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(DB(s)))
		sqlite3_exec(DB(s), "ROLLBACK", NULL, NULL, NULL);
}

/* The wal-index header as sqlite maps it (the VFS's xShmMap of region 0,
 * already mapped by an earlier read), or NULL. */
static const volatile unsigned char *wal_header(struct store *s)
{
	sqlite3_file *f = NULL;
	volatile void *p = NULL;
	if (sqlite3_file_control(DB(s), "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
	    !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap ||
	    f->pMethods->xShmMap(f, 0, 32768, 0, &p) != SQLITE_OK)
		return NULL;
	return p;
}

/* PRAGMA data_version counts other processes' commits; ours are added.
 * Asked before every call, so in WAL mode the wal-index header is looked at
 * first: while it reads as it did just before the last PRAGMA, nothing has
 * been committed since and that answer still holds (a torn read differs,
 * and asks). That is a compare in shared memory instead of a read
 * transaction (its two fcntl locks and some 10 us). */
static long long lite_data_version(struct store *s, int own_writes)
{
	struct lite *l = LITE(s);
	unsigned char now[WAL_HDR];
	/* Mapped by the first answer's read transaction: not asked before. */
	const volatile unsigned char *h = l->wal && l->mapped ? wal_header(s) : NULL;
	long long v = -1;
	if (h) {
		for (size_t i = 0; i < WAL_HDR; i++)
			now[i] = h[i];
		atomic_thread_fence(memory_order_acquire);
		if (l->known && memcmp(now, l->hdr, WAL_HDR) == 0)
			v = l->version;
	}
	if (v < 0) {
		if (!l->data_version &&
		    sqlite3_prepare_v3(DB(s), "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
				       &l->data_version, NULL) != SQLITE_OK)
			return -1;
		if (sqlite3_step(l->data_version) == SQLITE_ROW)
			v = sqlite3_column_int64(l->data_version, 0);
		sqlite3_reset(l->data_version);
		l->known = h && v >= 0;
		if (l->known) {
			memcpy(l->hdr, now, WAL_HDR); /* read before the answer */
			l->version = v;
		}
		l->mapped |= v >= 0;
	}
	if (v < 0)
		return -1;
	v += l->changes;
	if (own_writes)
		v = v * 1000003 + sqlite3_total_changes(DB(s)) - s->quiet_changes;
	return v;
}

static int lite_get_schema(struct store *s, long long *out, struct err *err)
{
	*out = 0;
	return store_db_int(s, err, out, "PRAGMA user_version", "") < 0 ? -1 : 0;
}

static int lite_set_schema(struct store *s, long long v, struct err *err)
{
	char *sql = xasprintf("PRAGMA user_version = %lld", v);
	int ret = lite_script(s, sql, err);
	free(sql);
	return ret;
}

static void lite_compact(struct store *s)
{
	sqlite3_exec(DB(s), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}

static int lite_open(struct store *s, struct err *err)
{
	sqlite3 *db = NULL;
	struct stat sb;

	s->priv = xcalloc(1, sizeof(struct lite));
	if (store_make_parent(s->path, err) < 0)
		return -1;
	/* Create the file ourselves so it is 0600 whatever the umask; sqlite
	 * gives the -wal and -shm files the same mode. Only when it is missing:
	 * closing any descriptor of an existing store would drop the POSIX
	 * locks another handle of this process holds on it (a worker thread's
	 * refresh opens one) and sqlite then reports disk I/O errors. */
	if (stat(s->path, &sb) < 0) {
		int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return err_set(err, "cannot open store '%s': %s", s->label,
				       strerror(errno));
		close(fd);
	}
	int rc = sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	s->db = db;
	if (rc != SQLITE_OK)
		return err_set(err, "cannot open store '%s': %s", s->label,
			       db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* secure_delete zeroes what a delete or a re-seal frees, so old sealed
	 * blobs do not outlive a key rotation in free pages. */
	if (exec_retry(s, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON", err) < 0)
		return -1;
	/* Switching to WAL needs a moment of exclusive access, which a busy
	 * neighbour may deny without waiting. */
	for (int i = 0;; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
			return err_set(err, "cannot open store '%s': %s", s->label,
				       sqlite3_errmsg(db));
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);
			LITE(s)->wal = mode && strcmp(mode, "wal") == 0;
			if (!LITE(s)->wal)
				log_warn("store '%s' cannot use WAL mode (%s); concurrent use is "
					 "slower",
					 s->label, mode ? mode : "unknown");
			sqlite3_finalize(st);
			return 0;
		}
		sqlite3_finalize(st);
		if (!is_busy(rc) || i == BUSY_RETRIES)
			return err_set(err, "cannot open store '%s': %s", s->label,
				       sqlite3_errmsg(db));
		busy_sleep(i);
	}
}

static void lite_close(struct store *s)
{
	if (s->priv) {
		sqlite3_finalize(LITE(s)->data_version);
		for (unsigned i = 0; i < STMT_CACHE; i++)
			sqlite3_finalize(LITE(s)->cache[i]);
	}
	sqlite3_close(DB(s));
	free(s->priv);
	s->db = s->priv = NULL;
}

/* ---- locks: a row naming the holder ---- */

/* A holder that crashed (kill -9 mid-refresh) leaves its row behind: when it
 * ran in our pid namespace and that pid is gone, nobody holds the lock. */
static int holder_gone(long long pid, const char *holder_ns, const char *ns)
{
	return *ns && strcmp(holder_ns, ns) == 0 && pid > 0 && kill((pid_t)pid, 0) < 0 &&
	       errno == ESRCH;
}

static int lite_lock_acquire(struct store *s, long long id, int ttl_s, struct err *err)
{
	int ret = -1, rc;
	long long now = now_s(), pid = (long long)getpid(), holder = 0, expires = 0;
	struct store_stmt *st = NULL;
	char ns[64];

	compat_pid_namespace(ns);
	if (store_tx_begin(s, err) < 0)
		return -1;
	rc = store_db_int(s, err, &holder, "SELECT 1 FROM connections WHERE id = ?", "i", id);
	if (rc == 0)
		err_set(err, "no connection with id %lld", id);
	if (rc != 1)
		goto done;
	st = store_db_query(s, err,
			    "SELECT holder_pid, expires_at, holder_ns FROM locks "
			    "WHERE connection_id = ?",
			    "i", id);
	if (!st || (rc = store_db_row(st, err)) < 0)
		goto done;
	if (rc == 1) {
		holder = store_db_col_int(st, 0);
		expires = store_db_col_int(st, 1);
		const char *holder_ns = store_db_col_text(st, 2);
		int mine = holder == pid && strcmp(holder_ns ? holder_ns : "", ns) == 0;
		if (!mine && expires > now &&
		    !holder_gone(holder, holder_ns ? holder_ns : "", ns)) {
			ret = 0;
			goto done;
		}
	}
	if (store_db_exec(s, err,
			  "INSERT INTO locks (connection_id, holder_pid, expires_at, holder_ns) "
			  "VALUES (?, ?, ?, ?) ON CONFLICT (connection_id) DO UPDATE SET "
			  "holder_pid = excluded.holder_pid, expires_at = excluded.expires_at, "
			  "holder_ns = excluded.holder_ns",
			  "iiit", id, pid, now + ttl_s, ns) < 0 ||
	    store_tx_commit(s, err) < 0)
		goto done;
	ret = 1;
done:
	store_db_finalize(st);
	if (ret != 1)
		store_tx_rollback(s);
	return ret;
}

static int lite_lock_release(struct store *s, long long id, struct err *err)
{
	if (store_tx_begin(s, err) < 0)
		return -1;
	char ns[64];
	compat_pid_namespace(ns);
	if (store_db_exec(s, err,
			  "DELETE FROM locks WHERE connection_id = ? AND holder_pid = ? AND "
			  "holder_ns = ?",
			  "iit", id, (long long)getpid(), ns) < 0 ||
	    store_tx_commit(s, err) < 0) {
		store_tx_rollback(s);
		return -1;
	}
	return 0;
}

const struct store_backend store_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.query = lite_query,
	.row = lite_row,
	.finalize = lite_finalize,
	.col_int = lite_col_int,
	.col_text = lite_col_text,
	.col_blob = lite_col_blob,
	.changes = lite_changes,
	.script = lite_script,
	.tx_begin = lite_tx_begin,
	.tx_commit = lite_tx_commit,
	.tx_rollback = lite_tx_rollback,
	.data_version = lite_data_version,
	.get_schema = lite_get_schema,
	.set_schema = lite_set_schema,
	.lock_acquire = lite_lock_acquire,
	.lock_release = lite_lock_release,
	.compact = lite_compact,
	.migration = NULL,
};
