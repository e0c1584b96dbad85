/* oauth_keepalive.c - keeping idle OAuth connections alive: refresh tokens
 * that die when unused (Xero after 60 days, QuickBooks after 100, Shopify's
 * expiring offline tokens after 90) are renewed before half their life is
 * gone, from cron (connections refresh --if-due) or the webhooks poller. */
#include "oauth.h"

#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "connection.h"
#include "util.h"

static json_t *item(const struct connection *conn, const char *who, const char *result,
		    const char *error)
{
	json_t *j = json_pack("{s:s, s:s}", "connection", who, "result", result);
	if (error)
		json_object_set_new(j, "error", json_string(error));
	json_t *at = conn ? json_object_get(conn->config, "refresh_token_expires_at") : NULL;
	if (json_is_integer(at))
		json_object_set(j, "refresh_token_expires_at", at);
	return j;
}

/* A connection made before its refresh token's expiry was recorded, of a
 * method that declares one: refresh once, to learn it. */
static int expiry_unknown(const struct auth_method *method, const struct connection *conn)
{
	return !json_object_get(conn->config, "refresh_token_expires_at") &&
	       connection_value(conn, "refresh_token") &&
	       (method->refresh_token_lifetime_s || method->refresh_token_expires_pointer);
}

/* One connection (secrets opened): refresh it, or say why not. New item. */
static json_t *keep_one(struct store *s, const struct registry *r, struct connection *conn,
			int if_due)
{
	struct err e;
	err_init(&e);
	char *who = xasprintf("%s/%s", conn->connector, conn->name);
	json_t *out = NULL;
	const struct connector *c = registry_find(r, conn->connector);
	const struct auth_method *method = c ? connector_auth_method(c, "oauth2") : NULL;
	if (!method || !conn->auth || strcmp(conn->auth, "oauth2") != 0) {
		char *msg = xasprintf("%s is not an OAuth 2.0 connection%s", who,
				      c ? "" : " of a known connector");
		out = item(NULL, who, "failed", msg);
		free(msg);
	} else if (if_due && conn->status && strcmp(conn->status, "needs_reconnect") == 0) {
		char *msg = xasprintf("it needs reconnecting: switchboard connect %s --name %s",
				      conn->connector, conn->name);
		out = item(conn, who, "failed", msg);
		free(msg);
	} else if (if_due && !oauth_keepalive_due(conn) && !expiry_unknown(method, conn)) {
		out = item(conn, who, "not_due", NULL);
	} else if (oauth_refresh(s, c, method, conn, 1, &e) < 0) {
		out = item(conn, who, "failed", e.msg);
	} else {
		out = item(conn, who, "refreshed", NULL);
	}
	free(who);
	return out;
}

json_t *oauth_keepalive_run(struct store *s, const struct registry *r, const char *const *only,
			    int if_due, int *failures, struct err *err)
{
	struct connection **list = NULL;
	json_t *out = json_array();
	*failures = 0;
	if (only) {
		for (size_t i = 0; only[i]; i++) {
			struct err e;
			err_init(&e);
			struct connection *conn = store_get_connection(s, NULL, only[i], 1, &e);
			json_array_append_new(out, conn ? keep_one(s, r, conn, if_due)
							: item(NULL, only[i], "failed", e.msg));
			connection_free(conn);
		}
	} else {
		if (store_list_connections(s, NULL, &list, err) < 0) {
			json_decref(out);
			return NULL;
		}
		for (size_t i = 0; list[i]; i++) {
			if (!list[i]->auth || strcmp(list[i]->auth, "oauth2") != 0)
				continue;
			struct err e;
			err_init(&e);
			struct connection *conn =
				store_get_connection(s, list[i]->connector, list[i]->name, 1, &e);
			if (!conn) {
				char *who = xasprintf("%s/%s", list[i]->connector, list[i]->name);
				json_array_append_new(out, item(NULL, who, "failed", e.msg));
				free(who);
				continue;
			}
			json_array_append_new(out, keep_one(s, r, conn, if_due));
			connection_free(conn);
		}
		connections_free(list);
	}
	size_t i;
	json_t *v;
	json_array_foreach(out, i, v)
		*failures += strcmp(json_string_value(json_object_get(v, "result")), "failed") == 0;
	return out;
}
