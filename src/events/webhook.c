/* webhook.c - receiving vendor webhooks: route a delivery to its connection,
 * verify it (webhook_verify.c), split it into events named the way the
 * connector's entity events maps name them, and store them all in one
 * transaction before answering. Vendor shapes that data cannot express
 * (Xero's events[], Slack's channel_type, QuickBooks' legacy payload, Slack's
 * url_verification) are small hooks in one table keyed by the block's
 * "payload". */
#include "webhook.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "conns.h"
#include "crypto.h"
#include "jsonx.h"
#include "log.h"
#include "urlenc.h"
#include "webhook_int.h"

/* ---- JSON helpers shared with the other webhook files ---- */

json_t *webhook_dotted(json_t *doc, const char *path)
{
	json_t *cur = doc;
	const char *p = path;
	while (cur && p && *p) {
		size_t n = strcspn(p, ".");
		char *key = xstrndup(p, n);
		cur = json_object_get(cur, key);
		free(key);
		p = p[n] ? p + n + 1 : NULL;
	}
	return cur;
}

char *webhook_scalar(json_t *v)
{
	return json_is_string(v) || json_is_number(v) ? urlenc_scalar_text(v) : NULL;
}

int webhook_map_event(const struct connector *c, const char *vendor, const char **entity,
		      const char **event)
{
	for (size_t i = 0; c->model && i < c->model->n_entities; i++) {
		const struct entity_spec *e = &c->model->entities[i];
		for (size_t j = 0; j < e->n_events; j++)
			for (const char **v = e->events[j].vendor; *v; v++)
				if (strcmp(*v, vendor) == 0) {
					*entity = e->name;
					*event = e->events[j].name;
					return 1;
				}
	}
	return 0;
}

/* ---- vendor shapes ---- */

struct shape {
	const char *payload;
	/* The events of a delivery: a new array, or NULL for the default (an
	 * array's elements, else the body itself). */
	json_t *(*items)(json_t *doc);
	/* The vendor's event name of one item from what the header and the
	 * pointer gave (either may be NULL); a new string or NULL. */
	char *(*name)(json_t *item, const char *from_header, const char *from_pointer);
	/* Answer a delivery that is a handshake rather than an event; 1 when
	 * it did. */
	int (*answer)(json_t *doc, struct listen_response *resp);
};

/* Xero: {events: [...], firstEventSequence, ...}; an empty events[] is the
 * intent-to-receive check. */
static json_t *xero_items(json_t *doc)
{
	json_t *events = json_object_get(doc, "events");
	return json_is_array(events) ? json_incref(events) /* the caller drops it */
				     : json_array();
}

/* Xero names events CONTACT.CREATE from eventCategory and eventType. */
static char *xero_name(json_t *item, const char *from_header, const char *from_pointer)
{
	const char *cat = json_string_value(json_object_get(item, "eventCategory"));
	const char *type = json_string_value(json_object_get(item, "eventType"));
	(void)from_header, (void)from_pointer;
	return cat && type ? xasprintf("%s.%s", cat, type) : NULL;
}

/* Slack delivers message.channels as event.type "message" with
 * event.channel_type "channel" (group, im, mpim). */
static char *slack_name(json_t *item, const char *from_header, const char *from_pointer)
{
	static const char *const kinds[][2] = {{"channel", "message.channels"},
					       {"group", "message.groups"},
					       {"im", "message.im"},
					       {"mpim", "message.mpim"}};
	(void)from_header;
	if (!from_pointer)
		return NULL;
	const char *ct =
		json_string_value(json_object_get(json_object_get(item, "event"), "channel_type"));
	for (size_t i = 0; ct && strcmp(from_pointer, "message") == 0 && i < 4; i++)
		if (strcmp(ct, kinds[i][0]) == 0)
			return xstrdup(kinds[i][1]);
	return xstrdup(from_pointer);
}

