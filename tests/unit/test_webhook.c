/* test_webhook.c - every webhook signature scheme with fixtures signed here
 * from a known secret (accepted, wrong signature, wrong secret, stale or
 * future timestamp, missing and malformed headers), deliveries split into
 * events named by the built-in connector files, the time formats, and
 * reading events back through the tool handler and the MCP resources. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connector.h"
#include "crypto.h"
#include "registry.h"
#include "mcp_events.h"
#include "webhook.h"
#include "t.h"

#define NOW 1767225600LL /* 2026-01-01T00:00:00Z */
#define SECRET "s3cret-webhook-key"

static char *hmac_hex(const char *key, const char *msg)
{
	unsigned char mac[32];
	crypto_hmac_sha256(key, strlen(key), msg, strlen(msg), mac);
	return crypto_hex(mac, 32);
}

static char *hmac_b64(const void *key, size_t key_len, const char *msg)
{
	unsigned char mac[32];
	crypto_hmac_sha256(key, key_len, msg, strlen(msg), mac);
	return crypto_base64(mac, 32, 0);
}

static json_t *block(const char *scheme)
{
	return json_pack("{s:s}", "scheme", scheme);
}

/* A built-in connector's webhooks block (the signature schemes that are
 * data: Shopify, GitHub, Xero, QuickBooks); a new reference. */
static struct registry *reg;

static json_t *vendor_block(const char *slug)
{
	const struct connector *c = registry_find(reg, slug);
	CHECK(c != NULL);
	return c ? json_deep_copy(json_object_get(c->doc, "webhooks")) : json_object();
}

static enum webhook_verdict run(json_t *wh, const char *secret, json_t *headers, const char *body,
				const char *url, long long now)
{
	struct webhook_request req = {"POST", url, headers, body, strlen(body), now};
	struct err why;
	err_init(&why);
	struct webhook_spec spec;
	connector_webhooks_fill(wh, &spec);
	enum webhook_verdict v = webhook_verify(wh ? &spec : NULL, secret, &req, &why);
	/* A reason is always given, and never the secret. */
	if (v != WEBHOOK_OK) {
		CHECK(err_is_set(&why));
		CHECK(strstr(why.msg, SECRET) == NULL);
	}
	return v;
}

static void test_stripe(void)
{
	const char *body = "{\"id\":\"evt_1\",\"type\":\"customer.created\"}";
	json_t *wh = block("stripe");
	char msg[256], hdr[512];
	snprintf(msg, sizeof(msg), "%lld.%s", NOW, body);
	char *good = hmac_hex(SECRET, msg), *other = hmac_hex("another-secret", msg);

	snprintf(hdr, sizeof(hdr), "t=%lld,v1=%s", NOW, good);
	json_t *h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, SECRET, h, body, NULL, NOW + 300) == WEBHOOK_OK);
	CHECK(run(wh, SECRET, h, body, NULL, NOW + 301) == WEBHOOK_STALE);
	CHECK(run(wh, SECRET, h, body, NULL, NOW - 301) == WEBHOOK_STALE);
	CHECK(run(wh, "another-secret", h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, SECRET, h, "{\"id\":\"evt_2\"}", NULL, NOW) == WEBHOOK_MISMATCH);
	json_decref(h);

	/* Several v1 (a secret being rolled): any one may match; v0 is ignored. */
	snprintf(hdr, sizeof(hdr), "t=%lld, v1=%s, v1=%s, v0=%s", NOW, other, good, good);
	h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_OK);
	json_decref(h);
	/* Signed for another time: the t is part of what is signed. */
	snprintf(hdr, sizeof(hdr), "t=%lld,v1=%s", NOW + 1, good);
	h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	json_decref(h);
	h = json_pack("{s:s}", "stripe-signature", "v1=abc");
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MALFORMED);
	json_decref(h);
	snprintf(hdr, sizeof(hdr), "t=%lld", NOW);
	h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MALFORMED);
	json_decref(h);
	h = json_object();
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MISSING);
	json_decref(h);
	/* A connector's tolerance_s replaces the default. */
	json_object_set_new(wh, "tolerance_s", json_integer(600));
	snprintf(hdr, sizeof(hdr), "t=%lld,v1=%s", NOW, good);
	h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run(wh, SECRET, h, body, NULL, NOW + 500) == WEBHOOK_OK);
	json_decref(h);
	free(good);
	free(other);
	json_decref(wh);
}

/* Shopify, Xero and QuickBooks: base64 HMAC of the body in one header. */
static enum webhook_verdict run_any(json_t *wh, json_t *secrets, json_t *headers, const char *body,
				    long long now, struct err *why)
{
	struct webhook_request req = {"POST", NULL, headers, body, strlen(body), now};
	err_init(why);
	struct webhook_spec spec;
	connector_webhooks_fill(wh, &spec);
	return webhook_verify_any(&spec, secrets, &req, why);
}

/* A connection's secret field with several secrets: a string, an array of
 * strings and {id, secret} objects; any one verifies, each is tried. */
