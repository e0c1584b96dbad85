/* connector.c - connector file blocks as C structs (connector.h). */
#include "connector.h"

#include <string.h>

static const char *text(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static json_t *object(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

int connector_polling(json_t *entity, struct polling_spec *out)
{
	memset(out, 0, sizeof(*out));
	json_t *p = object(entity, "polling");
	if (!p)
		return 0;
	out->action = text(p, "action") ? text(p, "action") : "list";
	out->field = text(p, "field");
	out->param = text(p, "param");
	out->filter = text(p, "filter");
	/* List rows may name the id otherwise than the entity (Cin7 Core's
	 * SaleList rows carry SaleID), or need several fields to tell them
	 * apart (Cin7 Omni's stock rows). */
	json_t *ids = json_object_get(p, "id_field");
	if (json_is_array(ids))
		out->id_fields = ids;
	else if (json_is_string(ids))
		out->id_field = json_string_value(ids);
	else
		out->id_field = text(entity, "id_field");
	if (!out->id_field)
		out->id_field = "id";
	out->id_param = text(p, "id_param");
	out->scope_param = text(p, "scope_param");
	out->epoch_field = text(p, "epoch_field");
	out->epoch_param = text(p, "epoch_param");
	out->restart_param = text(p, "restart_param");
	out->restart_field = text(p, "restart_field");
	out->args = object(p, "args");
	out->first_args = object(p, "first_args");
	out->oldest_first = json_is_true(json_object_get(p, "oldest_first"));
	out->max_items = json_integer_value(json_object_get(p, "max_items"));
	return 1;
}
