/* test_store.c - the store against real sqlite files in a temporary folder:
 * CRUD, defaults, names, sealing (wrong key, tampering, aad binding, no
 * plaintext on disk), the key file, migrations, rotation, two processes
 * writing at once, locks, events and OAuth apps. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto.h"
#include "store.h"
#include "t.h"

#define SECRET "sk_live_Zq8rT3sEcReTvAlUe4242"

static char tmp[64];
static char key1[64], key2[64];
static int case_no;

/* A fresh store path for one test case: TMP/N/store.db. */
static char *new_path(void)
{
	return xasprintf("%s/%d/store.db", tmp, ++case_no);
}

static void make_key(char *out, size_t n)
{
	unsigned char raw[32];
	struct err err;
	err_init(&err);
	crypto_random(raw, sizeof(raw), &err);
	char *b64 = crypto_base64(raw, sizeof(raw), 0);
	snprintf(out, n, "%s", b64);
	free(b64);
}

static struct store *open_ok(const char *path)
{
	struct err err;
	err_init(&err);
	struct store *s = store_open(path, &err);
	if (!s)
		fprintf(stderr, "store_open: %s\n", err.msg);
	CHECK(s != NULL);
	return s;
}

static long long add(struct store *s, const char *connector, const char *name, const char *secret)
{
	struct err err;
	struct connection c = {0};
	err_init(&err);
	c.connector = xstrdup(connector);
	c.name = xstrdup(name);
	c.auth = xstrdup("api_key");
	c.config = json_pack("{s:s}", "label", name);
	c.secrets = secret ? json_pack("{s:s}", "api_key", secret) : NULL;
	int rc = store_add_connection(s, &c, &err);
	if (rc < 0)
		fprintf(stderr, "add %s/%s: %s\n", connector, name, err.msg);
	CHECK(rc == 0);
	long long id = c.id;
	free(c.connector);
	free(c.name);
	free(c.auth);
	free(c.status);
	json_decref(c.config);
	store_secrets_free(c.secrets);
	return id;
}

/* Run sql on the file directly, as an attacker or an old version would. */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "raw_exec: %s\n", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
}

static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static char *raw_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *v = NULL;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Flip one bit of byte off in connection id's sealed secrets. */
static void raw_flip(const char *path, long long id, int off)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *blob = NULL;
	int len = 0;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, "SELECT secrets FROM connections WHERE id = ?", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_bind_int64(st, 1, id) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		len = sqlite3_column_bytes(st, 0);
		blob = xmalloc((size_t)len + 1);
		memcpy(blob, sqlite3_column_blob(st, 0), (size_t)len);
	}
	sqlite3_finalize(st);
	CHECK(blob && off < len);
	if (blob && off < len) {
		blob[off] ^= 0x01;
		CHECK(sqlite3_prepare_v2(db, "UPDATE connections SET secrets = ? WHERE id = ?", -1,
					 &st, NULL) == SQLITE_OK);
		sqlite3_bind_blob(st, 1, blob, len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_finalize(st);
	}
	free(blob);
	sqlite3_close(db);
}

static const char *secret_of(const struct connection *c)
{
	return c ? json_string_value(json_object_get(c->secrets, "api_key")) : NULL;
}