static void test_several_secrets(void)
{
	const char *body = "{\"id\":\"evt_1\",\"type\":\"customer.created\"}";
	json_t *wh = block("stripe");
	struct err why;
	char msg[256], hdr[512];
	snprintf(msg, sizeof(msg), "%lld.%s", NOW, body);
	char *old = hmac_hex("whsec_old", msg), *new = hmac_hex("whsec_new", msg);

	json_t *one = json_string("whsec_old");
	json_t *both = json_pack("[s, {s:s, s:s}, s, {s:s}, i]", "whsec_old", "id", "we_2",
				 "secret", "whsec_new", "", "id", "we_3", 7);
	json_t *none = json_pack("[s, {s:s}]", "", "id", "we_1");
	json_t *others = json_pack("[s, s]", "whsec_a", "whsec_b");
	CHECK(webhook_secret_count(one) == 1);
	CHECK(webhook_secret_count(both) == 2);
	CHECK(webhook_secret_count(none) == 0);
	CHECK(webhook_secret_count(NULL) == 0);
	CHECK_STR(webhook_secret_at(both, 0), "whsec_old");
	CHECK_STR(webhook_secret_at(both, 1), "whsec_new");
	CHECK(webhook_secret_at(both, 2) == NULL);

	/* Signed with the old secret, the new one, or both (Stripe sends a v1
	 * per secret while one is rolled). */
	snprintf(hdr, sizeof(hdr), "t=%lld,v1=%s", NOW, old);
	json_t *h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run_any(wh, one, h, body, NOW, &why) == WEBHOOK_OK);
	CHECK(run_any(wh, both, h, body, NOW, &why) == WEBHOOK_OK);
	CHECK(run_any(wh, others, h, body, NOW, &why) == WEBHOOK_MISMATCH);
	CHECK(strstr(why.msg, "any of the secrets") != NULL);
	CHECK(strstr(why.msg, "whsec_") == NULL);
	/* A secret that matches but a stale time says stale, not mismatch. */
	CHECK(run_any(wh, both, h, body, NOW + 1000, &why) == WEBHOOK_STALE);
	CHECK(run_any(wh, none, h, body, NOW, &why) == WEBHOOK_BAD_SECRET);
	json_decref(h);
	snprintf(hdr, sizeof(hdr), "t=%lld,v1=%s", NOW, new);
	h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run_any(wh, one, h, body, NOW, &why) == WEBHOOK_MISMATCH);
	CHECK(run_any(wh, both, h, body, NOW, &why) == WEBHOOK_OK);
	json_decref(h);
	snprintf(hdr, sizeof(hdr), "t=%lld,v1=%s,v1=%s", NOW, new, old);
	h = json_pack("{s:s}", "stripe-signature", hdr);
	CHECK(run_any(wh, both, h, body, NOW, &why) == WEBHOOK_OK);
	CHECK(run_any(wh, others, h, body, NOW, &why) == WEBHOOK_MISMATCH);
	json_decref(h);
	json_decref(wh);

	/* Standard Webhooks: one secret not whsec_<base64> does not spoil the
	 * others; if none is usable, the secret is what is wrong. */
	wh = block("standard");
	unsigned char key[] = "0123456789abcdef0123456789abcdef";
	char *b64 = crypto_base64(key, 32, 0), *whsec = xasprintf("whsec_%s", b64);
	snprintf(msg, sizeof(msg), "msg_1.%lld.%s", NOW, body);
	char *sig = hmac_b64(key, 32, msg);
	snprintf(hdr, sizeof(hdr), "v1,%s", sig);
	char ts[32];
	snprintf(ts, sizeof(ts), "%lld", NOW);
	h = json_pack("{s:s, s:s, s:s}", "webhook-signature", hdr, "webhook-timestamp", ts,
		      "webhook-id", "msg_1");
	json_t *mixed = json_pack("[s, s]", "whsec_!!!", whsec);
	json_t *bad = json_pack("[s]", "whsec_!!!");
	CHECK(run_any(wh, mixed, h, body, NOW, &why) == WEBHOOK_OK);
	CHECK(run_any(wh, bad, h, body, NOW, &why) == WEBHOOK_BAD_SECRET);
	json_decref(h);
	json_decref(mixed);
	json_decref(bad);
	json_decref(wh);
	free(sig);
	free(whsec);
	free(b64);

	/* GitHub while a secret is changed: the old and the new verify. */
	wh = vendor_block("github");
	char *gh = hmac_hex("new-gh", body);
	snprintf(hdr, sizeof(hdr), "sha256=%s", gh);
	h = json_pack("{s:s}", "x-hub-signature-256", hdr);
	json_t *gs = json_pack("[s, s]", "old-gh", "new-gh");
	CHECK(run_any(wh, gs, h, body, NOW, &why) == WEBHOOK_OK);
	json_array_remove(gs, 1);
	CHECK(run_any(wh, gs, h, body, NOW, &why) == WEBHOOK_MISMATCH);
	json_decref(gs);
	json_decref(h);
	json_decref(wh);
	free(gh);

	json_decref(one);
	json_decref(both);
	json_decref(none);
	json_decref(others);
	free(old);
	free(new);
}

static void test_body_b64(const char *slug, const char *header)
{
	const char *body = "{\"events\":[],\"firstEventSequence\":0}";
	json_t *wh = vendor_block(slug);
	char *good = hmac_b64(SECRET, strlen(SECRET), body);
	char *bad = hmac_b64("wrong-secret-value", 18, body);
	json_t *h = json_pack("{s:s}", header, good);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, "wrong-secret-value", h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, SECRET, h, "{\"events\":[]}", NULL, NOW) == WEBHOOK_MISMATCH);
	/* No timestamp: an old delivery is not stale (dedupe handles replays). */
	CHECK(run(wh, SECRET, h, body, NULL, NOW + 86400 * 365) == WEBHOOK_OK);
	json_decref(h);
	h = json_pack("{s:s}", header, bad);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	json_decref(h);
	/* Hex where base64 belongs does not pass. */
	char *hex = hmac_hex(SECRET, body);
	h = json_pack("{s:s}", header, hex);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	json_decref(h);
	h = json_object();
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MISSING);
	json_decref(h);
	free(hex);
	free(good);
	free(bad);
	json_decref(wh);
}