/* Slack checks a new request URL with {type: url_verification, challenge}. */
static int slack_answer(json_t *doc, struct listen_response *resp)
{
	const char *type = json_string_value(json_object_get(doc, "type"));
	const char *challenge = json_string_value(json_object_get(doc, "challenge"));
	if (!type || strcmp(type, "url_verification") != 0 || !challenge)
		return 0;
	json_t *out = json_pack("{s:s}", "challenge", challenge);
	resp->status = 200;
	resp->content_type = "application/json";
	resp->body = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return 1;
}

/* QuickBooks: CloudEvents arrays; the legacy {eventNotifications: [{realmId,
 * dataChangeEvent: {entities: [{name, id, operation, lastUpdated}]}}]}
 * becomes one CloudEvent-shaped item per entity change, its id made of
 * realm, entity, operation and time (the entity's id alone would make a
 * second change of the record look like a replay). */
static json_t *quickbooks_items(json_t *doc)
{
	static const char *const ops[][2] = {{"Create", "created"}, {"Update", "updated"},
					     {"Delete", "deleted"}, {"Merge", "merged"},
					     {"Void", "voided"},    {"Emailed", "emailed"}};
	json_t *notes = json_object_get(doc, "eventNotifications");
	if (json_is_array(doc) || !json_is_array(notes))
		return NULL;
	json_t *out = json_array();
	size_t i, j;
	json_t *note, *ent;
	json_array_foreach(notes, i, note) {
		const char *realm = json_string_value(json_object_get(note, "realmId"));
		json_array_foreach(
			json_object_get(json_object_get(note, "dataChangeEvent"), "entities"), j,
			ent) {
			const char *name = json_string_value(json_object_get(ent, "name"));
			const char *op = json_string_value(json_object_get(ent, "operation"));
			const char *at = json_string_value(json_object_get(ent, "lastUpdated"));
			char *eid = webhook_scalar(json_object_get(ent, "id"));
			const char *done = NULL;
			for (size_t k = 0; op && k < sizeof(ops) / sizeof(ops[0]); k++)
				if (strcmp(op, ops[k][0]) == 0)
					done = ops[k][1];
			char *low = xstrdup(name ? name : "");
			for (char *p = low; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			char *type = xasprintf("qbo.%s.%s.v1", low, done ? done : "changed");
			char *id = xasprintf("%s:%s:%s:%s:%s", realm ? realm : "", name ? name : "",
					     eid ? eid : "", op ? op : "", at ? at : "");
			json_array_append_new(
				out,
				json_pack("{s:s, s:s, s:o, s:o, s:o, s:O}", "id", id, "type", type,
					  "intuitentityid", eid ? json_string(eid) : json_null(),
					  "intuitaccountid",
					  realm ? json_string(realm) : json_null(), "time",
					  at ? json_string(at) : json_null(), "data", ent));
			free(id);
			free(type);
			free(low);
			free(eid);
		}
	}
	return out;
}

static const struct shape shapes[] = {
	{"xero", xero_items, xero_name, NULL},
	{"slack", NULL, slack_name, slack_answer},
	{"quickbooks", quickbooks_items, NULL, NULL},
};

static const struct shape *shape_of(const struct webhook_spec *wh)
{
	for (size_t i = 0; wh->payload && i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (strcmp(shapes[i].payload, wh->payload) == 0)
			return &shapes[i];
	return NULL;
}

/* ---- a delivery as events ---- */

static const char *header_value(json_t *headers, const char *name)
{
	if (!name)
		return NULL;
	char *low = xstrdup(name);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *v = json_string_value(json_object_get(headers, low));
	free(low);
	return v;
}

/* Slack's interactivity posts form-encoded payload=<json>; a new string. */
static char *form_payload(const char *body, size_t len)
{
	if (len < 8 || strncmp(body, "payload=", 8) != 0)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 8; i < len && body[i] != '&'; i++) {
		if (body[i] == '+') {
			buf_adds(&b, " ");
		} else if (body[i] == '%' && i + 2 < len && isxdigit((unsigned char)body[i + 1]) &&
			   isxdigit((unsigned char)body[i + 2])) {
			char hex[3] = {body[i + 1], body[i + 2], 0};
			char c = (char)strtol(hex, NULL, 16);
			buf_add(&b, &c, 1);
			i += 2;
		} else {
			buf_add(&b, body + i, 1);
		}
	}
	return buf_detach(&b);
}

static char *sha256_id(const void *data, size_t len)
{
	unsigned char d[32];
	crypto_sha256(data, len, d);
	char *hex = crypto_hex(d, sizeof(d));
	char *id = xasprintf("sha256:%s", hex);
	free(hex);
	return id;
}

static json_t *parse_body(const char *body, size_t len, struct err *err)
{
	json_error_t je;
	char *form = form_payload(body, len);
	json_t *doc = form ? json_loads(form, 0, &je) : json_loadb(body, len, 0, &je);
	free(form);
	if (!doc)
		err_set(err, "the body is not JSON: %s", je.text);
	return doc;
}

json_t *webhook_events(const struct connector *c, json_t *headers, const char *body,
		       size_t body_len, struct err *err)
{
	const struct webhook_spec *wh = &c->info->webhooks;
	const struct shape *sh = shape_of(wh);
	json_t *doc = parse_body(body, body_len, err);
	if (!doc)
		return NULL;
	json_t *items = sh && sh->items ? sh->items(doc) : NULL;
	int whole = 0; /* the body itself is the one event */
	if (!items) {
		if (json_is_array(doc)) {
			items = json_incref(doc); /* dropped below */
		} else {
			items = json_pack("[O]", doc);
			whole = 1;
		}
	}
	const char *from_header = header_value(headers, wh->event_header);
	const char *id_header = header_value(headers, wh->id_header);
	const char *event_ptr = wh->event_pointer;
	const char *id_ptr = wh->id_pointer;
	json_t *out = json_array();
	size_t i;
	json_t *item;
	/* An element that is no object (a vendor's format change) is still a
	 * verified part of the delivery: it is kept as an unknown event rather
	 * than refused, since a refused batch comes back the same on every retry
	 * and is lost when the vendor gives up. */
	json_array_foreach(items, i, item) {
		const char *from_pointer =
			event_ptr ? json_string_value(jsonx_pointer(item, event_ptr)) : NULL;
		char *vendor = sh && sh->name ? sh->name(item, from_header, from_pointer) : NULL;
		if (!vendor && from_header && from_pointer)
			vendor = xasprintf("%s.%s", from_header, from_pointer);
		else if (!vendor && (from_header || from_pointer))
			vendor = xstrdup(from_header ? from_header : from_pointer);
		else if (!vendor && json_is_string(json_object_get(item, "type")))
			vendor = xstrdup(json_string_value(json_object_get(item, "type")));
		else if (!vendor)
			vendor = xstrdup("unknown");

		char *id = NULL;
		if (id_header)
			id = json_array_size(items) > 1 ? xasprintf("%s:%zu", id_header, i)
							: xstrdup(id_header);
		if (!id && id_ptr)
			id = webhook_scalar(jsonx_pointer(item, id_ptr));
		if (!id && whole) {
			id = sha256_id(body, body_len);
		} else if (!id) {
			char *dump =
				json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
			id = sha256_id(dump, strlen(dump));
			free(dump);
		}

		const char *entity = NULL, *event = NULL;
		webhook_map_event(c, vendor, &entity, &event);
		json_array_append_new(out,
				      json_pack("{s:o, s:s, s:s, s:s, s:O}", "entity",
						entity ? json_string(entity) : json_null(), "event",
						event ? event : vendor, "vendor_event", vendor,
						"id", id, "payload", item));
		free(vendor);
		free(id);
	}
	json_decref(items);
	json_decref(doc);
	return out;
}

/* ---- the receiving end ---- */

static void answer(struct listen_response *resp, int status, const char *text)
{
	resp->status = status;
	resp->content_type = NULL;
	resp->body = xstrdup(text);
}

/* The URL the vendor called, for schemes that sign it: the connection's
 * webhook_url when set (the URL registered with the vendor), else rebuilt
 * from X-Forwarded-Proto/Host (a tunnel or proxy) or Host. A new string. */
static char *public_url(const struct connection *conn, const struct listen_request *req)
{
	const char *set = connection_value(conn, "webhook_url");
	if (set && *set)
		return xstrdup(set);
	const char *proto = json_string_value(json_object_get(req->headers, "x-forwarded-proto"));
	const char *host = json_string_value(json_object_get(req->headers, "x-forwarded-host"));
	if (!host)
		host = json_string_value(json_object_get(req->headers, "host"));
	/* A proxy chain lists values left to right; the first is the client's. */
	size_t pl = proto ? strcspn(proto, ", ") : 0, hl = host ? strcspn(host, ", ") : 0;
	return xasprintf("%.*s://%.*s%s", (int)(pl ? pl : 4), pl ? proto : "http", (int)hl,
			 host ? host : "", req->target ? req->target : req->path);
}

/* "<prefix>/<connector>/<connection>[/]" into two new strings; 0 or -1. */
static int route(const char *prefix, const char *path, char **connector, char **name)
{
	size_t pl = strlen(prefix);
	while (pl && prefix[pl - 1] == '/')
		pl--;
	if (strncmp(path, prefix, pl) != 0 || path[pl] != '/')
		return -1;
	const char *a = path + pl + 1;
	size_t an = strcspn(a, "/");
	const char *b = a + an + (a[an] == '/');
	size_t bn = strcspn(b, "/");
	if (!an || !bn || a[an] != '/' || (b[bn] && strcmp(b + bn, "/") != 0))
		return -1;
	*connector = xstrndup(a, an);
	*name = xstrndup(b, bn);
	return 0;
}

/* One verified delivery on its way to the store. */
struct delivery {
	char *who;      /* "<connector>/<connection>", for the log */
	json_t *events; /* from webhook_events; evs borrows its strings */
	struct event *evs;
	struct event **ptrs;
	struct event_group group;
	struct listen_ticket *ticket; /* when answered from the batcher's thread */
	struct delivery *next;
};

static struct delivery *delivery_new(const struct connector *c, const struct connection *conn,
				     json_t *events, const char *who)
{
	struct delivery *d = xcalloc(1, sizeof(*d));
	size_t n = json_array_size(events);
	d->who = xstrdup(who);
	d->events = json_incref(events); /* dropped in delivery_free */
	d->evs = xcalloc(n ? n : 1, sizeof(*d->evs));
	d->ptrs = xcalloc(n ? n : 1, sizeof(*d->ptrs));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(events, i);
		d->evs[i].connector = c->slug;
		d->evs[i].connection_id = conn->id;
		d->evs[i].entity = (char *)json_string_value(json_object_get(e, "entity"));
		d->evs[i].event_type = (char *)json_string_value(json_object_get(e, "event"));
		d->evs[i].vendor_type =
			(char *)json_string_value(json_object_get(e, "vendor_event"));
		d->evs[i].vendor_event_id = (char *)json_string_value(json_object_get(e, "id"));
		d->evs[i].payload = json_object_get(e, "payload"); /* borrowed; not freed here */
		d->ptrs[i] = &d->evs[i];
	}
	d->group.evs = d->ptrs;
	d->group.n = n;
	return d;
}

