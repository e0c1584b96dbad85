/* connector.h - the typed connector model: a connector file's blocks read
 * into C structs in one place, so the code below the registry reads fields,
 * not JSON keys, and a key's default is spelled once. Each block moves here
 * from the JSON in its own step (issue 14); the polling block is the first.
 * Strings and JSON values in these structs are borrowed from the connector's
 * document and live as long as the registry. */
#ifndef SB_CONNECTOR_H
#define SB_CONNECTOR_H

#include <jansson.h>

/* An entity's "polling" block: how `events poll` finds changes of an
 * entity without webhooks by calling its list action (the schema's
 * descriptions say what each key means). */
struct polling_spec {
	const char *action;   /* the list action; default "list" */
	const char *field;    /* the item field the cursor follows; NULL: cannot poll */
	const char *param;    /* the action's filter parameter, or NULL */
	const char *filter;   /* param's template with {value}, or NULL */
	const char *id_field; /* an item's id: polling's id_field, else the entity's, else "id" */
	json_t *id_fields;    /* or several fields that together tell items apart; NULL */
	const char *id_param; /* takes the newest item's id (Stripe's ending_before), or NULL */
	const char *scope_param;   /* names a separate collection (a mailbox), or NULL */
	const char *epoch_field;   /* an item field that scopes the cursor, or NULL */
	const char *epoch_param;   /* the action's parameter taking the epoch, or NULL */
	const char *restart_param; /* after an epoch change: narrows to items since a time */
	const char *restart_field; /* after an epoch change: the item's time field */
	json_t *args;              /* arguments every poll passes (an object), or NULL */
	json_t *first_args;        /* the first poll's instead of args, or NULL */
	int oldest_first;          /* declared: with args, the list is oldest change first */
	long long max_items;       /* the most items one poll reads; 0: the caller's default */
};

/* Fill out from entity (an entity object of a loaded connector): 1 when it
 * has a polling block, 0 when it has none (out is zeroed). */
int connector_polling(json_t *entity, struct polling_spec *out);

#endif