static void test_github(void)
{
	const char *body = "{\"action\":\"opened\",\"issue\":{\"number\":1}}";
	json_t *wh = vendor_block("github");
	char *hex = hmac_hex(SECRET, body);
	char *good = xasprintf("sha256=%s", hex);
	json_t *h = json_pack("{s:s}", "x-hub-signature-256", good);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, "other-secret", h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, SECRET, h, "{\"action\":\"closed\"}", NULL, NOW) == WEBHOOK_MISMATCH);
	json_decref(h);
	/* Upper-case hex is the same signature. */
	for (char *p = good + 7; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	h = json_pack("{s:s}", "x-hub-signature-256", good);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_OK);
	json_decref(h);
	/* The SHA-1 header form is not accepted. */
	h = json_pack("{s:s}", "x-hub-signature-256", hex);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MALFORMED);
	json_decref(h);
	h = json_pack("{s:s}", "x-hub-signature", good);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MISSING);
	json_decref(h);
	free(hex);
	free(good);
	json_decref(wh);
}

static void test_slack(void)
{
	const char *body = "{\"type\":\"event_callback\",\"event_id\":\"Ev1\"}";
	json_t *wh = block("slack");
	char msg[256], ts[32];
	snprintf(ts, sizeof(ts), "%lld", NOW);
	snprintf(msg, sizeof(msg), "v0:%s:%s", ts, body);
	char *hex = hmac_hex(SECRET, msg), *sig = xasprintf("v0=%s", hex);
	json_t *h =
		json_pack("{s:s, s:s}", "x-slack-signature", sig, "x-slack-request-timestamp", ts);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, SECRET, h, body, NULL, NOW + 299) == WEBHOOK_OK);
	CHECK(run(wh, SECRET, h, body, NULL, NOW + 301) == WEBHOOK_STALE);
	CHECK(run(wh, "other-secret", h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, SECRET, h, "{}", NULL, NOW) == WEBHOOK_MISMATCH);
	/* A replayed body with a fresh timestamp does not match. */
	json_object_set_new(h, "x-slack-request-timestamp", json_integer(0));
	json_object_set_new(h, "x-slack-request-timestamp", json_string("1767225700"));
	CHECK(run(wh, SECRET, h, body, NULL, NOW + 100) == WEBHOOK_MISMATCH);
	json_object_del(h, "x-slack-request-timestamp");
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MISSING);
	json_decref(h);
	h = json_pack("{s:s, s:s}", "x-slack-signature", hex, "x-slack-request-timestamp", ts);
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MALFORMED);
	json_decref(h);
	free(hex);
	free(sig);
	json_decref(wh);
}

static void test_hubspot(void)
{
	const char *body = "[{\"eventId\":1,\"subscriptionType\":\"contact.creation\"}]";
	const char *url = "https://example.com/hooks/hubspot/main?a=%3A1";
	json_t *wh = block("hubspot");
	char ts[32], msg[512];
	long long ms = NOW * 1000 + 123;
	snprintf(ts, sizeof(ts), "%lld", ms);
	/* What HubSpot signs: the URI with %3A decoded. */
	snprintf(msg, sizeof(msg), "POST%s%s%s", "https://example.com/hooks/hubspot/main?a=:1",
		 body, ts);
	char *sig = hmac_b64(SECRET, strlen(SECRET), msg);
	json_t *h = json_pack("{s:s, s:s}", "x-hubspot-signature-v3", sig,
			      "x-hubspot-request-timestamp", ts);
	CHECK(run(wh, SECRET, h, body, url, NOW) == WEBHOOK_OK);
	CHECK(run(wh, SECRET, h, body, url, NOW + 300) == WEBHOOK_OK);
	CHECK(run(wh, SECRET, h, body, url, NOW + 301) == WEBHOOK_STALE);
	CHECK(run(wh, SECRET, h, body, url, NOW - 301) == WEBHOOK_STALE);
	CHECK(run(wh, "other-secret", h, body, url, NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, SECRET, h, body, "https://example.com/elsewhere", NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, SECRET, h, "[]", url, NOW) == WEBHOOK_MISMATCH);
	/* Without a public URL nothing can be checked. */
	CHECK(run(wh, SECRET, h, body, NULL, NOW) == WEBHOOK_MALFORMED);
	json_object_set_new(h, "x-hubspot-request-timestamp", json_string("soon"));
	CHECK(run(wh, SECRET, h, body, url, NOW) == WEBHOOK_MALFORMED);
	json_decref(h);
	free(sig);
	json_decref(wh);
}

