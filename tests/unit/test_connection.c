/* test_connection.c - a connection's values (connection_value) and the
 * connector templates filled from them (connector_expand,
 * connector_base_url_of): config before secrets, a param's default, a value
 * that breaks its declaration refused, a missing one named; and the typed
 * facts, params and webhooks block a loaded connector carries
 * (connector->info). */
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "connector.h"
#include "registry.h"
#include "t.h"

static const char *doc_text =
	"{\"format\": 1, \"slug\": \"shopish\", \"name\": \"Shopish\", \"description\": "
	"\"A shop.\", \"category\": \"commerce\", \"aliases\": [\"store\"], "
	"\"base_url\": \"https://{shop}.example.com/api/{version}/\", "
	"\"params\": {\"shop\": {\"type\": \"string\", \"required\": true, \"pattern\": "
	"\"^[a-z0-9-]+$\"}, \"version\": {\"type\": \"string\", \"default\": \"2026-01\"}}, "
	"\"auth\": {\"default\": \"bearer\", \"methods\": [{\"type\": \"bearer\", \"fields\": "
	"{\"token\": {\"type\": \"string\", \"secret\": true, \"required\": true}}}]}, "
	"\"webhooks\": {\"scheme\": \"hmac_sha256\", \"secret_field\": \"hook_key\", "
	"\"signature_header\": \"X-Shopish-Hmac\", \"payload\": \"xero\", \"api\": {\"entity\": "
	"\"hooks\", \"create\": {\"action\": \"create\", \"id\": \"/id\"}, \"list\": {\"action\": "
	"\"list\"}, \"delete\": {\"action\": \"delete\"}, \"secret\": \"generate\", \"item\": "
	"{\"url\": \"/address\"}}}, "
	"\"entities\": {\"hooks\": {\"description\": \"Hooks.\", \"actions\": {\"list\": "
	"{\"method\": \"GET\", \"path\": \"/hooks\"}, \"create\": {\"method\": \"POST\", \"path\": "
	"\"/hooks\"}, "
	"\"delete\": {\"method\": \"DELETE\", \"path\": \"/hooks\"}}}}}";

static struct connection *conn_new(const char *config, const char *secrets)
{
	struct connection *c = calloc(1, sizeof(*c));
	c->name = strdup("main");
	c->config = json_loads(config, 0, NULL);
	c->secrets = json_loads(secrets, 0, NULL);
	return c;
}

static void conn_free(struct connection *c)
{
	json_decref(c->config);
	json_decref(c->secrets);
	free(c->name);
	free(c);
}

static void test_value(void)
{
	struct connection *c = conn_new("{\"shop\": \"acme\", \"n\": 3}",
					"{\"shop\": \"other\", \"token\": \"tok\"}");
	CHECK_STR(connection_value(c, "shop"), "acme"); /* config first */
	CHECK_STR(connection_value(c, "token"), "tok");
	CHECK(connection_value(c, "n") == NULL); /* not a string */
	CHECK(connection_value(c, "missing") == NULL);
	CHECK(connection_value(NULL, "shop") == NULL);
	conn_free(c);
}

static void test_expand(const struct connector *sc)
{
	struct err e;
	struct connection *c = conn_new("{\"shop\": \"acme\"}", "{\"token\": \"tok\"}");
	err_init(&e);
	char *s = connector_expand(sc, c, "{shop}/{version}/{token}", &e);
	CHECK_STR(s, "acme/2026-01/tok"); /* the default fills version */
	free(s);
	s = connector_base_url_of(sc, c, &e);
	CHECK_STR(s, "https://acme.example.com/api/2026-01"); /* no trailing slash */
	free(s);
	json_object_set_new(c->config, "base_url", json_string("http://127.0.0.1:9/x//"));
	s = connector_base_url_of(sc, c, &e);
	CHECK_STR(s, "http://127.0.0.1:9/x");
	free(s);
	CHECK(!err_is_set(&e));

	/* A value that breaks its param's pattern goes nowhere. */
	json_object_set_new(c->config, "shop", json_string("evil.com/x#"));
	s = connector_expand(sc, c, "https://{shop}.example.com", &e);
	CHECK(s == NULL);
	CHECK(strstr(e.msg, "'shop' does not match its declared format") != NULL);
	free(s);

	/* A placeholder with no value is named. */
	err_init(&e);
	s = connector_expand(sc, c, "{token}:{nothing}", &e);
	CHECK(s == NULL);
	CHECK(strstr(e.msg, "has no value for 'nothing'") != NULL);
	err_init(&e);
	s = connector_expand(sc, NULL, "v={version}", &e);
	CHECK_STR(s, "v=2026-01");
	free(s);
	conn_free(c);
}

static void test_info(const struct connector *sc)
{
	const struct connector_info *i = sc->info;
	CHECK_STR(i->name, "Shopish");
	CHECK_STR(i->category, "commerce");
	CHECK_STR(i->visibility, "public"); /* the default */
	CHECK(json_array_size(i->aliases) == 1);
	CHECK(i->n_params == 2);
	const struct auth_field *shop = connector_param_decl(sc, "shop");
	const struct auth_field *ver = connector_param_decl(sc, "version");
	CHECK(shop && shop->required && !shop->has_default);
	CHECK(ver && ver->has_default);
	CHECK_STR(ver ? ver->dflt : NULL, "2026-01");
	CHECK(connector_param_decl(sc, "token") == NULL); /* an auth field, not a param */

	const struct webhook_spec *w = &i->webhooks;
	CHECK_STR(w->scheme, "hmac_sha256");
	CHECK_STR(w->signature_header, "X-Shopish-Hmac");
	CHECK(w->signature_encoding == NULL); /* verify_hmac's default: base64 */
	CHECK_STR(w->payload, "xero");
	CHECK_STR(w->secret_field, "hook_key");
	CHECK_STR(w->api.entity, "hooks");
	CHECK_STR(w->api.create.name, "create");
	CHECK_STR(w->api.create.id, "/id");
	CHECK_STR(w->api.remove.name, "delete");
	CHECK_STR(w->api.remove.action, "delete");
	CHECK_STR(w->api.secret, "generate");
	CHECK_STR(w->api.item_id, "/id"); /* defaults */
	CHECK_STR(w->api.item_url, "/address");
	CHECK_STR(w->api.item_events, "/events");

	/* No webhooks block: zeroed, no api. */
	struct webhook_spec none;
	connector_webhooks_fill(NULL, &none);
	CHECK(none.scheme == NULL && none.api.entity == NULL);
}

int main(void)
{
	setenv("SWITCHBOARD_DATADIR", ".", 0); /* run from the checkout (make test does) */
	struct registry *r = registry_new();
	struct err e;
	err_init(&e);
	json_t *doc = json_loads(doc_text, 0, NULL);
	CHECK(doc != NULL);
	if (registry_add_doc(r, "(test)", doc, &e) < 0)
		fprintf(stderr, "%s\n", e.msg);
	const struct connector *sc = registry_find(r, "shopish");
	CHECK(sc != NULL);
	test_value();
	if (sc) {
		test_expand(sc);
		test_info(sc);
	}
	registry_free(r);
	return t_done();
}
