/* store_conn.c - connections and OAuth client apps: the rows that carry
 * sealed secrets. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "store_int.h"

#define MAX_ID_LEN 64
#define DIGITS "0123456789"
#define SLUG_CHARS "abcdefghijklmnopqrstuvwxyz" DIGITS "_-"
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ" SLUG_CHARS "."

#define CONN_COLS                                                                                  \
	"id, connector, name, auth, config, secrets, is_default, status, last_error, created_at, " \
	"updated_at, last_used_at, expires_at, owner"
#define MAX_PRINCIPAL_LEN 256

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
	free(c->owner);
	json_decref(c->grants);
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
int store_check_connector(const char *connector, struct err *err)
{
	size_t n = connector ? strlen(connector) : 0;
	if (n == 0 || n > MAX_ID_LEN || connector[strspn(connector, SLUG_CHARS)])
		return err_set(err, "invalid connector '%s': use a-z, 0-9, '_' or '-'",
			       connector ? connector : "");
	return 0;
}

int store_check_principal(const char *name, const char *what, struct err *err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > MAX_PRINCIPAL_LEN)
		return err_set(err, "invalid %s: give 1 to %d characters", what, MAX_PRINCIPAL_LEN);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return err_set(err, "invalid %s: no control characters", what);
	return 0;
}

/* The groups connection id is granted to: a new array. */
static json_t *load_grants(struct store *s, long long id, struct err *err)
{
	json_t *grants = json_array();
	struct store_stmt *st = store_db_query(
		s, err,
		"SELECT group_name FROM connection_grants WHERE connection_id = ? ORDER BY "
		"group_name",
		"i", id);
	int rc = st ? 0 : -1;
	while (st && (rc = store_db_row(st, err)) == 1)
		json_array_append_new(grants, json_string(store_db_col_text(st, 0)));
	store_db_finalize(st);
	if (rc < 0) {
		json_decref(grants);
		return NULL;
	}
	return grants;
}

/* A connection name: [A-Za-z0-9._-], 1 to 64 characters, not only digits
 * (digits alone mean an id). */
static int check_name(const char *name, struct err *err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > MAX_ID_LEN || name[strspn(name, NAME_CHARS)] ||
	    name[strspn(name, DIGITS)] == '\0')
		return err_set(err,
			       "invalid connection name '%s': use letters, digits, '.', '_' or "
			       "'-' (at most 64, not only digits)",
			       name ? name : "");
	return 0;
}

static int check_json(const struct connection *c, struct err *err)
{
	const char *what = NULL;

	if (c->config && !json_is_object(c->config))
		what = "config";
	else if (c->secrets && !json_is_object(c->secrets))
		what = "secrets";
	else
		return 0;
	if (c->connector && c->name)
		return err_set(err, "%s of connection '%s/%s' must be an object", what,
			       c->connector, c->name);
	return err_set(err, "%s of connection %lld must be an object", what, c->id);
}

