/* mcp_connect.c - switchboard_connect: pick the way a connector connects
 * (OAuth with a stored app, else a key page), ask for missing non-secret
 * settings by form elicitation, show the URL by URL elicitation when the
 * client can, and say when the connection is made. */
#include "mcp_connect.h"

#include <stdlib.h>
#include <string.h>

#include "connect_page.h"
#include "connector.h"
#include "jsonrpc.h"
#include "log.h"
#include "oauth_connect.h"
#include "mcp_result.h"

#define CONNECT_TTL_MS (CONNECT_PAGE_TTL_S * 1000LL)

enum step {
	STEP_FORM, /* waiting for the client's answer to a form elicitation */
	STEP_URL,  /* the flow runs; waiting for the answer to a URL elicitation */
	STEP_WAIT  /* the flow runs; the tool call is answered */
};

struct flow {
	enum step step;
	const struct connector *c;
	const struct auth_method *method; /* borrowed from c */
	char *name, *tenant;
	json_t *settings;         /* non-secret values, owned */
	struct oauth_connect *oc; /* one of these two, once started */
	struct connect_page *page;
	void *call;           /* the tools/call still unanswered (io handle), or NULL */
	int form, url;        /* elicitation modes this call may use */
	json_t *request_id;   /* our elicitation/create in flight, owned; or NULL */
	char *elicitation_id; /* a URL elicitation's, to say it completed */
	struct store *st;     /* borrowed: the server's */
	long long deadline_ms;
	struct flow *next;
};

struct mcp_connect {
	struct mcp_connect_io io;
	long long next_request;
	struct flow *flows;
};

static void send_and_free(struct mcp_connect *mc, struct flow *f, json_t *msg)
{
	mc->io.send(msg, f->call, mc->io.ctx);
}

/* Answer the flow's tools/call with result (stolen). */
static void answer(struct mcp_connect *mc, struct flow *f, json_t *result)
{
	if (f->call)
		mc->io.answer(f->call, result, mc->io.ctx);
	else
		json_decref(result);
	f->call = NULL;
}

static void answer_error(struct mcp_connect *mc, struct flow *f, const char *msg)
{
	answer(mc, f, result_error(msg, NULL));
}

static const char *flow_target(const struct flow *f)
{
	return f->oc ? oauth_connect_target(f->oc) : f->page ? connect_page_target(f->page) : "";
}

static const char *flow_url(const struct flow *f)
{
	return f->oc ? oauth_connect_url(f->oc) : connect_page_url(f->page);
}

static void flow_free(struct mcp_connect *mc, struct flow *f)
{
	if (f->call)
		mc->io.forget(f->call, mc->io.ctx);
	oauth_connect_free(f->oc);
	connect_page_free(f->page);
	json_decref(f->settings);
	json_decref(f->request_id);
	free(f->elicitation_id);
	free(f->name);
	free(f->tenant);
	free(f);
}