static void test_standard(void)
{
	const unsigned char raw[] = "0123456789abcdef0123456789abcdef";
	char *b64 = crypto_base64(raw, 32, 0);
	char *secret = xasprintf("whsec_%s", b64);
	const char *body = "{\"id\":\"evt_9\",\"type\":\"response.completed\"}";
	json_t *wh = block("standard");
	char ts[32], msg[256];
	snprintf(ts, sizeof(ts), "%lld", NOW);
	snprintf(msg, sizeof(msg), "msg_1.%s.%s", ts, body);
	char *good = hmac_b64(raw, 32, msg);
	/* Keyed with the whsec_ text itself (Stripe's way) it must fail. */
	char *as_text = hmac_b64(secret, strlen(secret), msg);
	char *list = xasprintf("v1,%s v1,%s", as_text, good);
	json_t *h = json_pack("{s:s, s:s, s:s}", "webhook-id", "msg_1", "webhook-timestamp", ts,
			      "webhook-signature", list);
	CHECK(run(wh, secret, h, body, NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, secret, h, body, NULL, NOW + 301) == WEBHOOK_STALE);
	CHECK(run(wh, secret, h, "{}", NULL, NOW) == WEBHOOK_MISMATCH);
	/* The id is signed. */
	json_object_set_new(h, "webhook-id", json_string("msg_2"));
	CHECK(run(wh, secret, h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	json_object_set_new(h, "webhook-id", json_string("msg_1"));
	/* A secret without the prefix is the same key. */
	CHECK(run(wh, b64, h, body, NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", h, body, NULL, NOW) ==
	      WEBHOOK_MISMATCH);
	CHECK(run(wh, "whsec_%%%", h, body, NULL, NOW) == WEBHOOK_BAD_SECRET);
	json_decref(h);
	char *only_bad = xasprintf("v1,%s", as_text);
	h = json_pack("{s:s, s:s, s:s}", "webhook-id", "msg_1", "webhook-timestamp", ts,
		      "webhook-signature", only_bad);
	CHECK(run(wh, secret, h, body, NULL, NOW) == WEBHOOK_MISMATCH);
	json_object_set_new(h, "webhook-signature", json_string("v2,abc"));
	CHECK(run(wh, secret, h, body, NULL, NOW) == WEBHOOK_MALFORMED);
	json_object_del(h, "webhook-id");
	CHECK(run(wh, secret, h, body, NULL, NOW) == WEBHOOK_MISSING);
	json_decref(h);
	free(only_bad);
	free(list);
	free(as_text);
	free(good);
	free(secret);
	free(b64);
	json_decref(wh);
}

static void test_basic_or_bearer(void)
{
	json_t *wh = block("basic_or_bearer");
	char *b64 = crypto_base64("cin7:p4ss-word", 14, 0);
	char *basic = xasprintf("Basic %s", b64), *lower = xasprintf("basic %s", b64);
	json_t *h = json_pack("{s:s}", "authorization", basic);
	CHECK(run(wh, "cin7:p4ss-word", h, "{}", NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, basic, h, "{}", NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, "cin7:other-pass", h, "{}", NULL, NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, "tok-123456", h, "{}", NULL, NOW) == WEBHOOK_MISMATCH);
	json_object_set_new(h, "authorization", json_string(lower));
	CHECK(run(wh, "cin7:p4ss-word", h, "{}", NULL, NOW) == WEBHOOK_OK);
	json_object_set_new(h, "authorization", json_string("Bearer tok-123456"));
	CHECK(run(wh, "tok-123456", h, "{}", NULL, NOW) == WEBHOOK_OK);
	CHECK(run(wh, "tok-1234567", h, "{}", NULL, NOW) == WEBHOOK_MISMATCH);
	CHECK(run(wh, "cin7:p4ss-word", h, "{}", NULL, NOW) == WEBHOOK_MISMATCH);
	json_object_set_new(h, "authorization", json_string("Basic tok-123456"));
	CHECK(run(wh, "tok-123456", h, "{}", NULL, NOW) == WEBHOOK_MISMATCH);
	json_object_del(h, "authorization");
	CHECK(run(wh, "tok-123456", h, "{}", NULL, NOW) == WEBHOOK_MISSING);
	json_decref(h);
	free(b64);
	free(basic);
	free(lower);
	json_decref(wh);
}

static void test_no_secret_or_scheme(void)
{
	json_t *h = json_object(), *wh = vendor_block("github"), *none = block("none");
	CHECK(run(wh, NULL, h, "{}", NULL, NOW) == WEBHOOK_BAD_SECRET);
	CHECK(run(wh, "", h, "{}", NULL, NOW) == WEBHOOK_BAD_SECRET);
	CHECK(run(none, SECRET, h, "{}", NULL, NOW) == WEBHOOK_UNSUPPORTED);
	/* Vendors that sign the body in a header are data, not schemes of their
	 * own: their files say hmac_sha256 (vendor_block). */
	json_t *named = block("shopify");
	CHECK(run(named, SECRET, h, "{}", NULL, NOW) == WEBHOOK_UNSUPPORTED);
	json_decref(named);
	CHECK(run(NULL, SECRET, h, "{}", NULL, NOW) == WEBHOOK_UNSUPPORTED);
	CHECK(strcmp(webhook_verdict_text(WEBHOOK_STALE), "timestamp outside the replay window") ==
	      0);
	json_decref(h);
	json_decref(wh);
	json_decref(none);
}

/* ---- deliveries as events ---- */

static json_t *events_of(const char *slug, json_t *headers, const char *body)
{
	const struct connector *c = registry_find(reg, slug);
	CHECK(c != NULL);
	if (!c)
		return NULL;
	struct err err;
	err_init(&err);
	json_t *ev = webhook_events(c, headers, body, strlen(body), &err);
	if (!ev)
		fprintf(stderr, "%s: %s\n", slug, err.msg);
	return ev;
}

static void check_event(json_t *ev, const char *entity, const char *event, const char *vendor,
			const char *id)
{
	CHECK(ev != NULL);
	if (!ev)
		return;
	if (entity)
		CHECK_STR(json_string_value(json_object_get(ev, "entity")), entity);
	else
		CHECK(json_is_null(json_object_get(ev, "entity")));
	CHECK_STR(json_string_value(json_object_get(ev, "event")), event);
	CHECK_STR(json_string_value(json_object_get(ev, "vendor_event")), vendor);
	if (id)
		CHECK_STR(json_string_value(json_object_get(ev, "id")), id);
	else
		CHECK(strncmp(json_string_value(json_object_get(ev, "id")), "sha256:", 7) == 0);
}

static void test_events(void)
{
	json_t *none = json_object(), *h, *e;

	e = events_of("stripe", none,
		      "{\"id\":\"evt_1\",\"type\":\"customer.created\",\"data\":{\"object\":{}}}");
	CHECK(json_array_size(e) == 1);
	check_event(json_array_get(e, 0), "customers", "created", "customer.created", "evt_1");
	CHECK_STR(json_string_value(
			  json_object_get(json_object_get(json_array_get(e, 0), "payload"), "id")),
		  "evt_1");
	json_decref(e);
	/* Longest names map too; unknown ones keep the vendor's name. */
	e = events_of("stripe", none,
		      "{\"id\":\"evt_2\",\"type\":\"customer.subscription.paused\"}");
	check_event(json_array_get(e, 0), "subscriptions", "paused", "customer.subscription.paused",
		    "evt_2");
	json_decref(e);
	e = events_of("stripe", none, "{\"id\":\"evt_3\",\"type\":\"balance.available\"}");
	check_event(json_array_get(e, 0), NULL, "balance.available", "balance.available", "evt_3");
	json_decref(e);

	h = json_pack("{s:s, s:s}", "x-github-event", "issues", "x-github-delivery", "d-1");
	e = events_of("github", h, "{\"action\":\"opened\",\"issue\":{\"number\":7}}");
	check_event(json_array_get(e, 0), "issues", "opened", "issues.opened", "d-1");
	json_decref(e);
	json_object_set_new(h, "x-github-event", json_string("ping"));
	e = events_of("github", h, "{\"zen\":\"Keep it simple\",\"hook_id\":1}");
	check_event(json_array_get(e, 0), "webhooks", "pinged", "ping", "d-1");
	json_decref(e);
	json_decref(h);

	h = json_pack("{s:s, s:s}", "x-shopify-topic", "orders/create", "x-shopify-event-id",
		      "se-9");
	e = events_of("shopify", h, "{\"id\":820982911946154508}");
	check_event(json_array_get(e, 0), "orders", "created", "orders/create", "se-9");
	json_decref(e);
	json_decref(h);

	e = events_of("slack", none,
		      "{\"type\":\"event_callback\",\"event_id\":\"Ev1\",\"event\":{\"type\":"
		      "\"message\",\"channel_type\":\"im\",\"text\":\"hi\"}}");
	check_event(json_array_get(e, 0), "messages", "posted", "message.im", "Ev1");
	json_decref(e);
	e = events_of("slack", none,
		      "{\"type\":\"event_callback\",\"event_id\":\"Ev2\",\"event\":{\"type\":"
		      "\"reaction_added\"}}");
	check_event(json_array_get(e, 0), "reactions", "added", "reaction_added", "Ev2");
	json_decref(e);
	/* Interactivity arrives form-encoded. */
	e = events_of(
		"slack", none,
		"payload=%7B%22type%22%3A%22block_actions%22%2C%22trigger_id%22%3A%221%22%7D");
	check_event(json_array_get(e, 0), NULL, "block_actions", "block_actions", NULL);
	json_decref(e);

	e = events_of("hubspot", none,
		      "[{\"eventId\":101,\"subscriptionType\":\"contact.creation\",\"objectId\":1},"
		      "{\"eventId\":102,\"subscriptionType\":\"deal.propertyChange\","
		      "\"objectId\":2}]");
	CHECK(json_array_size(e) == 2);
	check_event(json_array_get(e, 0), "contacts", "created", "contact.creation", "101");
	check_event(json_array_get(e, 1), "deals", "updated", "deal.propertyChange", "102");
	json_decref(e);

	e = events_of("xero", none,
		      "{\"events\":[{\"resourceId\":\"c1\",\"eventCategory\":\"CONTACT\","
		      "\"eventType\":\"CREATE\",\"eventDateUtc\":\"2026-01-01T00:00:00\"},"
		      "{\"resourceId\":\"i1\",\"eventCategory\":\"INVOICE\",\"eventType\":"
		      "\"UPDATE\",\"eventDateUtc\":\"2026-01-01T00:00:01\"}],"
		      "\"firstEventSequence\":1,\"lastEventSequence\":2,\"entropy\":\"X\"}");
	CHECK(json_array_size(e) == 2);
	check_event(json_array_get(e, 0), "contacts", "created", "CONTACT.CREATE", NULL);
	check_event(json_array_get(e, 1), "invoices", "updated", "INVOICE.UPDATE", NULL);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(e, 0), "id")),
		     json_string_value(json_object_get(json_array_get(e, 1), "id"))) != 0);
	json_decref(e);
	/* Intent to receive: no events at all. */
	e = events_of("xero", none,
		      "{\"events\":[],\"firstEventSequence\":0,\"lastEventSequence\":0}");
	CHECK(e && json_array_size(e) == 0);
	json_decref(e);

	e = events_of(
		"quickbooks", none,
		"[{\"specversion\":\"1.0\",\"id\":\"qe-1\",\"type\":"
		"\"qbo.customer.created.v1\",\"intuitentityid\":\"58\"},"
		"{\"specversion\":\"1.0\",\"id\":\"qe-2\",\"type\":\"qbo.invoice.voided.v1\"}]");
	CHECK(json_array_size(e) == 2);
	check_event(json_array_get(e, 0), "customers", "created", "qbo.customer.created.v1",
		    "qe-1");
	check_event(json_array_get(e, 1), "invoices", "voided", "qbo.invoice.voided.v1", "qe-2");
	json_decref(e);
	e = events_of("quickbooks", none,
		      "{\"eventNotifications\":[{\"realmId\":\"4620816365\",\"dataChangeEvent\":"
		      "{\"entities\":[{\"name\":\"Invoice\",\"id\":\"130\",\"operation\":"
		      "\"Update\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},{\"name\":"
		      "\"Customer\",\"id\":\"9\",\"operation\":\"Merge\"}]}}]}");
	CHECK(json_array_size(e) == 2);
	check_event(json_array_get(e, 0), "invoices", "updated", "qbo.invoice.updated.v1",
		    "4620816365:Invoice:130:Update:2026-01-01T00:00:00Z");
	check_event(json_array_get(e, 1), "customers", "merged", "qbo.customer.merged.v1",
		    "4620816365:Customer:9:Merge:");
	json_t *pl = json_object_get(json_array_get(e, 0), "payload");
	CHECK_STR(json_string_value(json_object_get(pl, "intuitaccountid")), "4620816365");
	CHECK_STR(json_string_value(json_object_get(pl, "intuitentityid")), "130");
	CHECK_STR(json_string_value(json_object_get(json_object_get(pl, "data"), "name")),
		  "Invoice");
	json_decref(e);

	/* No id anywhere: the SHA-256 of the body, the same for a replay. */
	e = events_of("cin7core", none, "{\"EventType\":\"Sale/Created\",\"SaleID\":\"s-1\"}");
	json_t *again =
		events_of("cin7core", none, "{\"EventType\":\"Sale/Created\",\"SaleID\":\"s-1\"}");
	check_event(json_array_get(e, 0), "sales", "created", "Sale/Created", NULL);
	CHECK_STR(json_string_value(json_object_get(json_array_get(e, 0), "id")),
		  json_string_value(json_object_get(json_array_get(again, 0), "id")));
	json_decref(e);
	json_decref(again);

	h = json_pack("{s:s}", "webhook-id", "msg_1");
	e = events_of("openai", h,
		      "{\"id\":\"evt_o\",\"type\":\"response.completed\",\"data\":{\"id\":\"r\"}}");
	check_event(json_array_get(e, 0), "responses", "completed", "response.completed", "msg_1");
	json_decref(e);
	json_decref(h);

	struct err err;
	err_init(&err);
	CHECK(webhook_events(registry_find(reg, "stripe"), none, "not json", 8, &err) == NULL);
	CHECK(err_is_set(&err));
	/* A batch with one element that is no event is kept whole, the odd
	 * element as an event of its own (HubSpot arrays, Xero's events[],
	 * QuickBooks CloudEvents): a refused batch would come back the same on
	 * every retry and be lost. */
	const char *batches[][2] = {
		{"hubspot", "[{\"eventId\":1,\"subscriptionType\":\"contact.creation\"}, 42]"},
		{"xero", "{\"events\":[{\"eventCategory\":\"CONTACT\",\"eventType\":\"CREATE\"},"
			 "\"x\"],\"firstEventSequence\":1}"},
		{"quickbooks", "[null, {\"id\":\"qe-1\",\"type\":\"qbo.customer.created.v1\"}]"}};
	for (size_t i = 0; i < 3; i++) {
		err_init(&err);
		json_t *evs = webhook_events(registry_find(reg, batches[i][0]), none, batches[i][1],
					     strlen(batches[i][1]), &err);
		CHECK(json_array_size(evs) == 2);
		json_t *odd = json_array_get(evs, i == 2 ? 0 : 1);
		CHECK(json_is_string(json_object_get(odd, "event")));
		CHECK(!json_is_object(json_object_get(odd, "payload")));
		json_decref(evs);
	}
	json_decref(none);
}