static int file_has(const char *path, const char *needle)
{
	struct err err;
	size_t len = 0;
	err_init(&err);
	char *data = read_file(path, 64 << 20, &len, &err);
	int found = data && memmem(data, len, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

static int mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void test_open(void)
{
	struct err err;
	char *data = xasprintf("%s/xdg-data", tmp);
	setenv("XDG_DATA_HOME", data, 1);
	unsetenv("SWITCHBOARD_STORE");

	struct store *s = open_ok(NULL);
	char *want = xasprintf("%s/switchboard/switchboard.db", data);
	CHECK_STR(s ? store_path(s) : NULL, want);
	CHECK(mode_of(want) == 0600);
	char *dir = xasprintf("%s/switchboard", data);
	CHECK(mode_of(dir) == 0700);
	CHECK(raw_int(want, "PRAGMA user_version") == store_schema_version());
	char *mode = raw_text(want, "PRAGMA journal_mode");
	CHECK_STR(mode, "wal");
	free(mode);
	store_free(s);

	/* SWITCHBOARD_STORE wins over XDG_DATA_HOME. */
	char *env_path = xasprintf("%s/env/sub/x.db", tmp);
	setenv("SWITCHBOARD_STORE", env_path, 1);
	s = open_ok(NULL);
	CHECK_STR(s ? store_path(s) : NULL, env_path);
	CHECK(mode_of(env_path) == 0600);
	store_free(s);
	unsetenv("SWITCHBOARD_STORE");

	/* A store that cannot be created. */
	err_init(&err);
	CHECK(store_open("/proc/nope/store.db", &err) == NULL);
	CHECK(strstr(err.msg, "cannot create '/proc/nope'") != NULL);
	store_free(NULL);

	free(env_path);
	free(dir);
	free(want);
	free(data);
}

static void test_crud(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;
	struct connection *c;

	long long a = add(s, "stripe", "acme", SECRET);
	long long b = add(s, "stripe", "beta", "sk_beta_000000");
	long long n = add(s, "github", "me", NULL);
	CHECK(a > 0 && b > a && n > b);

	/* Duplicates and bad names. */
	struct connection dup = {.connector = (char *)"stripe", .name = (char *)"acme"};
	err_init(&err);
	CHECK(store_add_connection(s, &dup, &err) == -1);
	CHECK_STR(err.msg, "connection 'stripe/acme' already exists");
	const char *bad_names[] = {"", "a/b", "123", "has space", NULL};
	for (int i = 0; bad_names[i]; i++) {
		struct connection bad = {.connector = (char *)"stripe",
					 .name = (char *)bad_names[i]};
		err_init(&err);
		CHECK(store_add_connection(s, &bad, &err) == -1);
		CHECK(strstr(err.msg, "invalid connection name") != NULL);
	}
	struct connection badc = {.connector = (char *)"Stripe", .name = (char *)"x"};
	err_init(&err);
	CHECK(store_add_connection(s, &badc, &err) == -1);
	CHECK(strstr(err.msg, "invalid connector 'Stripe'") != NULL);
	struct connection badj = {
		.connector = (char *)"stripe", .name = (char *)"x", .secrets = json_string("x")};
	err_init(&err);
	CHECK(store_add_connection(s, &badj, &err) == -1);
	CHECK_STR(err.msg, "secrets of connection 'stripe/x' must be an object");
	json_decref(badj.secrets);

	/* Get with and without secrets, by name, by id, by CONNECTOR/NAME. */
	err_init(&err);
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK(c != NULL);
	CHECK_STR(secret_of(c), SECRET);
	CHECK(c && c->id == a && c->is_default == 1);
	CHECK_STR(c ? c->auth : NULL, "api_key");
	CHECK_STR(c ? c->status : NULL, "ok");
	CHECK(c && c->last_error == NULL && c->created_at > 0 && c->last_used_at == 0);
	CHECK_STR(c ? json_string_value(json_object_get(c->config, "label")) : NULL, "acme");
	connection_free(c);

	c = store_get_connection(s, "stripe", "beta", 0, &err);
	CHECK(c && c->secrets == NULL && c->is_default == 0);
	connection_free(c);

	char *id_text = xasprintf("%lld", b);
	c = store_get_connection(s, NULL, id_text, 1, &err);
	CHECK_STR(secret_of(c), "sk_beta_000000");
	connection_free(c);
	err_init(&err);
	CHECK(store_get_connection(s, "github", id_text, 0, &err) == NULL);
	CHECK(strstr(err.msg, "no connection 'github/") != NULL);
	free(id_text);

	err_init(&err);
	c = store_get_connection(s, NULL, "stripe/acme", 0, &err);
	CHECK(c && c->id == a);
	connection_free(c);

	/* A connection without secrets opens to an empty object. */
	c = store_get_connection(s, "github", "me", 1, &err);
	CHECK(c && json_is_object(c->secrets) && json_object_size(c->secrets) == 0);
	connection_free(c);

	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "nope", 0, &err) == NULL);
	CHECK_STR(err.msg, "no connection 'stripe/nope'");
	err_init(&err);
	CHECK(store_get_connection(s, NULL, "nope", 0, &err) == NULL);
	CHECK_STR(err.msg, "no connection named 'nope'");
	err_init(&err);
	CHECK(store_get_connection(s, NULL, "99999", 0, &err) == NULL);
	CHECK_STR(err.msg, "no connection with id 99999");

	/* List: ordered by connector, then name. */
	struct connection **list = NULL;
	CHECK(store_list_connections(s, NULL, &list, &err) == 0);
	CHECK(list && list[0] && list[1] && list[2] && !list[3]);
	if (list && list[0] && list[1] && list[2]) {
		CHECK_STR(list[0]->connector, "github");
		CHECK_STR(list[1]->name, "acme");
		CHECK_STR(list[2]->name, "beta");
		CHECK(list[1]->secrets == NULL);
	}
	connections_free(list);
	CHECK(store_list_connections(s, "stripe", &list, &err) == 0);
	CHECK(list && list[0] && list[1] && !list[2]);
	connections_free(list);
	CHECK(store_list_connections(s, "none", &list, &err) == 0);
	CHECK(list && !list[0]);
	connections_free(list);

	/* Update: config, secrets, auth kept when NULL. */
	err_init(&err);
	c = store_get_connection(s, "stripe", "acme", 0, &err);
	CHECK(c != NULL);
	if (c) {
		json_object_set_new(c->config, "label", json_string("Acme Inc"));
		c->secrets = json_pack("{s:s}", "api_key", "sk_rotated_1111");
		free(c->auth);
		c->auth = NULL;
		c->expires_at = 12345;
		CHECK(store_update_connection(s, c, &err) == 0);
		connection_free(c);
	}
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), "sk_rotated_1111");
	CHECK_STR(c ? c->auth : NULL, "api_key");
	CHECK(c && c->expires_at == 12345);
	CHECK_STR(c ? json_string_value(json_object_get(c->config, "label")) : NULL, "Acme Inc");
	/* Updating without secrets keeps them. */
	if (c) {
		store_secrets_free(c->secrets);
		c->secrets = NULL;
		CHECK(store_update_connection(s, c, &err) == 0);
	}
	connection_free(c);
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), "sk_rotated_1111");
	connection_free(c);
	struct connection ghost = {.id = 4242};
	err_init(&err);
	CHECK(store_update_connection(s, &ghost, &err) == -1);
	CHECK_STR(err.msg, "no connection with id 4242");

	/* Status, touch. */
	err_init(&err);
	CHECK(store_set_status(s, a, "needs_reconnect", "token expired", &err) == 0);
	CHECK(store_touch_connection(s, a) == 0);
	CHECK(store_touch_connection(s, 4242) == -1);
	c = store_get_connection(s, "stripe", "acme", 0, &err);
	CHECK_STR(c ? c->status : NULL, "needs_reconnect");
	CHECK_STR(c ? c->last_error : NULL, "token expired");
	CHECK(c && c->last_used_at > 0);
	connection_free(c);
	CHECK(store_set_status(s, a, "ok", NULL, &err) == 0);
	c = store_get_connection(s, "stripe", "acme", 0, &err);
	CHECK(c && c->last_error == NULL);
	connection_free(c);
	err_init(&err);
	CHECK(store_set_status(s, 4242, "ok", NULL, &err) == -1);
	CHECK_STR(err.msg, "no connection with id 4242");

	/* Remove. */
	CHECK(store_remove_connection(s, n, &err) == 0);
	err_init(&err);
	CHECK(store_remove_connection(s, n, &err) == -1);
	CHECK(store_get_connection(s, "github", "me", 0, &err) == NULL);

	store_free(s);
	free(path);
}