static void flow_drop(struct mcp_connect *mc, struct flow *f)
{
	for (struct flow **pp = &mc->flows; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	flow_free(mc, f);
}

struct mcp_connect *mcp_connect_new(const struct mcp_connect_io *io)
{
	struct mcp_connect *mc = xcalloc(1, sizeof(*mc));
	mc->io = *io;
	return mc;
}

void mcp_connect_free(struct mcp_connect *mc)
{
	if (!mc)
		return;
	while (mc->flows)
		flow_drop(mc, mc->flows);
	free(mc);
}

/* The method switchboard_connect uses for c: the one asked for; else the
 * auth of the connection being reconnected; else OAuth when its app is
 * stored; else the default when key-based; else the first key-based one.
 * Borrowed; NULL with err. */
static const struct auth_method *pick_method(struct store *st, const struct connector *c,
					     const char *asked, const char *name, struct err *err)
{
	const struct auth_method *m = NULL;
	if (asked) {
		m = connector_auth_method(c, asked);
		if (!m || !(connect_key_based(asked) || strcmp(asked, "oauth2") == 0))
			err_set(err, "%s has no auth method '%s' to connect with", c->slug, asked);
		return m;
	}
	struct err e;
	err_init(&e);
	struct connection *old = store_get_connection(st, c->slug, name, 0, &e);
	if (old && old->auth)
		m = connector_auth_method(c, old->auth);
	connection_free(old);
	if (m)
		return m;
	if ((m = connect_default_method(st, c)))
		return m;
	const struct auth_method *oauth = connector_auth_method(c, "oauth2");
	if (oauth)
		return oauth; /* its error names oauth-app set */
	err_set(err, "%s takes no credentials to connect", c->slug);
	return NULL;
}

/* Send elicitation/create with params (stolen) for flow f. */
static void elicit(struct mcp_connect *mc, struct flow *f, json_t *params)
{
	char *id = xasprintf("sb-elicit-%lld", ++mc->next_request);
	json_decref(f->request_id);
	f->request_id = json_string(id);
	send_and_free(mc, f,
		      json_pack("{s:s, s:s, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method",
				"elicitation/create", "params", params));
	free(id);
}

/* The non-secret settings f's method needs that neither the arguments nor
 * the connection being reconnected give: a form elicitation's
 * requestedSchema, or NULL when none is missing. New. */
static json_t *missing_settings(struct flow *f)
{
	json_t *fields = connect_form_fields(f->c, f->method), *d;
	json_t *props = json_object(), *required = json_array();
	const char *k;
	struct err e;
	err_init(&e);
	struct connection *old = store_get_connection(f->st, f->c->slug, f->name, 0, &e);
	json_object_foreach(fields, k, d) {
		if (json_is_true(json_object_get(d, "secret")) ||
		    !json_is_true(json_object_get(d, "required")) ||
		    json_object_get(f->settings, k) || (old && json_object_get(old->config, k)))
			continue;
		json_object_set_new(props, k,
				    json_pack("{s:s, s:O, s:O}", "type", "string", "title",
					      json_object_get(d, "label"), "description",
					      json_object_get(d, "description")));
		json_array_append_new(required, json_string(k));
	}
	connection_free(old);
	json_decref(fields);
	if (!json_object_size(props)) {
		json_decref(props);
		json_decref(required);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:o}", "type", "object", "properties", props, "required",
			 required);
}

static const char *vendor(const struct flow *f)
{
	const char *n = f->c->info->name;
	return n ? n : f->c->slug;
}

/* Start the OAuth flow or the key page and show or return its URL. */
static void begin(struct mcp_connect *mc, struct flow *f)
{
	struct err e;
	err_init(&e);
	const char *type = f->method->type;
	int oauth = strcmp(type, "oauth2") == 0;
	if (oauth) {
		struct oauth_connect_opts o = {f->c, f->name, f->settings, NULL, f->tenant};
		f->oc = oauth_connect_begin(f->st, &o, &e);
	} else {
		struct connect_page_opts o = {f->c, f->method, f->name, f->settings};
		f->page = connect_page_start(f->st, &o, &e);
	}
	if (!f->oc && !f->page) {
		answer_error(mc, f, e.msg);
		flow_drop(mc, f);
		return;
	}
	f->deadline_ms = now_ms() + CONNECT_TTL_MS;
	log_info("connect %s: waiting for the browser", flow_target(f));
	if (f->url) {
		char *id = connect_token(&e);
		char *msg =
			oauth ? xasprintf("Open this page to sign in to %s and approve access "
					  "for switchboard (connection %s).",
					  vendor(f), flow_target(f))
			      : xasprintf("Open this page on this computer to enter your %s "
					  "credentials for switchboard (connection %s). They go "
					  "straight to switchboard, not to the assistant.",
					  vendor(f), flow_target(f));
		if (id) {
			f->elicitation_id = id;
			f->step = STEP_URL;
			elicit(mc, f,
			       json_pack("{s:s, s:s, s:s, s:s}", "mode", "url", "elicitationId", id,
					 "url", flow_url(f), "message", msg));
			free(msg);
			return;
		}
		free(msg);
	}
	f->step = STEP_WAIT;
	answer(mc, f,
	       result_success(json_pack(
		       "{s:{s:s, s:s, s:s, s:I, s:s}}", "data",
		       oauth ? "authorization_url" : "connect_url", flow_url(f), "connection",
		       flow_target(f), "auth", type, "expires_in_s",
		       (json_int_t)(CONNECT_TTL_MS / 1000), "next",
		       oauth ? "Show the user this URL to open in their browser and approve "
			       "access. "
			       "When they have, the connection is saved and the tool list changes "
			       "(call switchboard_connections to check)."
			     : "Show the user this URL to open in a browser on this computer, "
			       "where "
			       "they type the credentials themselves; never ask them for the key "
			       "in the chat. It works once, for 10 minutes. When they have saved "
			       "it, the tool list changes.")));
}