static void delivery_free(struct delivery *d)
{
	if (!d)
		return;
	json_decref(d->events);
	free(d->ptrs);
	free(d->evs);
	free(d->who);
	free(d);
}

/* Store the deliveries of list (n of them) in one transaction, each whole
 * or not at all, and log each; then each group's added says how it went. */
static void store_deliveries(struct store *st, struct delivery *list, size_t n)
{
	struct event_group *groups = xcalloc(n, sizeof(*groups));
	struct delivery *d = list;
	for (size_t i = 0; i < n; i++, d = d->next)
		groups[i] = d->group;
	struct err e;
	err_init(&e);
	int rc = store_add_event_groups(st, groups, n, &e);
	fault_point("webhook_after_store");
	d = list;
	for (size_t i = 0; i < n; i++, d = d->next) {
		struct event_group *g = &groups[i];
		d->group.added = g->added;
		if (g->added < 0)
			log_error("webhook %s: cannot store %zu event%s: %s", d->who, g->n,
				  g->n == 1 ? "" : "s", rc < 0 ? e.msg : g->err.msg);
		else if (g->n == 0)
			log_info("webhook %s: verified a delivery with no events", d->who);
		else
			log_info("webhook %s: %s: %d new, %zu duplicate%s", d->who,
				 d->evs[0].vendor_type, g->added, g->n - (size_t)g->added,
				 g->n - (size_t)g->added == 1 ? "" : "s");
	}
	free(groups);
}

