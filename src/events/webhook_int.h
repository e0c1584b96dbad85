/* webhook_int.h - helpers shared by the webhook files only (webhook.c,
 * webhook_events.c, webhook_poll.c); everyone else uses webhook.h. */
#ifndef SB_WEBHOOK_INT_H
#define SB_WEBHOOK_INT_H

#include <jansson.h>

#include "registry.h"

/* The value at a dotted path ("MetaData.LastUpdatedTime"); borrowed or NULL. */
json_t *webhook_dotted(json_t *doc, const char *path);
/* A string or number as text (urlenc_scalar_text: reals in the fewest
 * digits that read back the same), a new string; else NULL. */
char *webhook_scalar(json_t *v);
/* Where a vendor's event name belongs: the entity and canonical event of
 * the connector's entity events maps (borrowed). 1 found, 0 not. */
int webhook_map_event(const struct connector *c, const char *vendor, const char **entity,
		      const char **event);

#endif