static void test_defaults(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;
	struct connection *c;

	err_init(&err);
	CHECK(store_get_default(s, "stripe", 0, &err) == NULL);
	CHECK(!err_is_set(&err));

	long long a = add(s, "stripe", "acme", "sk_a_00000000");
	long long b = add(s, "stripe", "beta", "sk_b_00000000");
	long long g = add(s, "github", "me", NULL);

	c = store_get_default(s, "stripe", 1, &err);
	CHECK(c && c->id == a);
	CHECK_STR(secret_of(c), "sk_a_00000000");
	connection_free(c);
	c = store_get_default(s, "github", 0, &err);
	CHECK(c && c->id == g);
	connection_free(c);

	CHECK(store_set_default(s, b, &err) == 0);
	c = store_get_default(s, "stripe", 0, &err);
	CHECK(c && c->id == b);
	connection_free(c);
	c = store_get_connection(s, "stripe", "acme", 0, &err);
	CHECK(c && c->is_default == 0);
	connection_free(c);
	CHECK(raw_int(path, "SELECT count(*) FROM connections WHERE is_default = 1") == 2);
	/* Setting it again is harmless. */
	CHECK(store_set_default(s, b, &err) == 0);
	err_init(&err);
	CHECK(store_set_default(s, 4242, &err) == -1);
	CHECK_STR(err.msg, "no connection with id 4242");

	/* Removing the default promotes the oldest remaining one. */
	long long c3 = add(s, "stripe", "gamma", NULL);
	CHECK(store_remove_connection(s, b, &err) == 0);
	c = store_get_default(s, "stripe", 0, &err);
	CHECK(c && c->id == a);
	connection_free(c);
	CHECK(store_remove_connection(s, a, &err) == 0);
	c = store_get_default(s, "stripe", 0, &err);
	CHECK(c && c->id == c3);
	connection_free(c);
	CHECK(store_remove_connection(s, c3, &err) == 0);
	err_init(&err);
	CHECK(store_get_default(s, "stripe", 0, &err) == NULL);
	CHECK(!err_is_set(&err));

	store_free(s);
	free(path);
}

static void test_ambiguity_rename(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;
	struct connection *c;

	long long st = add(s, "stripe", "acme", "sk_st_00000000");
	add(s, "shopify", "acme", "sk_sh_00000000");
	add(s, "shopify", "solo", NULL);

	err_init(&err);
	CHECK(store_get_connection(s, NULL, "acme", 0, &err) == NULL);
	CHECK_STR(err.msg, "connection name 'acme' is ambiguous: shopify/acme, stripe/acme; give "
			   "the connector too");
	err_init(&err);
	c = store_get_connection(s, NULL, "solo", 0, &err);
	CHECK(c && strcmp(c->connector, "shopify") == 0);
	connection_free(c);
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), "sk_st_00000000");
	connection_free(c);

	/* Rename keeps the secrets: they are bound to the id, not the name. */
	CHECK(store_rename_connection(s, st, "acme-eu", &err) == 0);
	err_init(&err);
	c = store_get_connection(s, NULL, "acme-eu", 1, &err);
	CHECK_STR(secret_of(c), "sk_st_00000000");
	connection_free(c);
	c = store_get_connection(s, NULL, "acme", 0, &err);
	CHECK(c && strcmp(c->connector, "shopify") == 0);
	connection_free(c);
	CHECK(store_rename_connection(s, st, "acme-eu", &err) == 0);
	err_init(&err);
	CHECK(store_rename_connection(s, st, "bad name", &err) == -1);
	CHECK(strstr(err.msg, "invalid connection name 'bad name'") != NULL);
	/* Another connector's name is free to take. */
	CHECK(store_rename_connection(s, st, "solo", &err) == 0);
	add(s, "stripe", "other", NULL);
	err_init(&err);
	CHECK(store_rename_connection(s, st, "other", &err) == -1);
	CHECK_STR(err.msg, "connection 'stripe/other' already exists");

	store_free(s);
	free(path);
}

