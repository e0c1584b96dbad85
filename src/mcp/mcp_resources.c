/* mcp_resources.c - resources and subscriptions: the resources methods
 * (events:// and results://), resources/subscribe, subscriptions/listen,
 * and the notifications a change of the store sends. */
#include "mcp_int.h"

#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"
#include "log.h"
#include "mcp_events.h"
#include "mcp_results.h"

void mcp_resources_announce(struct mcp_core *srv, const char *method, const char *uri)
{
	int tools = strcmp(method, "notifications/tools/list_changed") == 0;
	if (srv->era != ERA_MODERN && (!uri || json_object_get(srv->subscriptions, uri)))
		mcp_send(srv, NULL,
			 jsonrpc_notification_new(method,
						  uri ? json_pack("{s:s}", "uri", uri) : NULL));
	for (struct listen *l = srv->listens; l; l = l->next) {
		int wants = uri     ? json_object_get(l->uris, uri) != NULL
			    : tools ? l->tools
				    : l->list;
		if (!wants)
			continue;
		json_t *params = json_pack("{s:{s:O}}", "_meta", META_SUBSCRIPTION, l->id);
		if (uri)
			json_object_set_new(params, "uri", json_string(uri));
		mcp_send(srv, l->id, jsonrpc_notification_new(method, params));
	}
}

/* Events stored since the last look (by `webhooks serve` or `events
 * poll`, usually another process): the resource list changed, and each
 * subscribed events://<connector>/<entity> they belong to is updated. */
static void watch_events(struct mcp_core *srv)
{
	struct event_filter f = {.after_id = srv->last_event_id, .limit = 1000};
	struct event **list = NULL;
	json_t *updated = json_object();
	int any = 0;
	while (store_list_events(srv->store, &f, &list, NULL) == 0 && list[0]) {
		size_t n = 0;
		for (; list[n]; n++) {
			char *uri = events_resource_uri(list[n]);
			json_object_set_new(updated, uri, json_true());
			free(uri);
			f.after_id = list[n]->id;
		}
		any = 1;
		events_free(list);
		list = NULL;
		if (n < 1000)
			break;
	}
	events_free(list);
	srv->last_event_id = f.after_id;
	const char *uri;
	json_t *v;
	json_object_foreach(updated, uri, v)
		mcp_resources_announce(srv, "notifications/resources/updated", uri);
	if (any)
		mcp_resources_announce(srv, "notifications/resources/list_changed", NULL);
	json_decref(updated);
}

void mcp_resources_watch_store(struct mcp_core *srv)
{
	if (!srv->store)
		return;
	int notified = store_take_notices(srv->store);
	int feed = store_notify_fd(srv->store);
	http_watch_fd(srv->http, feed);
	if (!notified && !(srv->tools_stale && !srv->calls) && now_ms() < srv->next_store_check)
		return;
	srv->next_store_check = now_ms() + (feed >= 0 ? STORE_FEED_CHECK_MS : STORE_CHECK_MS);
	long long v = store_data_version(srv->store);
	/* -1: the store is unreachable (a PostgreSQL restart); keep the tools
	 * we have rather than rebuild them from nothing. */
	if (v < 0 || (v == srv->store_version && !srv->tools_stale))
		return;
	if (v != srv->store_version) {
		srv->store_version = v;
		watch_events(srv);
	}
	srv->tools_stale = 1;
	if (srv->calls)
		return; /* tools are borrowed by calls in flight; try again later */
	srv->tools_stale = 0;
	json_t *before = mcp_visible_defs(srv);
	int had_callers = 0;
	for (size_t i = 0; i < CALLER_TOOLS; i++)
		had_callers |= srv->ctools[i].ts != NULL;
	struct err e;
	err_init(&e);
	if (mcp_rebuild_tools(srv, &e) < 0) {
		log_warn("%s", e.msg);
		json_decref(before);
		return;
	}
	/* A caller's list may have changed with a grant the local list does
	 * not show: they were dropped, so say so when there were any. */
	mcp_announce_if_changed(srv, before, had_callers);
}

void mcp_resources_listen_free(struct listen *l)
{
	json_decref(l->id);
	json_decref(l->uris);
	free(l);
}

/* Answer a resources method: a result, or the error handlers set. The
 * 2026-07-28 revision moved "resource not found" from -32002 to -32602. */
static void resources_reply(const struct mcp_req *rq, json_t *result, int code, struct err *e)
{
	if (result) {
		mcp_reply(rq, result);
		return;
	}
	json_t *data = NULL;
	if (code == EVENTS_RESOURCE_NOT_FOUND) {
		/* The spec's example names the URI in data; clients show it. */
		const char *uri = json_string_value(json_object_get(rq->params, "uri"));
		data = uri ? json_pack("{s:s}", "uri", uri) : NULL;
		if (rq->modern)
			code = JSONRPC_INVALID_PARAMS;
	}
	mcp_send(rq->core, rq->id, jsonrpc_error_new(rq->id, code, e->msg, data));
}

