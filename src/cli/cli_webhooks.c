/* cli_webhooks.c - webhooks register, list and remove: a connection's
 * webhook subscriptions managed through the vendor's API as the connector's
 * webhooks.api block describes, each call run like a tool call (auth, base
 * URL overrides, errors and redaction as usual; see cli_manage.c). register
 * keeps the signing secret, sealed, and the delivery URL with the
 * connection. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_help.h"
#include "cli_manage.h"
#include "crypto.h"
#include "jsonx.h"
#include "store.h"
#include "webhook.h"

#define MAX_EVENTS 200
#define SECRET_BYTES 32

/* ---- register ---- */
static int webhooks_register(struct cli *cli, int argc, char **argv)
{
	struct cli_manage m = {0};
	const char *name = NULL, *public_url = NULL, *events_arg = NULL;
	char *url = NULL, *secret = NULL;
	json_t *events = NULL, *ids = json_array(), *added = json_array();
	int ret = 2;
	struct err e;
	err_init(&e);
	m.extra = json_object();

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-') {
			if (name) {
				cli_manage_usage("unexpected argument '%s'", a);
				goto out;
			}
			name = a;
			continue;
		}
		const char *v = cli_opt_value(&i, argc, argv);
		if (!v)
			goto out;
		if (strcmp(a, "--url") == 0)
			public_url = v;
		else if (strcmp(a, "--events") == 0)
			events_arg = v;
		else if (!cli_manage_is_target(a)) {
			cli_manage_usage("unknown option '%s'", a);
			goto out;
		} else if (cli_manage_parse_target(&m, a, v) < 0)
			goto out;
	}
	if (!name) {
		cli_manage_usage("register needs a CONNECTION", NULL);
		goto out;
	}
	ret = 1;
	int opened = cli_manage_open(&m, cli, name);
	if (opened == 3) {
		ret = cli_manage_portal_guidance(&m, public_url);
		goto out;
	}
	if (opened)
		goto out;
	if (!public_url ||
	    (strncmp(public_url, "https://", 8) != 0 && strncmp(public_url, "http://", 7) != 0)) {
		ret = cli_manage_usage(
			public_url ? "--url takes the public http(s) URL webhooks serve is reached "
				     "at, got '%s'"
				   : "register needs --url PUBLIC_URL%s",
			public_url ? public_url : "");
		goto out;
	}
	url = cli_manage_delivery_url(&m, public_url);
	events = cli_manage_events(&m, events_arg);
	if (json_array_size(events) == 0 || json_array_size(events) > MAX_EVENTS) {
		ret = cli_manage_usage(
			"--events takes 1 to 200 comma-separated event names, got '%s'",
			events_arg ? events_arg : "");
		goto out;
	}
	const char *field = m.c->info->webhooks.secret_field;
	const char *source = m.api->secret;
	if (!field || !source) {
		err_set(&e, "%s: webhooks.api needs webhooks.secret_field and api.secret",
			m.c->slug);
		goto fail;
	}
	json_t *have_value = json_object_get(m.conn->secrets, field);
	const char *have = cli_manage_newest_secret(have_value);
	int multiple = cli_manage_field_multiple(m.c, field);
	int generated = 0;
	if (strcmp(source, "generate") == 0) {
		if (have && *have) {
			/* Subscriptions made before send this one: keep it. */
			secret = xstrdup(have);
		} else {
			unsigned char raw[SECRET_BYTES];
			if (crypto_random(raw, sizeof(raw), &e) < 0)
				goto fail;
			secret = crypto_hex(raw, sizeof(raw));
			crypto_cleanse(raw, sizeof(raw));
			generated = 1;
		}
	}

	int per_event = m.api->per_event;
	const char *id_ptr = m.api->create.id;
	const char *secret_ptr = m.api->create.secret;
	size_t rounds = per_event ? json_array_size(events) : 1, done = 0;
	int failed = 0;
	for (size_t k = 0; k < rounds; k++) {
		const char *ev = per_event ? json_string_value(json_array_get(events, k)) : NULL;
		struct cli_manage_subst sb = {url, ev, secret, NULL, events};
		json_t *data = cli_manage_call(&m, &m.api->create, &sb, &e);
		if (!data) {
			fprintf(stderr, "switchboard: %s/%s: %s%s%s: %s\n", m.c->slug, m.conn->name,
				"cannot create the subscription", ev ? " for " : "", ev ? ev : "",
				e.msg);
			failed = 1;
			break;
		}
		char *id = cli_manage_id_text(jsonx_pointer(data, id_ptr ? id_ptr : "/id"));
		if (strcmp(source, "response") == 0) {
			const char *got = json_string_value(
				jsonx_pointer(data, secret_ptr ? secret_ptr : "/secret"));
			if (got && *got) {
				free_secret(secret);
				secret = xstrdup(got);
				/* Each endpoint's own secret, by its id, so remove
				 * can drop it again. */
				if (id)
					json_array_append_new(added, json_pack("{s:s, s:s}", "id",
									       id, "secret", got));
			}
		}
		cli_manage_wipe_json(data);
		json_decref(data);
		json_array_append_new(ids, json_string(id ? id : "?"));
		cli_print("registered %s  %s  %s\n", id ? id : "?", url, ev ? ev : "(see below)");
		free(id);
		done++;
	}
	if (!per_event && done) {
		size_t i;
		json_t *v;
		fprintf(stderr, "events:");
		json_array_foreach(events, i, v)
			fprintf(stderr, "%s%s", i ? "," : " ", json_string_value(v));
		fputc('\n', stderr);
	}
	if (!done)
		goto out;
	if (strcmp(source, "response") == 0 && !secret) {
		fprintf(stderr,
			"switchboard: %s answered without a signing secret: nothing was stored; "
			"remove the subscription with 'switchboard webhooks remove %s/%s %s' and "
			"try again\n",
			m.c->slug, m.c->slug, m.conn->name,
			json_string_value(json_array_get(ids, 0)));
		goto out;
	}
	int store_secret = strcmp(source, "keep") != 0 && secret;
	/* A reused generated secret is stored already (maybe beside others). */
	int reused = strcmp(source, "generate") == 0 && !generated;
	struct cli_manage_secret_change sc = {.set = store_secret && !reused ? secret : NULL,
					      .add = store_secret && multiple ? added : NULL};
	if (cli_manage_save_connection(&m, field, &sc, url, &e) < 0) {
		fprintf(stderr,
			"switchboard: the subscription exists but the connection could not be "
			"updated: %s; remove it with 'switchboard webhooks remove %s/%s ID'\n",
			e.msg, m.c->slug, m.conn->name);
		goto out;
	}
	if (strcmp(source, "keep") == 0)
		fprintf(stderr,
			"%s signs deliveries with the connection's %s (the vendor returns no "
			"secret)%s\n",
			m.c->info->name, field,
			have && *have ? ": kept the stored one"
				      : ": none is stored yet; add it with 'switchboard "
					"connections edit ... --secret-stdin'");
	else if (strcmp(source, "generate") == 0 && !generated)
		fprintf(stderr, "kept the connection's existing %s (sealed)\n", field);
	else if (sc.add && json_array_size(added) && sc.count > json_array_size(added))
		fprintf(stderr,
			"added the signing secret to %s (sealed): deliveries verify with any of "
			"its %zu secrets; 'webhooks remove' drops an endpoint's own\n",
			field, sc.count);
	else
		fprintf(stderr, "stored the signing secret as %s (sealed)%s\n", field,
			have && *have && strcmp(source, "response") == 0 && !sc.add
				? "; it replaces the previous one, so endpoints registered "
				  "before are no longer verified"
				: "");
	fprintf(stderr, "webhook_url: %s; receive with 'switchboard webhooks serve'\n", url);
	ret = failed ? 1 : 0;
	goto out;