static void test_wrong_key_tamper_aad(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;
	struct connection *c;

	long long a = add(s, "stripe", "acme", SECRET);
	long long b = add(s, "stripe", "beta", "sk_beta_000000");
	store_free(s);

	/* Another key: names and config still list, secrets do not open. */
	setenv("SWITCHBOARD_KEY", key2, 1);
	s = open_ok(path);
	err_init(&err);
	c = store_get_connection(s, "stripe", "acme", 0, &err);
	CHECK(c != NULL);
	connection_free(c);
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK(c == NULL);
	CHECK_STR(err.msg,
		  "cannot open secrets of connection 'stripe/acme': wrong key or tampered data");
	/* and a process with the wrong key cannot seal new secrets either. */
	struct connection nc = {.connector = (char *)"stripe",
				.name = (char *)"new",
				.secrets = json_pack("{s:s}", "api_key", "x")};
	err_init(&err);
	CHECK(store_add_connection(s, &nc, &err) == -1);
	CHECK(strstr(err.msg, "SWITCHBOARD_KEY is not the key store") != NULL);
	json_decref(nc.secrets);
	c = store_get_connection(s, "stripe", "new", 0, &err);
	CHECK(c == NULL); /* rolled back */
	store_free(s);

	/* A malformed key is a clear error. */
	setenv("SWITCHBOARD_KEY", "c2hvcnQ=", 1);
	s = open_ok(path);
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "acme", 1, &err) == NULL);
	CHECK(strstr(err.msg, "SWITCHBOARD_KEY is not a key: expected base64 of 32 bytes") != NULL);
	store_free(s);
	setenv("SWITCHBOARD_KEY", key1, 1);

	/* One flipped byte in the blob. */
	raw_flip(path, a, 20);
	s = open_ok(path);
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "acme", 1, &err) == NULL);
	CHECK_STR(err.msg,
		  "cannot open secrets of connection 'stripe/acme': wrong key or tampered data");

	/* Flipping it back restores it: the error was the flip, nothing else. */
	raw_flip(path, a, 20);
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), SECRET);
	connection_free(c);

	/* A valid blob moved to another row does not open there. */
	c = store_get_connection(s, "stripe", "beta", 1, &err);
	CHECK_STR(secret_of(c), "sk_beta_000000");
	connection_free(c);
	long long other = add(s, "stripe", "gamma", "sk_gamma_00000");
	char *sql =
		xasprintf("UPDATE connections SET secrets = (SELECT secrets FROM connections WHERE "
			  "id = %lld) WHERE id = %lld",
			  b, other);
	raw_exec(path, sql);
	free(sql);
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "gamma", 1, &err) == NULL);
	CHECK_STR(err.msg,
		  "cannot open secrets of connection 'stripe/gamma': wrong key or tampered data");
	/* Garbage and an empty blob fail the same way. */
	raw_exec(path, "UPDATE connections SET secrets = x'01' WHERE name = 'gamma'");
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "gamma", 1, &err) == NULL);
	CHECK(strstr(err.msg, "wrong key or tampered data") != NULL);
	raw_exec(path, "UPDATE connections SET secrets = x'' WHERE name = 'gamma'");
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "gamma", 1, &err) == NULL);
	CHECK(strstr(err.msg, "wrong key or tampered data") != NULL);
	/* The untouched row still opens. */
	c = store_get_connection(s, "stripe", "beta", 1, &err);
	CHECK_STR(secret_of(c), "sk_beta_000000");
	connection_free(c);

	store_free(s);
	free(path);
}

static void test_no_plaintext(void)
{
	char *path = new_path();
	char *wal = xasprintf("%s-wal", path);
	struct store *s = open_ok(path);
	struct err err;

	add(s, "stripe", "acme", SECRET);
	struct oauth_app app = {.connector = (char *)"xero",
				.client_id = (char *)"cid",
				.client_secret = (char *)SECRET "-app"};
	err_init(&err);
	CHECK(store_set_oauth_app(s, &app, &err) == 0);
	/* While open (data still in the WAL) and after close (checkpointed). */
	CHECK(file_has(path, "stripe") || file_has(wal, "stripe"));
	CHECK(!file_has(path, SECRET));
	CHECK(!file_has(wal, SECRET));
	store_free(s);
	CHECK(file_has(path, "acme"));
	CHECK(!file_has(path, SECRET));
	CHECK(!file_has(wal, SECRET));
	free(wal);
	free(path);
}

