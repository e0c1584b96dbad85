/* store_audit.c - the audit log: who called which tool on which connection,
 * when, and how it went. Written outside a transaction, so recording a
 * call is one quick insert that no cached state notices. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define AUDIT_COLS                                                                                 \
	"id, at, subject, tool, connector, connection, owner, outcome, error, duration_ms, "       \
	"arguments"
#define AUDIT_PAGE 500

static int add_one(struct store *s, const struct audit_entry *a, struct err *err)
{
	if (!a->tool || !a->outcome)
		return err_set(err, "an audit entry needs a tool and an outcome");
	char *args = a->arguments ? json_dumps(a->arguments, JSON_COMPACT | JSON_SORT_KEYS)
				  : xstrdup("{}");
	if (!args)
		return err_set(err, "cannot serialise the arguments of a call to %s", a->tool);
	int n = store_db_exec(s, err,
			      "INSERT INTO audit (at, subject, tool, connector, connection, owner, "
			      "outcome, error, duration_ms, arguments) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			      "itttttttit", a->at_ms ? a->at_ms : now_wall_ms(), a->subject,
			      a->tool, a->connector, a->connection, a->owner, a->outcome, a->error,
			      a->duration_ms, args);
	free(args);
	if (n < 0)
		return -1;
	s->quiet_changes += n;
	return 0;
}

int store_add_audits(struct store *s, const struct audit_entry *a, size_t n, struct err *err)
{
	/* A plain transaction, not store_tx_begin's: no data version is bumped,
	 * so no process rebuilds its tools for an audit entry. */
	if (s->be->script(s, "BEGIN", err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (add_one(s, &a[i], err) < 0) {
			s->be->script(s, "ROLLBACK", NULL);
			return -1;
		}
	}
	if (s->be->script(s, "COMMIT", err) < 0) {
		s->be->script(s, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

int store_add_audit(struct store *s, const struct audit_entry *a, struct err *err)
{
	return store_add_audits(s, a, 1, err);
}

void store_audit_entry_release(struct audit_entry *a)
{
	free(a->subject);
	free(a->tool);
	free(a->connector);
	free(a->connection);
	free(a->owner);
	free(a->outcome);
	free(a->error);
	json_decref(a->arguments);
	*a = (struct audit_entry){0};
}

int store_audit_foreach(struct store *s, long long since_ms, const char *owner, store_audit_fn fn,
			void *ctx, struct err *err)
{
	long long after = 0;
	/* In pages by id, so a long log is never held in memory at once. */
	for (;;) {
		struct store_stmt *st = store_db_query(
			s, err,
			"SELECT " AUDIT_COLS " FROM audit WHERE id > ?1 AND at >= ?2 AND "
			"(?3 IS NULL OR subject = ?3 OR owner = ?3) ORDER BY id LIMIT ?4",
			"iiti", after, since_ms, owner, (long long)AUDIT_PAGE);
		if (!st)
			return -1;
		int rc = 0, n = 0, stop = 0;
		while (!stop && (rc = store_db_row(st, err)) == 1) {
			const char *args = store_db_col_text(st, 10);
			struct audit_entry a = {
				.id = store_db_col_int(st, 0),
				.at_ms = store_db_col_int(st, 1),
				.subject = store_db_text(st, 2),
				.tool = store_db_text(st, 3),
				.connector = store_db_text(st, 4),
				.connection = store_db_text(st, 5),
				.owner = store_db_text(st, 6),
				.outcome = store_db_text(st, 7),
				.error = store_db_text(st, 8),
				.duration_ms = store_db_col_int(st, 9),
				.arguments = args ? json_loads(args, 0, NULL) : NULL,
			};
			after = a.id;
			n++;
			stop = fn(&a, ctx) < 0;
			store_audit_entry_release(&a);
		}
		store_db_finalize(st);
		if (stop)
			return -1;
		if (rc < 0)
			return -1;
		if (n < AUDIT_PAGE)
			return 0;
	}
}

int store_prune_audit(struct store *s, long long before_ms, struct err *err)
{
	int n = store_db_exec(s, err, "DELETE FROM audit WHERE at < ?", "i", before_ms);
	if (n > 0)
		s->quiet_changes += n;
	return n;
}