void mcp_resources_list(struct mcp_core *srv, const struct mcp_req *rq)
{
	struct err e;
	int code = JSONRPC_INVALID_PARAMS;
	err_init(&e);
	json_t *res = events_resources_list(srv->store, rq->params, rq->caller, &code, &e);
	resources_reply(rq, mcp_cacheable(rq, res, TTL_RESOURCES_MS, "private"), code, &e);
}

void mcp_resources_templates(struct mcp_core *srv, const struct mcp_req *rq)
{
	(void)srv;
	mcp_reply(rq, mcp_cacheable(rq, events_resources_templates(), TTL_TEMPLATES_MS, "public"));
}

void mcp_resources_read(struct mcp_core *srv, const struct mcp_req *rq)
{
	struct err e;
	int code = JSONRPC_INVALID_PARAMS;
	err_init(&e);
	const char *uri = json_string_value(json_object_get(rq->params, "uri"));
	json_t *res = NULL;
	if (results_is_uri(uri)) {
		res = results_read(srv->results, uri, rq->caller ? rq->caller->subject : NULL);
		code = EVENTS_RESOURCE_NOT_FOUND;
		if (!res)
			err_set(&e,
				"Resource not found: %s (a results:// resource lasts %d minutes)",
				uri, RESULTS_TTL_MS / 60000);
	} else {
		res = events_resource_read(srv->store, srv->reg, rq->params, rq->caller, &code, &e);
	}
	resources_reply(rq, mcp_cacheable(rq, res, TTL_RESOURCES_MS, "private"), code, &e);
}

/* resources/subscribe and resources/unsubscribe (initialize era),
 * announced from watch_events. */
static void m_subscribe(struct mcp_core *srv, const struct mcp_req *rq, int sub)
{
	struct err e;
	int code = JSONRPC_INVALID_PARAMS;
	json_t *res = NULL;
	const char *uri = json_string_value(json_object_get(rq->params, "uri"));
	err_init(&e);
	if (!uri) {
		err_set(&e, "%s needs a string 'uri'",
			sub ? "resources/subscribe" : "resources/unsubscribe");
	} else if (sub && (rq->caller || events_resource_check(srv->reg, uri, &e) < 0)) {
		code = EVENTS_RESOURCE_NOT_FOUND;
		err_set(&e, "Resource not found: %s", uri);
	} else {
		if (sub)
			json_object_set_new(srv->subscriptions, uri, json_true());
		else
			json_object_del(srv->subscriptions, uri);
		res = json_object();
	}
	resources_reply(rq, res, code, &e);
}

void mcp_resources_subscribe(struct mcp_core *srv, const struct mcp_req *rq)
{
	m_subscribe(srv, rq, 1);
}

void mcp_resources_unsubscribe(struct mcp_core *srv, const struct mcp_req *rq)
{
	m_subscribe(srv, rq, 0);
}

void mcp_resources_listen(struct mcp_core *srv, const struct mcp_req *rq)
{
	struct err e;
	json_t *want = json_object_get(rq->params, "notifications");
	json_t *uris = json_object_get(want, "resourceSubscriptions");
	err_init(&e);
	if (!json_is_object(want))
		err_set(&e, "subscriptions/listen needs an object 'notifications'");
	else if (uris && !json_is_array(uris))
		err_set(&e, "'resourceSubscriptions' must be an array of URIs");
	for (size_t i = 0; !err_is_set(&e) && i < json_array_size(uris); i++) {
		const char *uri = json_string_value(json_array_get(uris, i));
		if (!uri)
			err_set(&e, "'resourceSubscriptions' must be an array of URIs");
		else if (rq->caller)
			err_set(&e, "Resource not found: %s", uri);
		else
			events_resource_check(srv->reg, uri, &e);
	}
	for (struct listen *l = srv->listens; !err_is_set(&e) && l; l = l->next)
		if (json_equal(l->id, rq->id))
			err_set(&e, "a subscription with this id is already open");
	if (err_is_set(&e)) {
		mcp_reply_error(rq, JSONRPC_INVALID_PARAMS, e.msg);
		return;
	}
	struct listen *l = xcalloc(1, sizeof(*l));
	l->id = json_incref(rq->id); /* dropped in mcp_resources_listen_free */
	l->tools = json_is_true(json_object_get(want, "toolsListChanged"));
	l->list = json_is_true(json_object_get(want, "resourcesListChanged"));
	l->uris = json_object();
	json_t *ack = json_object(), *v;
	size_t i;
	if (l->tools)
		json_object_set_new(ack, "toolsListChanged", json_true());
	if (l->list)
		json_object_set_new(ack, "resourcesListChanged", json_true());
	json_array_foreach(uris, i, v)
		json_object_set_new(l->uris, json_string_value(v), json_true());
	if (json_array_size(uris))
		json_object_set(ack, "resourceSubscriptions", uris);
	l->next = srv->listens;
	srv->listens = l;
	mcp_send(srv, l->id,
		 jsonrpc_notification_new("notifications/subscriptions/acknowledged",
					  json_pack("{s:{s:O}, s:o}", "_meta", META_SUBSCRIPTION,
						    l->id, "notifications", ack)));
}
