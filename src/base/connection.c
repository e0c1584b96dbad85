/* connection.c - reading a connection's values (connection.h). */
#include "connection.h"

const char *connection_value(const struct connection *conn, const char *name)
{
	json_t *v = conn ? json_object_get(conn->config, name) : NULL;
	if (!v && conn)
		v = json_object_get(conn->secrets, name);
	return json_string_value(v);
}