static void test_key_file(void)
{
	char *path = new_path();
	char *cfg = xasprintf("%s/cfg%d", tmp, case_no);
	char *key_path = xasprintf("%s/switchboard/key", cfg);
	char *key_dir = xasprintf("%s/switchboard", cfg);
	struct err err;
	struct connection *c;

	unsetenv("SWITCHBOARD_KEY");
	setenv("XDG_CONFIG_HOME", cfg, 1);

	/* No secrets, no key file. */
	struct store *s = open_ok(path);
	add(s, "github", "me", NULL);
	CHECK(mode_of(key_path) == -1);
	/* The first secret creates it, 0600 in a 0700 folder. */
	add(s, "stripe", "acme", SECRET);
	CHECK(mode_of(key_path) == 0600);
	CHECK(mode_of(key_dir) == 0700);
	size_t len = 0;
	err_init(&err);
	char *text = read_file(key_path, 1024, &len, &err);
	CHECK(text && len == 45 && text[44] == '\n');
	free_secret(text);
	store_free(s);

	/* A new handle reads the same key. */
	s = open_ok(path);
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), SECRET);
	connection_free(c);
	store_free(s);

	/* A key file others can read is refused. */
	chmod(key_path, 0644);
	s = open_ok(path);
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "acme", 1, &err) == NULL);
	char *want =
		xasprintf("key file '%s' is readable by others (mode 644); run: chmod 600 '%s'",
			  key_path, key_path);
	CHECK_STR(err.msg, want);
	free(want);
	store_free(s);
	chmod(key_path, 0600);

	/* A missing key file is not silently replaced when reading. */
	char *moved = xasprintf("%s.bak", key_path);
	rename(key_path, moved);
	s = open_ok(path);
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "acme", 1, &err) == NULL);
	CHECK(strstr(err.msg, "is missing") != NULL);
	store_free(s);
	rename(moved, key_path);
	free(moved);

	/* A key file that is not a key. */
	char *junk_cfg = xasprintf("%s/junk", cfg);
	char *junk_dir = xasprintf("%s/switchboard", junk_cfg);
	char *junk = xasprintf("%s/key", junk_dir);
	mkdir(junk_cfg, 0700);
	mkdir(junk_dir, 0700);
	int fd = open(junk, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "hello\n", 6) == 6);
	close(fd);
	setenv("XDG_CONFIG_HOME", junk_cfg, 1);
	s = open_ok(path);
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "acme", 1, &err) == NULL);
	CHECK(strstr(err.msg, "does not hold a key") != NULL);
	store_free(s);
	setenv("XDG_CONFIG_HOME", cfg, 1);

	/* Rotation with a key file: the file changes, no key is handed out. */
	err_init(&err);
	text = read_file(key_path, 1024, NULL, &err);
	s = open_ok(path);
	char *shown = (char *)"sentinel";
	CHECK(store_rotate_key(s, &shown, &err) == 0);
	CHECK(shown == NULL);
	char *text2 = read_file(key_path, 1024, NULL, &err);
	CHECK(text && text2 && strcmp(text, text2) != 0);
	CHECK(mode_of(key_path) == 0600);
	store_free(s);
	s = open_ok(path);
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), SECRET);
	connection_free(c);
	store_free(s);
	free_secret(text);
	free_secret(text2);

	/* A handle that loaded the key before another rotated it picks up the
	 * new key file, for reading and for sealing. */
	struct store *old = open_ok(path);
	c = store_get_connection(old, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), SECRET);
	connection_free(c);
	s = open_ok(path);
	err_init(&err);
	CHECK(store_rotate_key(s, NULL, &err) == 0);
	store_free(s);
	c = store_get_connection(old, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), SECRET);
	connection_free(c);
	s = open_ok(path);
	CHECK(store_rotate_key(s, NULL, &err) == 0);
	store_free(s);
	add(old, "stripe", "late", "sk_late_0000000");
	store_free(old);
	s = open_ok(path);
	c = store_get_connection(s, "stripe", "late", 1, &err);
	CHECK_STR(secret_of(c), "sk_late_0000000");
	connection_free(c);
	store_free(s);

	/* A leftover from an interrupted rotation is never overwritten. */
	char *leftover = xasprintf("%s.new", key_path);
	fd = open(leftover, O_WRONLY | O_CREAT, 0600);
	close(fd);
	s = open_ok(path);
	err_init(&err);
	CHECK(store_rotate_key(s, NULL, &err) == -1);
	CHECK(strstr(err.msg, "is left from an interrupted key rotation") != NULL);
	store_free(s);
	unlink(leftover);
	free(leftover);

	setenv("SWITCHBOARD_KEY", key1, 1);
	free(junk);
	free(junk_dir);
	free(junk_cfg);
	free(key_dir);
	free(key_path);
	free(cfg);
	free(path);
}

static void test_migrations(void)
{
	char *path = new_path();
	struct err err;
	char *dir = xasprintf("%s/%d", tmp, case_no);
	mkdir(dir, 0700);

	/* An empty database at version 0 is brought up to date. */
	raw_exec(path, "PRAGMA user_version = 0");
	CHECK(raw_int(path, "PRAGMA user_version") == 0);
	struct store *s = open_ok(path);
	CHECK(raw_int(path, "PRAGMA user_version") == store_schema_version());
	CHECK(store_schema_version() >= 1);
	CHECK(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
			    "('connections', 'oauth_apps', 'events', 'locks', 'meta')") == 5);
	store_free(s);
	/* Opening again changes nothing. */
	s = open_ok(path);
	add(s, "stripe", "acme", NULL);
	store_free(s);
	CHECK(raw_int(path, "PRAGMA user_version") == store_schema_version());

	/* A store from a newer switchboard is refused, not damaged. */
	raw_exec(path, "PRAGMA user_version = 999");
	err_init(&err);
	CHECK(store_open(path, &err) == NULL);
	CHECK(strstr(err.msg, "has schema version 999, newer than this switchboard") != NULL);
	CHECK(raw_int(path, "SELECT count(*) FROM connections") == 1);

	/* A file that is not a database. */
	char *junk = xasprintf("%s/junk.db", dir);
	int fd = open(junk, O_WRONLY | O_CREAT, 0600);
	char block[4096];
	memset(block, 'x', sizeof(block));
	CHECK(fd >= 0 && write(fd, block, sizeof(block)) == (ssize_t)sizeof(block));
	close(fd);
	err_init(&err);
	CHECK(store_open(junk, &err) == NULL);
	CHECK(strstr(err.msg, "not a database") != NULL);

	free(junk);
	free(dir);
	free(path);
}

