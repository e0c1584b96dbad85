/* auth.c - the table from method name to handler. */
#include "auth/auth.h"

#include <string.h>

static const struct auth_handler *handlers[] = {&auth_none,    &auth_basic,  &auth_bearer,
						&auth_api_key, &auth_oauth2, &auth_custom};

const struct auth_handler *auth_find(const char *type)
{
	for (size_t i = 0; type && i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i]->type, type) == 0)
			return handlers[i];
	return NULL;
}

void auth_stop(int on)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i]->stop)
			handlers[i]->stop(on);
}