void mcp_connect_start(struct mcp_connect *mc, struct store *st, const struct registry *r,
		       void *call, json_t *client_caps, int may_elicit, json_t *args)
{
	const char *slug = json_string_value(json_object_get(args, "connector"));
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *settings = json_object_get(args, "settings");
	const struct connector *c = registry_find(r, slug);
	struct flow *f = xcalloc(1, sizeof(*f));
	struct err e;
	err_init(&e);
	json_t *el = json_object_get(client_caps, "elicitation");
	f->call = call;
	f->url = may_elicit && json_is_object(json_object_get(el, "url"));
	/* An empty object is form mode, for clients from before modes. */
	f->form = may_elicit && json_is_object(el) &&
		  (json_object_size(el) == 0 || json_is_object(json_object_get(el, "form")));
	f->c = c;
	f->st = st;
	f->name = xstrdup(name ? name : "default");
	f->tenant = json_is_string(json_object_get(args, "tenant"))
			    ? xstrdup(json_string_value(json_object_get(args, "tenant")))
			    : NULL;
	f->settings = json_object();
	f->next = mc->flows;
	mc->flows = f;
	if (!c)
		err_set(&e, "no connector '%s'; switchboard_connections lists them", slug);
	else if (!st)
		err_set(&e, "the store is not available, so no connection can be saved");
	else
		f->method = pick_method(st, c, json_string_value(json_object_get(args, "auth")),
					f->name, &e);
	json_t *fields = f->method ? connect_form_fields(c, f->method) : NULL;
	const char *k;
	json_t *v;
	json_object_foreach(settings, k, v) {
		json_t *d = json_object_get(fields, k);
		if (err_is_set(&e))
			break;
		if (d && json_is_true(json_object_get(d, "secret")))
			err_set(&e,
				"'%s' is a secret: never pass it as an argument. The page this "
				"tool opens asks the user for it",
				k);
		else if (!d && strcmp(k, "base_url") != 0)
			err_set(&e, "%s has no setting '%s' for auth %s", slug, k, f->method->type);
		else if (!json_is_string(v))
			err_set(&e, "setting '%s' takes a string", k);
		else
			json_object_set(f->settings, k, v);
	}
	json_decref(fields);
	if (err_is_set(&e)) {
		answer_error(mc, f, e.msg);
		flow_drop(mc, f);
		return;
	}
	/* A new attempt replaces an older one for the same connection (and
	 * frees its port). */
	for (struct flow *o = mc->flows, *next; o; o = next) {
		next = o->next;
		if (o != f && o->c == c && strcmp(o->name, f->name) == 0) {
			answer_error(mc, o, "replaced by a newer switchboard_connect call");
			flow_drop(mc, o);
		}
	}
	json_t *schema = missing_settings(f);
	if (schema && f->form) {
		char *msg = xasprintf("switchboard needs these settings to connect %s (connection "
				      "%s). They are not secret; keys are asked for separately.",
				      vendor(f), f->name);
		f->step = STEP_FORM;
		f->deadline_ms = now_ms() + CONNECT_TTL_MS;
		elicit(mc, f,
		       json_pack("{s:s, s:s, s:o}", "mode", "form", "message", msg,
				 "requestedSchema", schema));
		free(msg);
		return;
	}
	/* Without form elicitation, OAuth needs them now (they are in its
	 * URL); the key page asks for them beside the key. */
	if (schema && strcmp(f->method->type, "oauth2") == 0) {
		char *list = NULL;
		json_object_foreach(json_object_get(schema, "properties"), k, v) {
			char *n = xasprintf("%s%s%s", list ? list : "", list ? ", " : "", k);
			free(list);
			list = n;
		}
		char *msg = xasprintf("%s needs settings to connect: ask the user for %s (not "
				      "secret) and call switchboard_connect again with settings",
				      slug, list);
		answer_error(mc, f, msg);
		free(msg);
		free(list);
		json_decref(schema);
		flow_drop(mc, f);
		return;
	}
	json_decref(schema);
	begin(mc, f);
}