fail:
	fprintf(stderr, "switchboard: %s\n", e.msg);
out:
	free_secret(secret);
	free(url);
	json_decref(events);
	json_decref(ids);
	store_secrets_free(added);
	cli_manage_release(&m);
	return ret;
}

/* ---- list and remove ---- */

static char *events_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	struct buf b;
	buf_init(&b, 0);
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
		buf_addf(&b, "%s%s", i ? "," : "", json_is_string(x) ? json_string_value(x) : "?");
	return buf_detach(&b);
}

static int webhooks_list(struct cli *cli, int argc, char **argv)
{
	struct cli_manage m = {0};
	const char *name = NULL;
	json_t *data = NULL;
	int ret = 2, json_out = cli->json;
	struct err e;
	err_init(&e);
	m.extra = json_object();
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) {
			json_out = 1;
			continue;
		}
		if (a[0] != '-' && !name) {
			name = a;
			continue;
		}
		const char *v = cli_manage_is_target(a) ? cli_opt_value(&i, argc, argv) : NULL;
		if (!v) {
			cli_manage_usage("unknown or incomplete option '%s'", a);
			goto out;
		}
		if (cli_manage_parse_target(&m, a, v) < 0)
			goto out;
	}
	if (!name) {
		cli_manage_usage("list needs a CONNECTION", NULL);
		goto out;
	}
	ret = 1;
	int opened = cli_manage_open(&m, cli, name);
	if (opened == 3) {
		fprintf(stderr,
			"switchboard: %s has no API for webhook subscriptions: see the vendor's "
			"portal (%s)\n",
			m.c->slug, m.c->info->webhooks.register_how);
		goto out;
	}
	if (opened)
		goto out;
	struct cli_manage_subst sb = {0};
	data = cli_manage_call(&m, &m.api->list, &sb, &e);
	if (!data) {
		fprintf(stderr, "switchboard: %s/%s: cannot list webhooks: %s\n", m.c->slug,
			m.conn->name, e.msg);
		goto out;
	}
	json_t *items = data;
	const char *items_ptr = m.api->list.items;
	if (!json_is_array(items) && items_ptr)
		items = jsonx_pointer(data, items_ptr);
	json_t *rows = json_out ? json_array() : NULL;
	const char *ours = json_string_value(json_object_get(m.conn->config, "webhook_url"));
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		char *id = cli_manage_id_text(jsonx_pointer(it, m.api->item_id));
		const char *url = json_string_value(jsonx_pointer(it, m.api->item_url));
		json_t *evs = jsonx_pointer(it, m.api->item_events);
		int mine = ours && url && strcmp(ours, url) == 0;
		/* Only these fields: a list item may carry the credential
		 * (Cin7 Core's ExternalBearerToken). */
		if (json_out) {
			json_array_append_new(rows, json_pack("{s:s?, s:s?, s:O?, s:b}", "id", id,
							      "url", url, "events", evs,
							      "this_connection", mine));
		} else {
			char *et = events_text(evs);
			cli_print("%s %-24s %s  %s\n", mine ? "*" : " ", id ? id : "?",
				  url ? url : "-", et);
			free(et);
		}
		free(id);
	}
	if (rows)
		cli_print_json(rows);
	json_decref(rows);
	if (!json_out && json_array_size(items) == 0)
		fprintf(stderr, "no webhook subscriptions\n");
	ret = 0;
