/* cli_revoke.c - the first step of `connections remove` for an OAuth
 * connection: end its grant at the vendor (oauth_revoke), so removing it
 * here does not leave a live grant there. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "connector.h"
#include "oauth.h"
#include "store.h"

int cli_connections_revoke(struct cli *cli, struct store *st, const struct connection *conn,
			   int force)
{
	if (!conn->auth || strcmp(conn->auth, "oauth2") != 0)
		return 0;
	int ret = 1;
	struct err e;
	err_init(&e);
	struct connection *full = NULL;
	struct registry *r = cli_registry(cli);
	const struct connector *c = registry_find(r, conn->connector);
	const struct auth_method *m = c ? connector_auth_method(c, "oauth2") : NULL;
	int rc = -1;
	if (!m) {
		err_set(&e, "connector '%s' is not in the registry, so how to revoke is unknown",
			conn->connector);
	} else if (!m->revoke.url) {
		fprintf(stderr,
			"switchboard: note: %s has no token revocation endpoint; the grant "
			"stays alive at the vendor until the app is removed there\n",
			c->slug);
		ret = 0;
		goto out;
	} else if ((full = store_get_connection(st, conn->connector, conn->name, 1, &e)) != NULL) {
		rc = oauth_revoke(st, c, m, full, &e);
	}
	if (rc == 1) {
		cli_print("revoked the grant of %s/%s at %s\n", conn->connector, conn->name,
			  conn->connector);
		ret = 0;
	} else if (rc == 0) {
		fprintf(stderr, "switchboard: note: %s; nothing to revoke at the vendor\n", e.msg);
		ret = 0;
	} else {
		fprintf(stderr, "switchboard: cannot revoke the grant of %s/%s at the vendor: %s\n",
			conn->connector, conn->name, e.msg);
		if (force) {
			fprintf(stderr,
				"switchboard: --force: removing %s/%s here anyway; its grant "
				"may still be alive at %s: remove the app's access in the "
				"vendor's settings\n",
				conn->connector, conn->name, conn->connector);
			ret = 0;
		} else {
			fprintf(stderr,
				"switchboard: kept %s/%s so the revocation can be retried: run "
				"the same command again, add --force to remove it here "
				"anyway, or --keep-grant to remove it without revoking\n",
				conn->connector, conn->name);
		}
	}
out:
	connection_free(full);
	registry_free(r);
	return ret;
}
