/* store_events.c - received events (deduplicated per connector) and polling
 * cursors. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Insert one event inside the caller's transaction: 1 new, 0 duplicate, -1. */
static int insert_event(struct store *s, struct event *ev, long long now, struct err *err)
{
	int n = -1;
	long long id = 0, at = ev->received_at ? ev->received_at : now;
	char *payload =
		json_dumps(ev->payload ? ev->payload : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);

	if (store_check_connector(ev->connector, err) < 0)
		goto done;
	if (!ev->event_type || !*ev->event_type) {
		err_set(err, "event of '%s' has no type", ev->connector);
		goto done;
	}
	if (!payload) {
		err_set(err, "cannot serialise an event of '%s'", ev->connector);
		goto done;
	}
	/* A duplicate returns no row. */
	n = store_db_int(s, err, &id,
			 "INSERT INTO events (connector, connection_id, entity, event_type, "
			 "vendor_event_id, payload, received_at, vendor_type) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
			 "ON CONFLICT (connector, vendor_event_id) DO NOTHING RETURNING id",
			 "tnttttit", ev->connector, ev->connection_id, ev->entity, ev->event_type,
			 ev->vendor_event_id, payload, at, ev->vendor_type);
	if (n == 1) {
		ev->id = id;
		ev->received_at = at;
	}
done:
	free(payload);
	return n;
}

/* One group inside the open transaction, under a savepoint: the number of
 * new events, or -1 with err and the group undone. */
static int add_group(struct store *s, struct event_group *g, long long now)
{
	int added = 0;

	err_init(&g->err);
	if (store_db_exec(s, &g->err, "SAVEPOINT event_group", "") < 0)
		return g->added = -1;
	for (size_t i = 0; i < g->n; i++) {
		int r = insert_event(s, g->evs[i], now, &g->err);
		if (r < 0) {
			store_db_exec(s, NULL, "ROLLBACK TO event_group", "");
			store_db_exec(s, NULL, "RELEASE event_group", "");
			added = -1;
			break;
		}
		added += r;
		if (i == 0 && g->n > 1)
			fault_point("store_events_mid_batch"); /* the crash tests */
	}
	if (added >= 0 && store_db_exec(s, &g->err, "RELEASE event_group", "") < 0)
		added = -1;
	return g->added = added;
}

/* The ids the rolled-back inserts gave mean nothing: forget them. */
static void forget_ids(struct event_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		g->evs[i]->id = 0;
}

