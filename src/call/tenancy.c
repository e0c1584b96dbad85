/* tenancy.c - who may use which connection (see tenancy.h). */
#include "tenancy.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

struct caller *tenancy_caller_new(const char *subject, json_t *groups)
{
	struct caller *who = xcalloc(1, sizeof(*who));
	who->subject = xstrdup(subject);
	who->groups = groups ? json_deep_copy(groups) : json_array();
	who->scopes = json_array();
	return who;
}

struct caller *tenancy_caller_dup(const struct caller *who)
{
	if (!who)
		return NULL;
	struct caller *d = tenancy_caller_new(who->subject, who->groups);
	json_decref(d->scopes);
	d->scopes = who->scopes ? json_deep_copy(who->scopes) : json_array();
	return d;
}

void tenancy_caller_free(struct caller *who)
{
	if (!who)
		return;
	free(who->subject);
	json_decref(who->groups);
	json_decref(who->scopes);
	free(who);
}

static int in_groups(const struct caller *who, const char *group)
{
	size_t i;
	json_t *g;
	json_array_foreach(who->groups, i, g) {
		const char *name = json_string_value(g);
		if (name && strcmp(name, group) == 0)
			return 1;
	}
	return 0;
}

int tenancy_may_use(const struct caller *who, const struct connection *conn)
{
	if (!who)
		return 1;
	if (!conn || !conn->id) /* the environment's connection is the operator's */
		return 0;
	if (conn->owner && who->subject && strcmp(conn->owner, who->subject) == 0)
		return 1;
	size_t i;
	json_t *g;
	json_array_foreach(conn->grants, i, g) {
		if (json_string_value(g) && in_groups(who, json_string_value(g)))
			return 1;
	}
	return 0;
}

void tenancy_log_refusal(const struct caller *who, const char *connector, const char *name)
{
	/* Not to the client: it must not tell refused from unknown. */
	log_warn_local("refused connection '%s/%s' to '%s': not its own nor granted to its groups",
		       connector ? connector : "?", name ? name : "?",
		       who && who->subject ? who->subject : "?");
}