static void test_rotate_env(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;
	struct connection *c;

	add(s, "stripe", "acme", SECRET);
	add(s, "stripe", "beta", "sk_beta_000000");
	add(s, "github", "me", NULL);
	struct oauth_app app = {.connector = (char *)"xero",
				.client_id = (char *)"cid",
				.client_secret = (char *)"xero-client-secret"};
	err_init(&err);
	CHECK(store_set_oauth_app(s, &app, &err) == 0);

	/* With SWITCHBOARD_KEY the new key must be handed back. */
	err_init(&err);
	CHECK(store_rotate_key(s, NULL, &err) == -1);
	CHECK(strstr(err.msg, "SWITCHBOARD_KEY") != NULL);

	char *new_key = NULL;
	err_init(&err);
	CHECK(store_rotate_key(s, &new_key, &err) == 0);
	if (err_is_set(&err))
		fprintf(stderr, "rotate: %s\n", err.msg);
	CHECK(new_key && strlen(new_key) == 44 && strcmp(new_key, key1) != 0);
	/* This handle goes on working with the new key. */
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), SECRET);
	connection_free(c);
	add(s, "stripe", "gamma", "sk_gamma_00000");
	store_free(s);

	/* The old key no longer opens anything. */
	s = open_ok(path);
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "beta", 1, &err) == NULL);
	CHECK(strstr(err.msg, "wrong key or tampered data") != NULL);
	store_free(s);

	/* The new one opens everything. */
	setenv("SWITCHBOARD_KEY", new_key ? new_key : "", 1);
	s = open_ok(path);
	err_init(&err);
	const char *names[] = {"acme", "beta", "gamma"};
	const char *want[] = {SECRET, "sk_beta_000000", "sk_gamma_00000"};
	for (int i = 0; i < 3; i++) {
		c = store_get_connection(s, "stripe", names[i], 1, &err);
		CHECK_STR(secret_of(c), want[i]);
		connection_free(c);
	}
	struct oauth_app *got = store_get_oauth_app(s, "xero", &err);
	CHECK_STR(got ? got->client_secret : NULL, "xero-client-secret");
	oauth_app_free(got);

	/* A tampered row stops a rotation before anything changes. */
	raw_exec(path, "UPDATE connections SET secrets = x'00112233' WHERE name = 'beta'");
	char *newer = NULL;
	err_init(&err);
	CHECK(store_rotate_key(s, &newer, &err) == -1);
	CHECK(newer == NULL);
	CHECK_STR(err.msg, "cannot rotate the key: the secrets of connection 'stripe/beta' do not "
			   "open (wrong key or tampered data); nothing was changed");
	c = store_get_connection(s, "stripe", "acme", 1, &err);
	CHECK_STR(secret_of(c), SECRET);
	connection_free(c);
	store_free(s);

	setenv("SWITCHBOARD_KEY", key1, 1);
	free_secret(new_key);
	free(path);
}

/* Each child adds n connections through its own handle. */
static int child_add(const char *path, const char *prefix, int n)
{
	struct err err;
	err_init(&err);
	struct store *s = store_open(path, &err);
	int bad = 0;
	for (int i = 0; s && i < n; i++) {
		struct connection c = {0};
		char name[32], secret[32];
		snprintf(name, sizeof(name), "%s-%d", prefix, i);
		snprintf(secret, sizeof(secret), "sk_%s_%d_padding", prefix, i);
		c.connector = (char *)"conc";
		c.name = name;
		c.secrets = json_pack("{s:s}", "api_key", secret);
		err_init(&err);
		if (store_add_connection(s, &c, &err) < 0) {
			fprintf(stderr, "child %s: %s\n", prefix, err.msg);
			bad++;
		}
		/* A read-modify-write in between, as a server would. */
		if (store_set_status(s, c.id, "ok", NULL, &err) < 0) {
			fprintf(stderr, "child %s: %s\n", prefix, err.msg);
			bad++;
		}
		free(c.auth);
		free(c.status);
		store_secrets_free(c.secrets);
	}
	if (!s) {
		fprintf(stderr, "child %s: %s\n", prefix, err.msg);
		bad++;
	}
	store_free(s);
	return bad ? 1 : 0;
}

static void test_concurrent(void)
{
	/* A fresh path: the children also race to create and migrate it. */
	char *path = new_path();
	char *dir = xasprintf("%s/%d", tmp, case_no);
	mkdir(dir, 0700);
	pid_t pids[2];
	const char *prefixes[] = {"p0", "p1"};

	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child_add(path, prefixes[i], 50));
		CHECK(pids[i] > 0);
	}
	for (int i = 0; i < 2; i++) {
		int status = -1;
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK(raw_int(path, "SELECT count(*) FROM connections") == 100);
	CHECK(raw_int(path, "SELECT count(*) FROM connections WHERE is_default = 1") == 1);
	CHECK(raw_int(path, "SELECT count(*) FROM connections WHERE secrets IS NULL") == 0);

	struct store *s = open_ok(path);
	struct err err;
	err_init(&err);
	struct connection *c = store_get_connection(s, "conc", "p1-49", 1, &err);
	CHECK_STR(secret_of(c), "sk_p1_49_padding");
	connection_free(c);
	store_free(s);
	free(dir);
	free(path);
}

/* In a child process: try to take (want 1) or find held (want 0) the lock
 * on id; release other afterwards, which the child does not hold. */
