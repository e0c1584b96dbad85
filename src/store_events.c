/* store_events.c - received events (deduplicated per connector) and the
 * per-connection locks that serialise OAuth refreshes across processes. */
#include "store.h"

#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_int.h"

int store_add_event(struct store *s, struct event *ev, struct err *err)
{
	int ret = -1, n = -1;
	long long at = ev->received_at ? ev->received_at : now_s();
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
	if (store_tx_begin(s, err) < 0)
		goto done;
	n = store_db_exec(s, err,
			  "INSERT INTO events (connector, connection_id, entity, event_type, "
			  "vendor_event_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
			  "ON CONFLICT (connector, vendor_event_id) DO NOTHING",
			  "tntttti", ev->connector, ev->connection_id, ev->entity, ev->event_type,
			  ev->vendor_event_id, payload, at);
	if (n == 1) {
		ev->id = sqlite3_last_insert_rowid(s->db);
		ev->received_at = at;
	}
	if (n < 0 || store_tx_commit(s, err) < 0)
		store_tx_rollback(s);
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
	long long limit;
	int rc;
	sqlite3_stmt *st;

	if (!f)
		f = &all;
	limit = f->limit <= 0 ? 100 : f->limit > 1000 ? 1000 : f->limit;
	*out = NULL;
	st = store_db_query(s, err,
			    "SELECT id, connector, coalesce(connection_id, 0), entity, event_type, "
			    "vendor_event_id, payload, received_at FROM events WHERE "
			    "(?1 IS NULL OR connector = ?1) AND (?2 = 0 OR connection_id = ?2) AND "
			    "(?3 IS NULL OR event_type = ?3) AND received_at >= ?4 "
			    "ORDER BY id DESC LIMIT ?5",
			    "titii", f->connector, f->connection_id, f->event_type, f->since,
			    limit);
	if (!st)
		goto fail;
	while ((rc = store_db_row(s, st, err)) == 1) {
		struct event *ev = xcalloc(1, sizeof(*ev));
		const char *payload = (const char *)sqlite3_column_text(st, 6);
		ev->id = sqlite3_column_int64(st, 0);
		ev->connector = store_db_text(st, 1);
		ev->connection_id = sqlite3_column_int64(st, 2);
		ev->entity = store_db_text(st, 3);
		ev->event_type = store_db_text(st, 4);
		ev->vendor_event_id = store_db_text(st, 5);
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

int store_lock_acquire(struct store *s, long long id, int ttl_s, struct err *err)
{
	int ret = -1, rc;
	long long now = now_s(), pid = (long long)getpid(), holder = 0, expires = 0;
	sqlite3_stmt *st = NULL;

	if (ttl_s <= 0)
		return err_set(err, "invalid lock time %d for connection %lld", ttl_s, id);
	if (store_tx_begin(s, err) < 0)
		return -1;
	rc = store_db_int(s, err, &holder, "SELECT 1 FROM connections WHERE id = ?", "i", id);
	if (rc == 0)
		err_set(err, "no connection with id %lld", id);
	if (rc != 1)
		goto done;
	st = store_db_query(s, err,
			    "SELECT holder_pid, expires_at FROM locks WHERE connection_id = ?", "i",
			    id);
	if (!st || (rc = store_db_row(s, st, err)) < 0)
		goto done;
	holder = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
	expires = rc == 1 ? sqlite3_column_int64(st, 1) : 0;
	if (rc == 1 && holder != pid && expires > now) {
		ret = 0;
		goto done;
	}
	if (store_db_exec(
		    s, err,
		    "INSERT INTO locks (connection_id, holder_pid, expires_at) VALUES (?, ?, ?) "
		    "ON CONFLICT (connection_id) DO UPDATE SET "
		    "holder_pid = excluded.holder_pid, expires_at = excluded.expires_at",
		    "iii", id, pid, now + ttl_s) < 0 ||
	    store_tx_commit(s, err) < 0)
		goto done;
	ret = 1;
done:
	sqlite3_finalize(st);
	if (ret != 1)
		store_tx_rollback(s);
	return ret;
}

int store_lock_release(struct store *s, long long id, struct err *err)
{
	if (store_tx_begin(s, err) < 0)
		return -1;
	if (store_db_exec(s, err, "DELETE FROM locks WHERE connection_id = ? AND holder_pid = ?",
			  "ii", id, (long long)getpid()) < 0 ||
	    store_tx_commit(s, err) < 0) {
		store_tx_rollback(s);
		return -1;
	}
	return 0;
}