static int delivery_status(const struct delivery *d)
{
	return d->group.added < 0 ? 500 : 200;
}

static char *delivery_body(const struct delivery *d)
{
	return xstrdup(d->group.added < 0 ? "cannot store the delivery\n" : "");
}

/* ---- group commit ---- */

/* Deliveries that arrive while the previous group is being flushed wait in
 * the queue and go to disk together, in one transaction and one fsync;
 * each is answered only after its group committed. The batcher's thread
 * has a store handle of its own. */
struct webhook_batcher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct delivery *head, **tail; /* under lock */
	int running;                   /* under lock */
	struct store *store;
};

static void *batcher_main(void *arg)
{
	struct webhook_batcher *b = arg;
	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (b->running && !b->head)
			pthread_cond_wait(&b->wake, &b->lock);
		struct delivery *list = b->head;
		if (!list)
			break; /* stopped, and nothing left */
		b->head = NULL;
		b->tail = &b->head;
		pthread_mutex_unlock(&b->lock);
		size_t n = 0;
		for (struct delivery *d = list; d; d = d->next)
			n++;
		if (n > 1)
			log_debug("webhook: %zu deliveries go to the store in one transaction", n);
		store_deliveries(b->store, list, n);
		while (list) {
			struct delivery *next = list->next;
			listen_answer(list->ticket, delivery_status(list), NULL,
				      delivery_body(list));
			delivery_free(list);
			list = next;
		}
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int webhook_receiver_start(struct webhook_receiver *rc, struct err *err)
{
	struct webhook_batcher *b = xcalloc(1, sizeof(*b));
	b->store = store_open(store_path(rc->store), err);
	if (!b->store) {
		free(b);
		return -1;
	}
	b->tail = &b->head;
	b->running = 1;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	if (pthread_create(&b->thread, NULL, batcher_main, b) != 0) {
		err_set(err, "cannot start the webhook store thread");
		pthread_cond_destroy(&b->wake);
		pthread_mutex_destroy(&b->lock);
		store_free(b->store);
		free(b);
		return -1;
	}
	rc->batcher = b;
	return 0;
}

void webhook_receiver_stop(struct webhook_receiver *rc)
{
	struct webhook_batcher *b = rc->batcher;
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->running = 0;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL); /* stores and answers what was queued */
	pthread_cond_destroy(&b->wake);
	pthread_mutex_destroy(&b->lock);
	store_free(b->store);
	free(b);
	rc->batcher = NULL;
}