static void test_times(void)
{
	long long t = 0;
	char out[32];
	webhook_format_time(NOW, out);
	CHECK_STR(out, "2026-01-01T00:00:00Z");
	CHECK(webhook_parse_since("2026-01-01T00:00:00Z", 0, &t) == 0 && t == NOW);
	CHECK(webhook_parse_since("2026-01-01", 0, &t) == 0 && t == NOW);
	CHECK(webhook_parse_since("2026-01-01T02:00:00+02:00", 0, &t) == 0 && t == NOW);
	CHECK(webhook_parse_since("2025-12-31T19:00:00.250-05:00", 0, &t) == 0 && t == NOW);
	CHECK(webhook_parse_since("2026-01-01T00:00", 0, &t) == 0 && t == NOW);
	CHECK(webhook_parse_since("-1h", NOW, &t) == 0 && t == NOW - 3600);
	CHECK(webhook_parse_since("2d", NOW, &t) == 0 && t == NOW - 2 * 86400);
	CHECK(webhook_parse_since("-30m", NOW, &t) == 0 && t == NOW - 1800);
	CHECK(webhook_parse_since("1767225600", 0, &t) == 0 && t == NOW);
	CHECK(webhook_parse_since("yesterday", NOW, &t) == -1);
	CHECK(webhook_parse_since("-1y", NOW, &t) == -1);
	CHECK(webhook_parse_since("2026-13-01", NOW, &t) == -1);
	CHECK(webhook_parse_since("2026-01-01T25:00:00Z", NOW, &t) == -1);
	CHECK(webhook_parse_since("", NOW, &t) == -1);
}