out:
	cli_manage_wipe_json(data);
	json_decref(data);
	cli_manage_release(&m);
	return ret;
}

static int webhooks_remove(struct cli *cli, int argc, char **argv)
{
	struct cli_manage m = {0};
	const char *name = NULL, *id = NULL;
	json_t *data = NULL;
	int ret = 2;
	struct err e;
	err_init(&e);
	m.extra = json_object();
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' && (!name || !id)) {
			*(name ? &id : &name) = a;
			continue;
		}
		const char *v = cli_manage_is_target(a) ? cli_opt_value(&i, argc, argv) : NULL;
		if (!v) {
			cli_manage_usage("unknown or incomplete option '%s'", a);
			goto out;
		}
		if (cli_manage_parse_target(&m, a, v) < 0)
			goto out;
	}
	if (!name || !id) {
		cli_manage_usage("remove needs a CONNECTION and an ID (see: webhooks list)", NULL);
		goto out;
	}
	ret = 1;
	int opened = cli_manage_open(&m, cli, name);
	if (opened == 3) {
		fprintf(stderr,
			"switchboard: %s has no API for webhook subscriptions: remove it in the "
			"vendor's portal\n",
			m.c->slug);
		goto out;
	}
	if (opened)
		goto out;
	struct cli_manage_subst sb = {.id = id};
	data = cli_manage_call(&m, &m.api->remove, &sb, &e);
	if (!data) {
		fprintf(stderr, "switchboard: %s/%s: cannot remove webhook %s: %s\n", m.c->slug,
			m.conn->name, id, e.msg);
		goto out;
	}
	cli_print("removed %s\n", id);
	ret = 0;
	/* Its signing secret verifies nothing any more: drop it when register
	 * stored it under this id (a secret given by hand has no id). */
	const char *field = m.c->info->webhooks.secret_field;
	struct cli_manage_secret_change sc = {.drop = id};
	if (field && cli_manage_save_connection(&m, field, &sc, NULL, &e) < 0) {
		fprintf(stderr,
			"switchboard: the subscription is gone but its secret could not be "
			"dropped from %s: %s\n",
			field, e.msg);
		ret = 1;
	} else if (sc.changed) {
		fprintf(stderr, "dropped the signing secret of %s from %s (%zu left)\n", id, field,
			sc.count);
	}
out:
	json_decref(data);
	cli_manage_release(&m);
	return ret;
}

int cli_webhooks_manage(struct cli *cli, const char *verb, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			cli_print("%s", cli_webhooks_manage_usage);
			return 0;
		}
	if (strcmp(verb, "register") == 0)
		return webhooks_register(cli, argc, argv);
	if (strcmp(verb, "list") == 0)
		return webhooks_list(cli, argc, argv);
	if (strcmp(verb, "remove") == 0)
		return webhooks_remove(cli, argc, argv);
	return cli_manage_usage("unknown webhooks command '%s'", verb);
}