static void child_lock(const char *path, long long id, long long other, int want)
{
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		struct err e;
		err_init(&e);
		struct store *cs = store_open(path, &e);
		int r = cs ? store_lock_acquire(cs, id, 30, &e) : -1;
		if (cs && store_lock_release(cs, other, &e) < 0)
			r = -1;
		store_free(cs);
		_exit(r == want ? 0 : 1);
	}
	int status = -1;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_locks(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;
	long long a = add(s, "xero", "acme", NULL);
	long long b = add(s, "xero", "beta", NULL);

	err_init(&err);
	CHECK(store_lock_acquire(s, a, 30, &err) == 1);
	/* This process renews its own lock. */
	CHECK(store_lock_acquire(s, a, 30, &err) == 1);
	CHECK(store_lock_acquire(s, b, 30, &err) == 1);
	/* The lock is a row, not a handle: it outlives this one. No store is
	 * open across fork(), as sqlite requires. */
	store_free(s);

	/* Another process sees it held, and cannot release ours. */
	child_lock(path, a, b, 0);
	char *sql = xasprintf("SELECT count(*) FROM locks WHERE holder_pid = %ld", (long)getpid());
	CHECK(raw_int(path, sql) == 2);
	free(sql);

	/* Once released, another process takes it. */
	s = open_ok(path);
	CHECK(store_lock_release(s, a, &err) == 0);
	CHECK(store_lock_release(s, a, &err) == 0);
	store_free(s);
	child_lock(path, a, b, 1);

	/* That child exited without releasing: its row stays, but the holder
	 * is gone, so the lock is taken over before it expires. */
	sql = xasprintf("SELECT holder_pid FROM locks WHERE connection_id = %lld", a);
	CHECK(raw_int(path, sql) != getpid());
	s = open_ok(path);
	CHECK(store_lock_acquire(s, a, 30, &err) == 1);
	CHECK(raw_int(path, sql) == getpid());

	/* A live holder in another pid namespace (its pid means nothing here)
	 * keeps the lock until it expires; an expired lock is taken over. */
	raw_exec(path, "UPDATE locks SET holder_pid = 1, holder_ns = 'pid:[1]'");
	CHECK(store_lock_acquire(s, a, 30, &err) == 0);
	raw_exec(path, "UPDATE locks SET holder_pid = 1, holder_ns = ''");
	CHECK(store_lock_acquire(s, a, 30, &err) == 0);
	raw_exec(path, "UPDATE locks SET expires_at = 1");
	CHECK(store_lock_acquire(s, a, 30, &err) == 1);
	CHECK(raw_int(path, sql) == getpid());
	free(sql);

	/* Removing the connection drops its lock. */
	CHECK(store_remove_connection(s, a, &err) == 0);
	CHECK(raw_int(path, "SELECT count(*) FROM locks") == 1);
	err_init(&err);
	CHECK(store_lock_acquire(s, a, 30, &err) == -1);
	CHECK_STR(err.msg, "no connection with id 1");
	err_init(&err);
	CHECK(store_lock_acquire(s, b, 0, &err) == -1);

	store_free(s);
	free(path);
}

static void test_events(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;
	long long a = add(s, "stripe", "acme", NULL);

	struct event ev = {.connector = (char *)"stripe",
			   .connection_id = a,
			   .entity = (char *)"customers",
			   .event_type = (char *)"customer.created",
			   .vendor_event_id = (char *)"evt_1",
			   .payload = json_pack("{s:i}", "n", 1)};
	err_init(&err);
	CHECK(store_add_event(s, &ev, &err) == 1);
	CHECK(ev.id > 0 && ev.received_at > 0);
	ev.id = 0;
	CHECK(store_add_event(s, &ev, &err) == 0);
	CHECK(ev.id == 0);
	/* The same vendor id from another connector is another event. */
	ev.connector = (char *)"github";
	ev.connection_id = 0;
	CHECK(store_add_event(s, &ev, &err) == 1);
	/* Events without a vendor id are never duplicates. */
	ev.connector = (char *)"stripe";
	ev.connection_id = a;
	ev.vendor_event_id = NULL;
	ev.event_type = (char *)"customer.updated";
	CHECK(store_add_event(s, &ev, &err) == 1);
	CHECK(store_add_event(s, &ev, &err) == 1);
	json_decref(ev.payload);
	struct event bad = {.connector = (char *)"stripe"};
	err_init(&err);
	CHECK(store_add_event(s, &bad, &err) == -1);

	struct event **list = NULL;
	err_init(&err);
	CHECK(store_list_events(s, NULL, &list, &err) == 0);
	int n = 0;
	while (list && list[n])
		n++;
	CHECK(n == 4);
	if (n == 4) {
		CHECK(list[0]->id > list[3]->id); /* newest first */
		CHECK_STR(list[3]->vendor_event_id, "evt_1");
		CHECK(list[3]->connection_id == a);
		CHECK(json_integer_value(json_object_get(list[3]->payload, "n")) == 1);
	}
	events_free(list);

	struct event_filter f = {
		.connector = "stripe", .event_type = "customer.updated", .limit = 1};
	CHECK(store_list_events(s, &f, &list, &err) == 0);
	CHECK(list && list[0] && !list[1]);
	if (list && list[0])
		CHECK_STR(list[0]->event_type, "customer.updated");
	events_free(list);
	struct event_filter g = {.connection_id = a};
	CHECK(store_list_events(s, &g, &list, &err) == 0);
	n = 0;
	while (list && list[n])
		n++;
	CHECK(n == 3);
	events_free(list);

	/* Events outlive their connection, unlinked. */
	CHECK(store_remove_connection(s, a, &err) == 0);
	CHECK(raw_int(path, "SELECT count(*) FROM events WHERE connection_id IS NULL") == 4);

	store_free(s);
	free(path);
}