/* ---- reading events back ---- */

static json_t *query(struct store *s, const char *args_json)
{
	json_t *args = json_loads(args_json, 0, NULL);
	json_t *r = events_query(s, args, NULL);
	json_decref(args);
	return r;
}

/* The vendor ids of a query's data, space separated, into out. */
static const char *ids_of(json_t *r, char *out, size_t n)
{
	size_t i, used = 0;
	json_t *e;
	out[0] = '\0';
	json_array_foreach(json_object_get(json_object_get(r, "structuredContent"), "data"), i, e)
		used += (size_t)snprintf(out + used, n - used, "%s%s", used ? " " : "",
					 json_string_value(json_object_get(e, "vendor_event_id")));
	return out;
}

static int is_error(json_t *r)
{
	return json_is_true(json_object_get(r, "isError"));
}

static void add_event(struct store *s, const char *connector, long long conn, const char *entity,
		      const char *type, const char *vendor, const char *id)
{
	struct event ev = {.connector = (char *)connector,
			   .connection_id = conn,
			   .entity = (char *)entity,
			   .event_type = (char *)type,
			   .vendor_type = (char *)vendor,
			   .vendor_event_id = (char *)id,
			   .payload = json_pack("{s:s}", "id", id)};
	struct err err;
	err_init(&err);
	CHECK(store_add_event(s, &ev, &err) == 1);
	json_decref(ev.payload);
}