/* c's config as JSON text (a new string), or NULL with err. */
static char *dump_config(const struct connection *c, struct err *err)
{
	char *text =
		c->config ? json_dumps(c->config, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");
	if (!text)
		err_set(err, "cannot serialise the config of connection %lld", c->id);
	return text;
}

/* Serialise and seal c's secrets, bound to connector/id. */
static int seal_secrets(struct store *s, const char *connector, long long id, json_t *secrets,
			unsigned char **blob, size_t *blob_len, struct err *err)
{
	char *aad = store_conn_aad(connector, id);
	char *text = json_dumps(secrets, JSON_COMPACT);
	int ret = text ? store_seal(s, text, aad, blob, blob_len, err)
		       : err_set(err, "cannot serialise the secrets of connection '%s/%lld'",
				 connector, id);
	free_secret(text);
	free(aad);
	return ret;
}

/* A connection from a row of CONN_COLS. */
static struct connection *conn_from_row(struct store *s, struct store_stmt *st, int with_secrets,
					struct err *err)
{
	struct connection *c = xcalloc(1, sizeof(*c));
	const char *config = store_db_col_text(st, 4);

	c->id = store_db_col_int(st, 0);
	c->connector = store_db_text(st, 1);
	c->name = store_db_text(st, 2);
	c->auth = store_db_text(st, 3);
	c->is_default = store_db_col_int(st, 6) != 0;
	c->status = store_db_text(st, 7);
	c->last_error = store_db_text(st, 8);
	c->created_at = store_db_col_int(st, 9);
	c->updated_at = store_db_col_int(st, 10);
	c->last_used_at = store_db_col_int(st, 11);
	c->expires_at = store_db_col_int(st, 12);
	c->owner = store_db_text(st, 13);
	if (!c->connector || !c->name || !c->auth || !c->status) {
		err_set(err, "cannot read store '%s': incomplete connection row %lld", s->label,
			c->id);
		goto fail;
	}
	c->config = config ? json_loads(config, 0, NULL) : NULL;
	if (!json_is_object(c->config)) {
		err_set(err, "connection '%s/%s' has a broken config in store '%s'", c->connector,
			c->name, s->label);
		goto fail;
	}
	if (!(c->grants = load_grants(s, c->id, err)))
		goto fail;
	if (!with_secrets)
		return c;
	size_t sealed_len = 0;
	const void *sealed = store_db_col_blob(st, 5, &sealed_len);
	if (!sealed) {
		c->secrets = json_object();
		return c;
	}
	char *aad = store_conn_aad(c->connector, c->id);
	char *plain = store_unseal(s, sealed, sealed_len, aad, err);
	free(aad);
	c->secrets = plain ? json_loads(plain, 0, NULL) : NULL;
	free_secret(plain);
	if (!json_is_object(c->secrets)) {
		err_set(err,
			"cannot open secrets of connection '%s/%s': wrong key or tampered data",
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
	struct store_stmt *st = store_db_query(
		s, err, "SELECT " CONN_COLS " FROM connections WHERE id = ?", "i", id);
	if (!st)
		return NULL;
	int rc = store_db_row(st, err);
	if (rc == 1)
		c = conn_from_row(s, st, with_secrets, err);
	else if (rc == 0)
		err_set(err, "no connection with id %lld", id);
	store_db_finalize(st);
	return c;
}

/* The connector of connection id (new string), or NULL with err. */
static char *conn_connector(struct store *s, long long id, struct err *err)
{
	char *connector = NULL;
	struct store_stmt *st =
		store_db_query(s, err, "SELECT connector FROM connections WHERE id = ?", "i", id);
	if (!st)
		return NULL;
	int rc = store_db_row(st, err);
	if (rc == 1)
		connector = store_db_text(st, 0);
	else if (rc == 0)
		err_set(err, "no connection with id %lld", id);
	store_db_finalize(st);
	return connector;
}

int store_add_connection(struct store *s, struct connection *c, struct err *err)
{
	int ret = -1, in_tx = 0, found, has_default, rc;
	char *config = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	long long now = now_s(), id, one;
	const char *auth = c->auth ? c->auth : "none", *status = c->status ? c->status : "ok";

	if (store_check_connector(c->connector, err) < 0 || check_name(c->name, err) < 0 ||
	    check_json(c, err) < 0 ||
	    (c->owner && store_check_principal(c->owner, "owner", err) < 0))
		goto done;
	if (!(config = dump_config(c, err)) || store_tx_begin(s, err) < 0)
		goto done;
	in_tx = 1;
	found = store_db_int(s, err, &one,
			     "SELECT 1 FROM connections WHERE connector = ? AND name = ?", "tt",
			     c->connector, c->name);
	if (found == 1)
		err_set(err, "connection '%s/%s' already exists", c->connector, c->name);
	if (found != 0)
		goto done;
	has_default = store_db_int(
		s, err, &one, "SELECT 1 FROM connections WHERE connector = ? AND is_default = 1",
		"t", c->connector);
	if (has_default < 0)
		goto done;
	rc = store_db_int(s, err, &id,
			  "INSERT INTO connections (connector, name, auth, config, is_default, "
			  "status, last_error, created_at, updated_at, expires_at, owner) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  "ttttittiiit", c->connector, c->name, auth, config,
			  (long long)!has_default, status, c->last_error, now, now, c->expires_at,
			  c->owner);
	if (rc == 0)
		err_set(err, "cannot add connection '%s/%s': no id", c->connector, c->name);
	if (rc != 1)
		goto done;
	/* The secrets are bound to the row id, which exists only now. */
	if (c->secrets &&
	    (seal_secrets(s, c->connector, id, c->secrets, &blob, &blob_len, err) < 0 ||
	     store_db_exec(s, err, "UPDATE connections SET secrets = ? WHERE id = ?", "bi", blob,
			   blob_len, id) < 0))
		goto done;
	if (store_tx_commit(s, err) < 0)
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
		store_tx_rollback(s);
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
	if (!(config = dump_config(c, err)) || store_tx_begin(s, err) < 0)
		goto done;
	/* The aad comes from the row, not from c, which may be stale. */
	if (!(connector = conn_connector(s, c->id, err)) ||
	    store_db_exec(
		    s, err,
		    "UPDATE connections SET auth = coalesce(?, auth), config = ?, "
		    "status = coalesce(?, status), last_error = ?, expires_at = ?, updated_at = ? "
		    "WHERE id = ?",
		    "ttttiii", c->auth, config, c->status, c->last_error, c->expires_at, now_s(),
		    c->id) < 0)
		goto done;
	if (c->secrets &&
	    (seal_secrets(s, connector, c->id, c->secrets, &blob, &blob_len, err) < 0 ||
	     store_db_exec(s, err, "UPDATE connections SET secrets = ? WHERE id = ?", "bi", blob,
			   blob_len, c->id) < 0))
		goto done;
	ret = store_tx_commit(s, err);
done:
	if (ret < 0)
		store_tx_rollback(s);
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

	if (store_tx_begin(s, err) < 0)
		return -1;
	if (!(connector = conn_connector(s, id, err)) ||
	    store_db_int(s, err, &was_default, "SELECT is_default FROM connections WHERE id = ?",
			 "i", id) < 0 ||
	    store_db_exec(s, err, "DELETE FROM connections WHERE id = ?", "i", id) < 0)
		goto done;
	if (was_default && store_db_exec(s, err,
					 "UPDATE connections SET is_default = 1 WHERE id = "
					 "(SELECT min(id) FROM connections WHERE connector = ?)",
					 "t", connector) < 0)
		goto done;
	ret = store_tx_commit(s, err);
done:
	if (ret < 0)
		store_tx_rollback(s);
	free(connector);
	return ret;
}

/* Find the single id that connector (may be NULL) and name denote; 0 or -1. */
static int conn_find(struct store *s, const char *connector, const char *name, long long *id,
		     struct err *err)
{
	struct buf names;
	int n = 0, rc, ret = -1;
	struct store_stmt *st;

	buf_init(&names, 4096);
	st = store_db_query(s, err,
			    "SELECT id, connector FROM connections WHERE name = ?1 AND "
			    "(?2 IS NULL OR connector = ?2) ORDER BY connector",
			    "tt", name, connector);
	if (!st)
		goto done;
	while ((rc = store_db_row(st, err)) == 1) {
		*id = store_db_col_int(st, 0);
		buf_addf(&names, "%s%s/%s", n++ ? ", " : "", store_db_col_text(st, 1), name);
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
	store_db_finalize(st);
	buf_release(&names);
	return ret;
}

static struct connection *get_connection(struct store *s, const char *connector, const char *name,
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
	if (name[strspn(name, DIGITS)] == '\0' && parse_long(name, &num) == 0) {
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

static struct connection *get_default(struct store *s, const char *connector, int with_secrets,
				      struct err *err)
{
	long long id;
	int rc = store_db_int(s, err, &id,
			      "SELECT id FROM connections WHERE connector = ? AND is_default = 1",
			      "t", connector);
	return rc == 1 ? conn_load(s, id, with_secrets, err) : NULL;
}

/* ---- the memo: connections loaded lately ---- */

/* A copy a caller may free; secrets are deep-copied, so the memo's wipe
 * never hits a value the copy still reads (see store_secrets_free). */
static struct connection *conn_dup(const struct connection *c)
{
	struct connection *d = xcalloc(1, sizeof(*d));
	*d = *c;
	d->connector = xstrdup(c->connector);
	d->name = xstrdup(c->name);
	d->auth = c->auth ? xstrdup(c->auth) : NULL;
	d->config = c->config ? json_deep_copy(c->config) : NULL;
	d->secrets = c->secrets ? json_deep_copy(c->secrets) : NULL;
	d->status = c->status ? xstrdup(c->status) : NULL;
	d->last_error = c->last_error ? xstrdup(c->last_error) : NULL;
	d->owner = c->owner ? xstrdup(c->owner) : NULL;
	d->grants = c->grants ? json_deep_copy(c->grants) : NULL;
	return d;
}

/* What the database looks like now: other processes' commits and every
 * change of ours, autocommit writes included. -1 when unknown. */
static long long memo_version(struct store *s)
{
	return s->be->data_version(s, 1);
}

static struct conn_memo *memo_find(struct store *s, const char *key, long long version)
{
	for (size_t i = 0; version >= 0 && i < sizeof(s->memo) / sizeof(s->memo[0]); i++)
		if (s->memo[i].key && s->memo[i].version == version &&
		    strcmp(s->memo[i].key, key) == 0)
			return &s->memo[i];
	return NULL;
}

static void memo_put(struct store *s, char *key, long long version, const struct connection *c)
{
	struct conn_memo *m = &s->memo[s->memo_next++ % (sizeof(s->memo) / sizeof(s->memo[0]))];
	free(m->key);
	connection_free(m->conn);
	m->key = key;
	m->version = version;
	m->conn = c ? conn_dup(c) : NULL;
}

void store_memo_release(struct store *s)
{
	for (size_t i = 0; i < sizeof(s->memo) / sizeof(s->memo[0]); i++) {
		free(s->memo[i].key);
		connection_free(s->memo[i].conn);
		s->memo[i] = (struct conn_memo){0};
	}
}

/* get() through the memo: a hit is a copy of what was loaded when the
 * database was exactly as it is now. */
static struct connection *memo_get(struct store *s, const char *connector, const char *name,
				   int with_secrets, struct err *err)
{
	long long version = memo_version(s);
	char *key =
		xasprintf("%s\n%s\n%d", connector ? connector : "", name ? name : "", with_secrets);
	struct conn_memo *m = memo_find(s, key, version);
	if (m) {
		free(key);
		return m->conn ? conn_dup(m->conn) : NULL; /* NULL: none, no error */
	}
	struct err e;
	err_init(&e);
	/* No name: the connector's default. */
	struct connection *c = name ? get_connection(s, connector, name, with_secrets, &e)
				    : get_default(s, connector, with_secrets, &e);
	/* Loading may have written (a key check); remember under the version
	 * the database has after it, if nothing else changed meanwhile. A
	 * connector without a default is remembered too (the environment's
	 * connection is used then); failures are not. */
	if (!err_is_set(&e) && version >= 0 && memo_version(s) == version)
		memo_put(s, key, version, c);
	else
		free(key);
	if (err_is_set(&e))
		err_set(err, "%s", e.msg);
	return c;
}

struct connection *store_get_connection(struct store *s, const char *connector, const char *name,
					int with_secrets, struct err *err)
{
	if (!name || !*name) {
		err_set(err, "no connection name given");
		return NULL;
	}
	return memo_get(s, connector, name, with_secrets, err);
}

struct connection *store_get_default(struct store *s, const char *connector, int with_secrets,
				     struct err *err)
{
	return memo_get(s, connector, NULL, with_secrets, err);
}

int store_list_connections(struct store *s, const char *connector, struct connection ***out,
			   struct err *err)
{
	struct connection **list = xcalloc(1, sizeof(*list));
	size_t n = 0;
	int rc;
	struct store_stmt *st =
		store_db_query(s, err,
			       "SELECT " CONN_COLS " FROM connections WHERE ?1 IS NULL OR "
			       "connector = ?1 ORDER BY connector, name",
			       "t", connector);

	*out = NULL;
	if (!st)
		goto fail;
	while ((rc = store_db_row(st, err)) == 1) {
		struct connection *c = conn_from_row(s, st, 0, err);
		if (!c)
			goto fail;
		list = xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = c;
		list[n] = NULL;
	}
	if (rc < 0)
		goto fail;
	store_db_finalize(st);
	*out = list;
	return 0;
fail:
	store_db_finalize(st);
	connections_free(list);
	return -1;
}

int store_set_default(struct store *s, long long id, struct err *err)
{
	int ret = -1;
	char *connector = NULL;

	if (store_tx_begin(s, err) < 0)
		return -1;
	/* Two statements: the unique index on defaults is checked row by row. */
	if (!(connector = conn_connector(s, id, err)))
		goto done;
	if (store_db_exec(s, err, "UPDATE connections SET is_default = 0 WHERE connector = ?", "t",
			  connector) < 0 ||
	    store_db_exec(s, err, "UPDATE connections SET is_default = 1 WHERE id = ?", "i", id) <
		    0)
		goto done;
	ret = store_tx_commit(s, err);
done:
	if (ret < 0)
		store_tx_rollback(s);
	free(connector);
	return ret;
}

int store_rename_connection(struct store *s, long long id, const char *new_name, struct err *err)
{
	int ret = -1, found;
	char *connector = NULL;
	long long other = 0;

	if (check_name(new_name, err) < 0 || store_tx_begin(s, err) < 0)
		return -1;
	if (!(connector = conn_connector(s, id, err)))
		goto done;
	found = store_db_int(s, err, &other,
			     "SELECT id FROM connections WHERE connector = ? AND name = ?", "tt",
			     connector, new_name);
	if (found == 1 && other != id)
		err_set(err, "connection '%s/%s' already exists", connector, new_name);
	if (found < 0 || (found == 1 && other != id) ||
	    store_db_exec(s, err, "UPDATE connections SET name = ?, updated_at = ? WHERE id = ?",
			  "tii", new_name, now_s(), id) < 0)
		goto done;
	ret = store_tx_commit(s, err);
done:
	if (ret < 0)
		store_tx_rollback(s);
	free(connector);
	return ret;
}

int store_touch_connection(struct store *s, long long id)
{
	/* A plain autocommit write: the busy timeout is enough for a hint. */
	long long now = now_s();
	int n = store_db_exec(s, NULL, "UPDATE connections SET last_used_at = ? WHERE id = ?", "ii",
			      now, id);
	/* The write does not change the data version, so the memo would keep
	 * the old time and every call would touch again: tell it. */
	for (size_t i = 0; n == 1 && i < sizeof(s->memo) / sizeof(s->memo[0]); i++)
		if (s->memo[i].conn && s->memo[i].conn->id == id)
			s->memo[i].conn->last_used_at = now;
	return n == 1 ? 0 : -1;
}

int store_set_status(struct store *s, long long id, const char *status, const char *last_error,
		     struct err *err)
{
	int ret = -1, n;

	if (!status || !*status)
		return err_set(err, "no status given for connection %lld", id);
	if (store_tx_begin(s, err) < 0)
		return -1;
	n = store_db_exec(
		s, err,
		"UPDATE connections SET status = ?, last_error = ?, updated_at = ? WHERE id = ?",
		"ttii", status, last_error, now_s(), id);
	if (n == 0)
		err_set(err, "no connection with id %lld", id);
	if (n == 1)
		ret = store_tx_commit(s, err);
	if (ret < 0)
		store_tx_rollback(s);
	return ret;
}

/* Grant (grant set) or revoke a group's use of connection id. */
static int set_grant(struct store *s, long long id, const char *group, int grant, struct err *err)
{
	int ret = -1, n;
	char *connector = NULL;

	if (store_check_principal(group, "group", err) < 0 || store_tx_begin(s, err) < 0)
		return -1;
	if (!(connector = conn_connector(s, id, err)))
		goto done;
	n = grant ? store_db_exec(s, err,
				  "INSERT INTO connection_grants (connection_id, group_name) "
				  "VALUES (?, ?) ON CONFLICT DO NOTHING",
				  "it", id, group)
		  : store_db_exec(s, err,
				  "DELETE FROM connection_grants WHERE connection_id = ? AND "
				  "group_name = ?",
				  "it", id, group);
	if (n == 0 && !grant)
		err_set(err, "connection %lld is not granted to group '%s'", id, group);
	if (n < 0 || (n == 0 && !grant))
		goto done;
	ret = store_tx_commit(s, err);
done:
	if (ret < 0)
		store_tx_rollback(s);
	free(connector);
	return ret;
}

int store_grant_connection(struct store *s, long long id, const char *group, struct err *err)
{
	return set_grant(s, id, group, 1, err);
}

int store_revoke_connection(struct store *s, long long id, const char *group, struct err *err)
{
	return set_grant(s, id, group, 0, err);
}

int store_set_oauth_app(struct store *s, const struct oauth_app *app, struct err *err)
{
	int ret = -1;
	char *aad = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	long long now = now_s();

	if (store_check_connector(app->connector, err) < 0)
		return -1;
	if (!app->client_id || !*app->client_id)
		return err_set(err, "oauth app of '%s' has no client_id", app->connector);
	if (store_tx_begin(s, err) < 0)
		return -1;
	aad = store_app_aad(app->connector);
	if (app->client_secret && store_seal(s, app->client_secret, aad, &blob, &blob_len, err) < 0)
		goto done;
	if (store_db_exec(
		    s, err,
		    "INSERT INTO oauth_apps (connector, client_id, client_secret, scopes, "
		    "redirect_port, authorize_url, token_url, revoke_url, created_at, updated_at) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connector) DO UPDATE SET "
		    "client_id = excluded.client_id, client_secret = excluded.client_secret, "
		    "scopes = excluded.scopes, redirect_port = excluded.redirect_port, "
		    "authorize_url = excluded.authorize_url, token_url = excluded.token_url, "
		    "revoke_url = excluded.revoke_url, updated_at = excluded.updated_at",
		    "ttbtitttii", app->connector, app->client_id, blob, blob_len, app->scopes,
		    (long long)app->redirect_port, app->authorize_url, app->token_url,
		    app->revoke_url, now, now) < 0)
		goto done;
	ret = store_tx_commit(s, err);
done:
	if (ret < 0)
		store_tx_rollback(s);
	free(blob);
	free(aad);
	return ret;
}

struct oauth_app *store_get_oauth_app(struct store *s, const char *connector, struct err *err)
{
	struct oauth_app *app = NULL;
	char *aad = NULL;
	struct store_stmt *st =
		store_db_query(s, err,
			       "SELECT connector, client_id, client_secret, scopes, "
			       "redirect_port, authorize_url, token_url, created_at, "
			       "updated_at, revoke_url FROM oauth_apps WHERE connector = ?",
			       "t", connector);

	if (!st || store_db_row(st, err) != 1)
		goto done;
	app = xcalloc(1, sizeof(*app));
	app->connector = store_db_text(st, 0);
	app->client_id = store_db_text(st, 1);
	app->scopes = store_db_text(st, 3);
	app->redirect_port = store_db_col_int(st, 4);
	app->authorize_url = store_db_text(st, 5);
	app->token_url = store_db_text(st, 6);
	app->created_at = store_db_col_int(st, 7);
	app->updated_at = store_db_col_int(st, 8);
	app->revoke_url = store_db_text(st, 9);
	size_t sealed_len = 0;
	const void *sealed = store_db_col_blob(st, 2, &sealed_len);
	if (sealed) {
		aad = store_app_aad(connector);
		app->client_secret = store_unseal(s, sealed, sealed_len, aad, err);
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
	store_db_finalize(st);
	free(aad);
	return app;
}

int store_remove_oauth_app(struct store *s, const char *connector, struct err *err)
{
	const char *sql = "DELETE FROM oauth_apps WHERE connector = ?";

	if (store_tx_begin(s, err) < 0)
		return -1;
	if (store_db_exec(s, err, sql, "t", connector) < 0 || store_tx_commit(s, err) < 0) {
		store_tx_rollback(s);
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
	free(app->revoke_url);
	free(app);
}
