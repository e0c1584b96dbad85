/* none.c - no credentials at all (public APIs, local test servers). */
#include "auth/auth.h"

static int none_apply(const struct connector *c, const struct auth_method *method,
		      const struct connection *conn, struct auth_out *out, struct err *err)
{
	(void)c, (void)method, (void)conn, (void)out, (void)err;
	return 0;
}

const struct auth_handler auth_none = {.type = "none", .apply = none_apply};