static struct flow *find_request(struct mcp_connect *mc, json_t *id)
{
	for (struct flow *f = mc->flows; f && id; f = f->next)
		if (f->request_id && json_equal(f->request_id, id))
			return f;
	return NULL;
}

int mcp_connect_response(struct mcp_connect *mc, json_t *msg)
{
	struct flow *f = find_request(mc, json_object_get(msg, "id"));
	if (!f)
		return 0;
	json_decref(f->request_id);
	f->request_id = NULL;
	json_t *res = json_object_get(msg, "result");
	const char *action = json_string_value(json_object_get(res, "action"));
	int accepted = action && strcmp(action, "accept") == 0;
	if (f->step == STEP_FORM) {
		json_t *content = json_object_get(res, "content"), *v;
		json_t *fields = connect_form_fields(f->c, f->method);
		const char *k;
		json_object_foreach(content, k, v) {
			json_t *d = json_object_get(fields, k);
			/* Only what was asked, and never a secret a client sent anyway. */
			if (d && !json_is_true(json_object_get(d, "secret")) && json_is_string(v) &&
			    json_string_length(v))
				json_object_set(f->settings, k, v);
		}
		json_decref(fields);
		if (!accepted) {
			answer_error(mc, f,
				     "the user did not give the settings, so nothing was "
				     "connected; ask them whether to try again");
			flow_drop(mc, f);
			return 1;
		}
		begin(mc, f);
		return 1;
	}
	if (f->step != STEP_URL)
		return 1;
	f->step = STEP_WAIT;
	if (json_object_get(msg, "error")) {
		/* The client could not show it: hand the URL to the model. */
		answer(mc, f,
		       result_success(json_pack(
			       "{s:{s:s, s:s, s:s}}", "data", "connect_url", flow_url(f),
			       "connection", flow_target(f), "next",
			       "Show the user this URL to open in a browser on this computer.")));
		return 1;
	}
	if (!accepted) {
		/* Closed before the answer: the URL is dead once the client hears. */
		oauth_connect_free(f->oc);
		connect_page_free(f->page);
		f->oc = NULL;
		f->page = NULL;
		answer_error(mc, f,
			     "the user declined to open the connect page, so nothing was "
			     "connected");
		flow_drop(mc, f);
		return 1;
	}
	answer(mc, f,
	       result_success(json_pack(
		       "{s:{s:s, s:s, s:I, s:s}}", "data", "connection", flow_target(f), "status",
		       "waiting_for_user", "expires_in_s", (json_int_t)(CONNECT_TTL_MS / 1000),
		       "next",
		       "The user was shown the page and is completing it there. When they have, "
		       "the connection is saved and the tool list changes; nothing to poll.")));
	return 1;
}

int mcp_connect_poll(struct mcp_connect *mc)
{
	int saved = 0;
	for (struct flow *f = mc->flows, *next; f; f = next) {
		next = f->next;
		if (f->step == STEP_FORM) {
			if (now_ms() < f->deadline_ms)
				continue;
			answer_error(mc, f, "the settings were not given in time");
			flow_drop(mc, f);
			continue;
		}
		struct err e;
		err_init(&e);
		int rc = f->oc ? oauth_connect_poll(f->oc, &e) : connect_page_poll(f->page, &e);
		if (rc == 0 && now_ms() < f->deadline_ms)
			continue;
		if (rc > 0) {
			log_info("connected %s", flow_target(f));
			saved = 1;
			if (f->elicitation_id)
				send_and_free(mc, f,
					      jsonrpc_notification_new(
						      "notifications/elicitation/complete",
						      json_pack("{s:s}", "elicitationId",
								f->elicitation_id)));
			answer(mc, f,
			       result_success(json_pack("{s:{s:s, s:s}}", "data", "connection",
							flow_target(f), "status", "connected")));
		} else {
			if (rc < 0)
				log_warn("connect %s: %s", flow_target(f), e.msg);
			else
				log_warn("connect %s: the URL expired unused", flow_target(f));
			answer_error(mc, f, rc < 0 ? e.msg : "the connect URL expired unused");
		}
		flow_drop(mc, f);
	}
	return saved;
}