static void test_oauth_apps(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct err err;

	err_init(&err);
	CHECK(store_get_oauth_app(s, "xero", &err) == NULL);
	CHECK(!err_is_set(&err));

	struct oauth_app app = {.connector = (char *)"xero",
				.client_id = (char *)"cid-1",
				.client_secret = (char *)"csecret-1",
				.scopes = (char *)"a b",
				.redirect_port = 8765,
				.token_url = (char *)"https://example.test/token"};
	CHECK(store_set_oauth_app(s, &app, &err) == 0);
	struct oauth_app *got = store_get_oauth_app(s, "xero", &err);
	CHECK(got != NULL);
	if (got) {
		CHECK_STR(got->client_id, "cid-1");
		CHECK_STR(got->client_secret, "csecret-1");
		CHECK_STR(got->scopes, "a b");
		CHECK(got->redirect_port == 8765);
		CHECK(got->authorize_url == NULL);
		CHECK_STR(got->token_url, "https://example.test/token");
		CHECK(got->created_at > 0);
	}
	oauth_app_free(got);

	/* Replace with a public client. */
	app.client_id = (char *)"cid-2";
	app.client_secret = NULL;
	CHECK(store_set_oauth_app(s, &app, &err) == 0);
	got = store_get_oauth_app(s, "xero", &err);
	CHECK(got && strcmp(got->client_id, "cid-2") == 0 && got->client_secret == NULL);
	oauth_app_free(got);

	/* A tampered secret is an error, not garbage. */
	app.client_secret = (char *)"csecret-3";
	CHECK(store_set_oauth_app(s, &app, &err) == 0);
	raw_exec(path, "UPDATE oauth_apps SET client_secret = "
		       "zeroblob(length(client_secret))");
	err_init(&err);
	CHECK(store_get_oauth_app(s, "xero", &err) == NULL);
	CHECK_STR(err.msg,
		  "cannot open the oauth client secret of 'xero': wrong key or tampered data");

	err_init(&err);
	app.client_id = NULL;
	CHECK(store_set_oauth_app(s, &app, &err) == -1);
	CHECK(store_remove_oauth_app(s, "xero", &err) == 0);
	CHECK(store_remove_oauth_app(s, "xero", &err) == 0);
	err_init(&err);
	CHECK(store_get_oauth_app(s, "xero", &err) == NULL);
	CHECK(!err_is_set(&err));
	oauth_app_free(NULL);

	store_free(s);
	free(path);
}

static void test_data_version(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	struct store *other = open_ok(path);
	struct err err;

	long long v0 = store_data_version(s);
	CHECK(v0 >= 0);
	CHECK(store_data_version(s) == v0);
	long long a = add(s, "stripe", "acme", NULL);
	long long v1 = store_data_version(s);
	CHECK(v1 != v0);
	/* Another handle's write shows up too. */
	err_init(&err);
	CHECK(store_set_status(other, a, "error", "boom", &err) == 0);
	long long v2 = store_data_version(s);
	CHECK(v2 != v1);
	CHECK(store_data_version(s) == v2);

	store_free(other);
	store_free(s);
	free(path);
}

/* Another process's writes are seen by the very next look, also after many
 * looks that found nothing new (which read only the wal-index header). */
static void test_data_version_other_process(void)
{
	char *path = new_path();
	struct store *s = open_ok(path);
	long long a = add(s, "stripe", "acme", NULL);
	store_free(s); /* no store is open across fork() */
	int cmd[2], ack[2];
	CHECK(pipe(cmd) == 0 && pipe(ack) == 0);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		/* The writer: one write per byte asked for; 'r' removes acme. */
		char c;
		close(cmd[1]);
		close(ack[0]);
		while (read(cmd[0], &c, 1) == 1) {
			struct err e;
			err_init(&e);
			struct store *cs = store_open(path, &e);
			int r = !cs        ? -1
				: c == 'r' ? store_remove_connection(cs, a, &e)
					   : store_set_status(cs, a, c == 'e' ? "error" : "ok", "x",
							      &e);
			store_free(cs);
			if (write(ack[1], r == 0 ? "y" : "n", 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	CHECK(pid > 0);
	close(cmd[0]);
	close(ack[1]);
	s = open_ok(path);
	long long v = store_data_version(s);
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 3; i++)
			CHECK(store_data_version(s) == v);
		struct err err;
		err_init(&err);
		struct connection *c = store_get_connection(s, "stripe", "acme", 0, &err);
		CHECK(c != NULL);
		connection_free(c);
		char req = round == 19 ? 'r' : round % 2 ? 'e' : 'o', got = 0;
		CHECK(write(cmd[1], &req, 1) == 1);
		CHECK(read(ack[0], &got, 1) == 1 && got == 'y');
		long long w = store_data_version(s);
		CHECK(w != v);
		v = w;
	}
	/* Removed there: gone here at once (the memo asks the same number). */
	struct err err;
	err_init(&err);
	CHECK(store_get_connection(s, "stripe", "acme", 0, &err) == NULL);
	close(cmd[1]);
	int status = -1;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ack[0]);
	store_free(s);
	free(path);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/sb-store-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	make_key(key1, sizeof(key1));
	make_key(key2, sizeof(key2));
	setenv("SWITCHBOARD_KEY", key1, 1);
	char *cfg = xasprintf("%s/config", tmp);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	free(cfg);
	unsetenv("SWITCHBOARD_STORE");

	test_open();
	test_crud();
	test_defaults();
	test_ambiguity_rename();
	test_wrong_key_tamper_aad();
	test_no_plaintext();
	test_key_file();
	test_migrations();
	test_rotate_env();
	test_concurrent();
	test_locks();
	test_events();
	test_oauth_apps();
	test_data_version();
	test_data_version_other_process();

	if (!t_fail) {
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmp);
		free(cmd);
	} else {
		fprintf(stderr, "files kept in %s\n", tmp);
	}
	return t_done();
}