/* Queue d for the batcher (answered from its thread), or store it here and
 * now when there is no batcher running. Takes d. */
static void store_delivery(struct webhook_receiver *rc, struct delivery *d,
			   const struct listen_request *req, struct listen_response *resp)
{
	struct webhook_batcher *b = rc->batcher;
	if (b) {
		pthread_mutex_lock(&b->lock);
		if (b->running) {
			log_debug("webhook %s: verified; queued for the store", d->who);
			d->ticket = listen_defer(req);
			*b->tail = d;
			b->tail = &d->next;
			pthread_cond_signal(&b->wake);
			pthread_mutex_unlock(&b->lock);
			return;
		}
		pthread_mutex_unlock(&b->lock);
	}
	store_deliveries(rc->store, d, 1);
	resp->status = delivery_status(d);
	resp->body = delivery_body(d);
	delivery_free(d);
}

void webhook_receive(const struct listen_request *req, struct listen_response *resp, void *ctx)
{
	struct webhook_receiver *rc = ctx;
	char *slug = NULL, *name = NULL, *who = NULL, *url = NULL;
	struct connection *conn = NULL;
	json_t *events = NULL;
	struct err e;
	err_init(&e);

	if (route(rc->prefix, req->path, &slug, &name) < 0) {
		answer(resp, 404,
		       "not found: deliveries go to <prefix>/<connector>/<connection>\n");
		goto done;
	}
	who = xasprintf("%s/%s", slug, name);
	const struct connector *c = registry_find(rc->reg, slug);
	const struct webhook_spec *wh = c ? &c->info->webhooks : NULL;
	const char *scheme = wh ? wh->scheme : NULL;
	if (!c || !scheme || strcmp(scheme, "none") == 0) {
		log_warn("webhook %s: %s", who,
			 c ? "this connector sends no webhooks" : "no such connector");
		answer(resp, 404, "unknown connector\n");
		goto done;
	}
	if (strcmp(req->method, "POST") != 0) {
		answer(resp, 405, "deliveries are POST\n");
		goto done;
	}
	conn = conns_resolve(rc->store, c, name, NULL, &e);
	if (!conn) {
		log_warn("webhook %s: %s", who, e.msg);
		answer(resp, 404, "unknown connection\n");
		goto done;
	}
	const char *field = wh->secret_field;
	/* One secret, or several (endpoints, a rotation): see webhook_verify_any. */
	json_t *secrets = field ? json_object_get(conn->config, field) : NULL;
	if (field && !secrets)
		secrets = json_object_get(conn->secrets, field);
	if (webhook_secret_count(secrets) == 0) {
		log_error("webhook %s: the connection has no %s to verify deliveries with: set it "
			  "with 'switchboard connections edit %s --secret-stdin'",
			  who, field ? field : "secret_field", who);
		answer(resp, 500, "webhook secret not configured\n");
		goto done;
	}
	url = public_url(conn, req);
	struct webhook_request wr = {req->method, url,           req->headers,
				     req->body,   req->body_len, now_s()};
	enum webhook_verdict v = webhook_verify_any(wh, secrets, &wr, &e);
	if (v != WEBHOOK_OK) {
		/* One line, never the body: it is unauthenticated input. */
		log_warn("webhook %s: rejected a delivery from %s: %s", who,
			 *req->remote ? req->remote : "?", e.msg);
		if (v == WEBHOOK_BAD_SECRET)
			answer(resp, 500, "webhook secret not usable\n");
		else
			answer(resp, 401, "signature verification failed\n");
		goto done;
	}
	const struct shape *sh = shape_of(wh);
	json_t *doc = sh && sh->answer ? parse_body(req->body, req->body_len, NULL) : NULL;
	int answered = doc && sh->answer(doc, resp);
	json_decref(doc);
	if (answered) {
		log_info("webhook %s: answered a handshake", who);
		goto done;
	}
	events = webhook_events(c, req->headers, req->body, req->body_len, &e);
	if (!events) {
		log_warn("webhook %s: verified delivery refused, nothing stored: %s", who, e.msg);
		answer(resp, 400, "the body is not JSON events: nothing was stored\n");
		goto done;
	}
	store_delivery(rc, delivery_new(c, conn, events, who), req, resp);
done:
	json_decref(events);
	connection_free(conn);
	free(url);
	free(who);
	free(slug);
	free(name);
}