static void test_reading(void)
{
	char dir[] = "/tmp/sbwebhook-XXXXXX", buf[512];
	CHECK(mkdtemp(dir) != NULL);
	char *path = xasprintf("%s/store.db", dir);
	struct err err;
	err_init(&err);
	setenv("SWITCHBOARD_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", 1);
	struct store *s = store_open(path, &err);
	CHECK(s != NULL);
	if (!s)
		goto out;
	struct connection c = {
		.connector = (char *)"stripe", .name = (char *)"main", .auth = (char *)"api_key"};
	CHECK(store_add_connection(s, &c, &err) == 0);
	free(c.status); /* filled in by the store */
	add_event(s, "stripe", c.id, "customers", "created", "customer.created", "e1");
	add_event(s, "stripe", c.id, "customers", "updated", "customer.updated", "e2");
	add_event(s, "stripe", c.id, NULL, "balance.available", "balance.available", "e3");
	add_event(s, "github", 0, "issues", "opened", "issues.opened", "e4");
	add_event(s, "stripe", c.id, "customers", "created", "customer.created", "e5");

	json_t *r = query(s, "{}");
	CHECK(!is_error(r));
	CHECK_STR(ids_of(r, buf, sizeof(buf)), "e5 e4 e3 e2 e1");
	json_t *first =
		json_array_get(json_object_get(json_object_get(r, "structuredContent"), "data"), 0);
	CHECK_STR(json_string_value(json_object_get(first, "connection")), "main");
	CHECK_STR(json_string_value(json_object_get(first, "event")), "created");
	CHECK_STR(json_string_value(json_object_get(first, "vendor_event")), "customer.created");
	/* The text block is the same JSON as structuredContent. */
	json_t *text =
		json_loads(json_string_value(json_object_get(
				   json_array_get(json_object_get(r, "content"), 0), "text")),
			   0, NULL);
	CHECK(json_equal(text, json_object_get(r, "structuredContent")));
	json_decref(text);
	json_decref(r);

	/* Pages of two: e5 e4, e3 e2, e1. */
	r = query(s, "{\"limit\": 2}");
	CHECK_STR(ids_of(r, buf, sizeof(buf)), "e5 e4");
	const char *next = json_string_value(
		json_object_get(json_object_get(r, "structuredContent"), "next_cursor"));
	CHECK(next != NULL);
	char *q = xasprintf("{\"limit\": 2, \"cursor\": \"%s\"}", next ? next : "");
	json_t *r2 = query(s, q);
	CHECK_STR(ids_of(r2, buf, sizeof(buf)), "e3 e2");
	free(q);
	next = json_string_value(
		json_object_get(json_object_get(r2, "structuredContent"), "next_cursor"));
	q = xasprintf("{\"limit\": 2, \"cursor\": \"%s\"}", next ? next : "");
	json_t *r3 = query(s, q);
	CHECK_STR(ids_of(r3, buf, sizeof(buf)), "e1");
	CHECK(!json_object_get(json_object_get(r3, "structuredContent"), "next_cursor"));
	free(q);
	json_decref(r);
	json_decref(r2);
	json_decref(r3);

	static const struct {
		const char *args, *want;
	} filters[] = {
		{"{\"connector\": \"stripe\", \"entity\": \"customers\"}", "e5 e2 e1"},
		{"{\"entity\": \"_other\"}", "e3"},
		{"{\"type\": \"created\"}", "e5 e1"},
		{"{\"type\": \"issues.opened\"}", "e4"},
		{"{\"connection\": \"main\", \"type\": \"customer.updated\"}", "e2"},
		{"{\"connection\": \"stripe/main\", \"limit\": 1}", "e5"},
		{"{\"since\": \"-1h\", \"connector\": \"github\"}", "e4"},
		{"{\"since\": \"2999-01-01\"}", ""},
	};
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		r = query(s, filters[i].args);
		CHECK(!is_error(r));
		CHECK_STR(ids_of(r, buf, sizeof(buf)), filters[i].want);
		json_decref(r);
	}
	static const char *const bad[] = {"{\"connection\": \"ghost\"}",
					  "{\"since\": \"whenever\"}", "{\"cursor\": \"p1\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = query(s, bad[i]);
		CHECK(is_error(r));
		json_decref(r);
	}
	r = query(NULL, "{}");
	CHECK(is_error(r));
	json_decref(r);
	json_t *def = events_tool_def();
	CHECK_STR(json_string_value(json_object_get(def, "name")), "switchboard_events");
	CHECK(json_is_true(json_object_get(json_object_get(def, "annotations"), "readOnlyHint")));
	CHECK(json_object_get(json_object_get(json_object_get(def, "inputSchema"), "properties"),
			      "since") != NULL);
	json_decref(def);

	/* Resources: a collection per connector and entity, then the latest. */
	int code = 0;
	json_t *list = events_resources_list(s, NULL, NULL, &code, &err);
	json_t *res = json_object_get(list, "resources");
	CHECK(json_array_size(res) == 3 + 5);
	CHECK_STR(json_string_value(json_object_get(json_array_get(res, 0), "uri")),
		  "events://github/issues");
	CHECK_STR(json_string_value(json_object_get(json_array_get(res, 1), "uri")),
		  "events://stripe/customers");
	CHECK_STR(json_string_value(json_object_get(json_array_get(res, 2), "uri")),
		  "events://stripe/_other");
	CHECK_STR(json_string_value(json_object_get(json_array_get(res, 3), "uri")),
		  "events://stripe/customers/5");
	CHECK(!json_object_get(list, "nextCursor"));
	json_decref(list);
	json_t *params = json_pack("{s:s}", "cursor", "p6");
	list = events_resources_list(s, params, NULL, &code, &err);
	CHECK(json_array_size(json_object_get(list, "resources")) == 2);
	json_decref(list);
	json_decref(params);
	params = json_pack("{s:s}", "cursor", "x");
	err_init(&err);
	CHECK(events_resources_list(s, params, NULL, &code, &err) == NULL && code == -32602);
	json_decref(params);

	params = json_pack("{s:s}", "uri", "events://stripe/_other");
	json_t *read = events_resource_read(s, reg, params, NULL, &code, &err);
	json_t *body =
		json_loads(json_string_value(json_object_get(
				   json_array_get(json_object_get(read, "contents"), 0), "text")),
			   0, NULL);
	CHECK(json_array_size(body) == 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(body, 0), "vendor_event_id")),
		  "e3");
	json_decref(body);
	json_decref(read);
	json_decref(params);
	params = json_pack("{s:s}", "uri", "events://github/issues/4");
	read = events_resource_read(s, reg, params, NULL, &code, &err);
	CHECK(read != NULL);
	json_decref(read);
	json_decref(params);
	static const char *const missing[] = {"events://github/issues/5", "events://github/nope",
					      "events://stripe", "events://stripe/customers/x",
					      "stripe/customers"};
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		params = json_pack("{s:s}", "uri", missing[i]);
		err_init(&err);
		code = 0;
		CHECK(events_resource_read(s, reg, params, NULL, &code, &err) == NULL);
		CHECK(code == EVENTS_RESOURCE_NOT_FOUND && err_is_set(&err));
		json_decref(params);
	}
	err_init(&err);
	CHECK(events_resource_check(reg, "events://stripe/customers", &err) == 0);
	CHECK(events_resource_check(reg, "events://stripe/_other", &err) == 0);
	CHECK(events_resource_check(reg, "events://stripe/nosuch", &err) == -1);
	CHECK(events_resource_check(reg, "events://stripe/customers/1/2", &err) == -1);
	struct event ev = {.connector = (char *)"xero", .entity = NULL};
	char *uri = events_resource_uri(&ev);
	CHECK_STR(uri, "events://xero/_other");
	free(uri);
	store_free(s);
out:;
	char *files[] = {path, xasprintf("%s-wal", path), xasprintf("%s-shm", path)};
	for (int i = 0; i < 3; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	rmdir(dir);
}

int main(void)
{
	setenv("SWITCHBOARD_DATADIR", ".", 0); /* run from the checkout (make test does) */
	reg = registry_new();
	const char *slugs[] = {"stripe", "github",     "shopify",  "slack", "hubspot",
			       "xero",   "quickbooks", "cin7core", "openai"};
	for (size_t i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++) {
		struct err err;
		err_init(&err);
		char *path = xasprintf("capabilities/%s.json", slugs[i]);
		if (registry_load_file(reg, path, &err) < 0)
			fprintf(stderr, "%s\n", err.msg);
		free(path);
	}
	test_stripe();
	test_several_secrets();
	test_body_b64("shopify", "x-shopify-hmac-sha256");
	test_body_b64("xero", "x-xero-signature");
	test_body_b64("quickbooks", "intuit-signature");
	test_github();
	test_slack();
	test_hubspot();
	test_standard();
	test_basic_or_bearer();
	test_no_secret_or_scheme();
	test_events();
	test_times();
	test_reading();
	registry_free(reg);
	return t_done();
}