int store_add_event_groups(struct store *s, struct event_group *g, size_t n, struct err *err)
{
	long long now = now_s();

	if (store_tx_begin(s, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (add_group(s, &g[i], now) < 0)
			forget_ids(&g[i]);
	if (store_tx_commit(s, err) < 0)
		goto fail;
	return 0;
fail:
	store_tx_rollback(s);
	for (size_t i = 0; i < n; i++) {
		g[i].added = -1;
		forget_ids(&g[i]);
	}
	return -1;
}

int store_add_events(struct store *s, struct event *const *evs, size_t n, struct err *err)
{
	struct event_group g = {.evs = evs, .n = n};

	if (store_add_event_groups(s, &g, 1, err) < 0)
		return -1;
	if (g.added < 0)
		err_set(err, "%s", g.err.msg);
	return g.added;
}

int store_add_event(struct store *s, struct event *ev, struct err *err)
{
	return store_add_events(s, &ev, 1, err);
}

int store_list_events(struct store *s, const struct event_filter *f, struct event ***out,
		      struct err *err)
{
	static const struct event_filter all = {0};
	struct event **list = xcalloc(1, sizeof(*list));
	size_t n = 0;
	long long limit;
	int rc;
	struct store_stmt *st;

	if (!f)
		f = &all;
	limit = f->limit <= 0 ? 100 : f->limit > 1000 ? 1000 : f->limit;
	*out = NULL;
#define EVENTS_WHERE                                                                               \
	"SELECT id, connector, coalesce(connection_id, 0), entity, event_type, "                   \
	"vendor_event_id, payload, received_at, vendor_type FROM events WHERE "                    \
	"(?1 IS NULL OR connector = ?1) AND (?2 = 0 OR connection_id = ?2) AND "                   \
	"(?3 IS NULL OR event_type = ?3 OR vendor_type = ?3) AND received_at >= ?4 AND "           \
	"(CASE WHEN ?7 <> 0 THEN entity IS NULL ELSE ?6 IS NULL OR entity = ?6 END) AND "          \
	"(?8 = 0 OR id < ?8) AND id > ?9 "
	/* The ids are numbers of ours, written into the text: any count of
	 * them, no bound argument per id. */
	struct buf ids;
	buf_init(&ids, 1 << 20);
	if (f->only_ids) {
		buf_adds(&ids, "AND connection_id IN (-1");
		for (size_t i = 0; i < f->n_connection_ids; i++)
			buf_addf(&ids, ", %lld", f->connection_ids[i]);
		buf_adds(&ids, ") ");
	}
	char *sql =
		xasprintf("%s%s%s", EVENTS_WHERE, ids.data ? ids.data : "",
			  f->after_id > 0 ? "ORDER BY id LIMIT ?5" : "ORDER BY id DESC LIMIT ?5");
	buf_release(&ids);
	/* Two texts rather than an ORDER BY expression, so sqlite walks the
	 * rowid in order and stops at the limit. */
	st = store_db_query(s, err, sql, "titiitiii", f->connector, f->connection_id, f->event_type,
			    f->since, limit, f->entity, (long long)(f->no_entity != 0),
			    f->before_id, f->after_id);
	free(sql);
	if (!st)
		goto fail;
	while ((rc = store_db_row(st, err)) == 1) {
		struct event *ev = xcalloc(1, sizeof(*ev));
		const char *payload = store_db_col_text(st, 6);
		ev->id = store_db_col_int(st, 0);
		ev->connector = store_db_text(st, 1);
		ev->connection_id = store_db_col_int(st, 2);
		ev->entity = store_db_text(st, 3);
		ev->event_type = store_db_text(st, 4);
		ev->vendor_event_id = store_db_text(st, 5);
		ev->payload = payload ? json_loads(payload, JSON_DECODE_ANY, NULL) : NULL;
		ev->received_at = store_db_col_int(st, 7);
		ev->vendor_type = store_db_text(st, 8);
		list = xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = ev;
		list[n] = NULL;
	}
	if (rc < 0)
		goto fail;
	store_db_finalize(st);
	*out = list;
	return 0;
fail:
	store_db_finalize(st);
	events_free(list);
	return -1;
}

int store_prune_events(struct store *s, long long before, const char *connector, struct err *err)
{
	if (store_tx_begin(s, err) < 0)
		return -1;
	int n = store_db_exec(s, err,
			      "DELETE FROM events WHERE received_at < ?1 AND "
			      "(?2 IS NULL OR connector = ?2)",
			      "it", before, connector);
	if (n < 0) {
		store_tx_rollback(s);
		return -1;
	}
	if (store_tx_commit(s, err) < 0) {
		store_tx_rollback(s);
		return -1;
	}
	return n;
}

int store_last_event_id(struct store *s, long long *out, struct err *err)
{
	*out = 0;
	return store_db_int(s, err, out, "SELECT coalesce(max(id), 0) FROM events", "") < 0 ? -1
											    : 0;
}

int store_event_groups(struct store *s, json_t **out, struct err *err)
{
	json_t *list = json_array();
	int rc;
	struct store_stmt *st = store_db_query(
		s, err,
		"SELECT connector, entity, count(*), max(id), max(received_at) FROM events "
		"GROUP BY connector, entity ORDER BY connector, entity IS NULL, entity",
		"");

	*out = NULL;
	if (!st)
		goto fail;
	while ((rc = store_db_row(st, err)) == 1) {
		const char *entity = store_db_col_text(st, 1);
		json_array_append_new(list,
				      json_pack("{s:s, s:o, s:I, s:I, s:I}", "connector",
						store_db_col_text(st, 0), "entity",
						entity ? json_string(entity) : json_null(), "count",
						(json_int_t)store_db_col_int(st, 2), "last_id",
						(json_int_t)store_db_col_int(st, 3), "last_at",
						(json_int_t)store_db_col_int(st, 4)));
	}
	if (rc < 0)
		goto fail;
	store_db_finalize(st);
	*out = list;
	return 0;
fail:
	store_db_finalize(st);
	json_decref(list);
	return -1;
}

int store_get_poll_cursor(struct store *s, long long connection_id, const char *entity, char **out,
			  struct err *err)
{
	int rc;
	struct store_stmt *st = store_db_query(
		s, err, "SELECT cursor FROM poll_cursors WHERE connection_id = ? AND entity = ?",
		"it", connection_id, entity);

	*out = NULL;
	if (!st)
		return -1;
	rc = store_db_row(st, err);
	if (rc == 1)
		*out = store_db_text(st, 0);
	store_db_finalize(st);
	return rc;
}

int store_set_poll_cursor(struct store *s, long long connection_id, const char *entity,
			  const char *cursor, struct err *err)
{
	if (store_tx_begin(s, err) < 0)
		return -1;
	if (store_db_exec(s, err,
			  "INSERT INTO poll_cursors (connection_id, entity, cursor, updated_at) "
			  "VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, entity) DO UPDATE SET "
			  "cursor = excluded.cursor, updated_at = excluded.updated_at",
			  "itti", connection_id, entity, cursor, now_s()) < 0 ||
	    store_tx_commit(s, err) < 0) {
		store_tx_rollback(s);
		return -1;
	}
	return 0;
}

void event_free(struct event *ev)
{
	if (!ev)
		return;
	free(ev->connector);
	free(ev->entity);
	free(ev->event_type);
	free(ev->vendor_event_id);
	free(ev->vendor_type);
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
