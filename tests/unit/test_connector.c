/* test_connector.c - the typed model of entities and actions: what the
 * registry fills at load (connector_model_load) from a connector file. */
#include "connector.h"

#include <stdlib.h>

#include "registry.h"
#include "t.h"

static const char *doc_text =
	"{\"format\": 1, \"slug\": \"acme\", \"name\": \"Acme\", \"description\": \"d\","
	" \"category\": \"crm\", \"base_url\": \"https://api.acme.test\","
	" \"auth\": {\"default\": \"bearer\", \"methods\": [{\"type\": \"bearer\"}]},"
	" \"request\": {\"body\": \"form\"},"
	" \"errors\": {\"ok_field\": \"/ok\"},"
	" \"pagination\": {\"style\": \"cursor\", \"max_limit\": 50, \"cursor_param\": \"after\"},"
	" \"entities\": {"
	"  \"people\": {\"description\": \"People.\", \"id_field\": \"pid\","
	"   \"canonical\": \"contacts\", \"aliases\": [\"contacts\"],"
	"   \"canonical_fields\": {\"email\": \"mail\"},"
	"   \"fields\": {\"mail\": {\"type\": \"string\"}, \"kind\": {\"type\": \"string\","
	"     \"const\": \"person\"}},"
	"   \"create_required\": [\"mail\", \"kind\"],"
	"   \"polling\": {\"field\": \"updated\"},"
	"   \"actions\": {"
	"    \"create\": {\"method\": \"POST\", \"path\": \"/people\", \"body\": \"fields\","
	"     \"title\": \"add a person\", \"featured\": true, \"destructive\": false,"
	"     \"params\": {\"team\": {\"type\": \"string\", \"in\": \"path\", \"required\": true,"
	"      \"default\": \"main\"}},"
	"     \"required\": [\"team\", \"note\"]},"
	"    \"list\": {\"method\": \"GET\", \"path\": \"/people\", \"notes\": \"n\","
	"     \"aliases\": [\"find\"], \"params\": {\"since\": {\"type\": \"integer\","
	"      \"format\": \"x\"}}},"
	"    \"archive\": {\"method\": \"POST\", \"path\": \"/people/archive\","
	"     \"kind\": \"delete\", \"idempotent\": true}}},"
	"  \"notes\": {\"description\": \"Notes.\", \"actions\": {"
	"    \"read\": {\"method\": \"GET\", \"path\": \"/notes/latest\"}}}}}";

static void model(void)
{
	setenv("SWITCHBOARD_DATADIR", ".", 0); /* run from the checkout (make test does) */
	struct registry *r = registry_new();
	struct err e;
	err_init(&e);
	json_error_t je;
	json_t *doc = json_loads(doc_text, 0, &je);
	CHECK(doc != NULL);
	CHECK(registry_add_doc(r, "acme.json", doc, &e) == 0);
	if (e.msg[0])
		fprintf(stderr, "%s\n", e.msg);
	const struct connector *c = registry_find(r, "acme");
	CHECK(c && c->model && c->model->n_entities == 2);
	if (!c || !c->model || c->model->n_entities != 2)
		goto out;

	/* Entities in the file's order, with their facts. */
	const struct entity_spec *people = connector_entity(c, "people");
	CHECK(people == &c->model->entities[0]);
	CHECK(connector_entity(c, "nobody") == NULL);
	CHECK_STR(people->description, "People.");
	CHECK_STR(people->id_field, "pid");
	CHECK_STR(people->canonical, "contacts");
	CHECK_STR(json_string_value(json_object_get(people->canonical_fields, "email")), "mail");
	CHECK(json_array_size(people->aliases) == 1);
	CHECK(people->polls && people->polling.field && people->polling.action);
	CHECK_STR(people->polling.action, "list");
	CHECK_STR(people->polling.id_field, "pid");
	CHECK(people->n_actions == 3);
	CHECK(!connector_entity(c, "notes")->polls);

	/* Actions in order; the lead is the list, else the first. */
	const struct action_spec *create = &people->actions[0];
	const struct action_spec *list = entity_action(people, "list");
	const struct action_spec *archive = entity_action(people, "archive");
	CHECK(people->lead == list);
	CHECK(connector_entity(c, "notes")->lead == &connector_entity(c, "notes")->actions[0]);
	CHECK(entity_action(people, "delete") == NULL);
	CHECK_STR(create->name, "create");
	CHECK_STR(create->id, "acme_people_create");
	CHECK(create->entity == people);
	CHECK_STR(create->kind, "write");
	CHECK_STR(create->title, "add a person");
	CHECK(create->featured && create->destructive == 0 && create->body_fields);
	CHECK(create->idempotent == -1 && !create->list);
	CHECK(create->encoding == BODY_FORM); /* the connector's request.body */
	CHECK_STR(create->req->accept, "application/json");
	CHECK_STR(create->errors->ok_field, "/ok");
	CHECK(create->errors == list->errors && create->req == list->req);
	CHECK_STR(list->kind, "read");
	CHECK_STR(list->notes, "n");
	CHECK(list->list && list->pg.style == PAGE_CURSOR && list->pg.max_limit == 50);
	CHECK(list->place == PLACE_QUERY && create->place == PLACE_BODY);
	CHECK_STR(archive->kind, "delete");
	CHECK(archive->idempotent == 1 && archive->destructive == -1 && !archive->list);

	/* The verb rules decide what the action does not declare. */
	CHECK(registry_action_destructive(NULL, archive) == 1); /* a delete */
	CHECK(registry_action_destructive(NULL, create) == 0);  /* declared */
	CHECK(registry_action_idempotent(NULL, archive) == 1);
	CHECK(registry_action_idempotent(NULL, list) == 0);

	/* Required arguments: params, create_required, required; no constant. */
	json_t *req = action_required_args(create);
	json_t *want = json_pack("[s, s, s]", "team", "mail", "note");
	CHECK(json_equal(req, want));
	json_decref(req);
	json_decref(want);
	req = action_required_args(list);
	CHECK(json_array_size(req) == 0);
	json_decref(req);

	/* An argument's declaration, typed. */
	struct param_spec ps;
	connector_param(create, "team", &ps);
	CHECK(ps.in == PLACE_PATH && ps.required && ps.declared);
	CHECK_STR(ps.type, "string");
	CHECK_STR(ps.dflt, "main");
	connector_param(list, "since", &ps);
	CHECK(ps.in == PLACE_QUERY && !ps.required && ps.declared);
	CHECK_STR(ps.type, "integer");
	CHECK_STR(ps.format, "x");
	connector_param(list, "other", &ps);
	CHECK(!ps.declared && ps.in == PLACE_QUERY && !ps.type);
out:
	registry_free(r);
}

int main(void)
{
	model();
	return t_done();
}
