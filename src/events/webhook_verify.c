/* webhook_verify.c - the signature schemes of vendor webhooks, one function
 * each behind a table keyed by the connector's "scheme", all HMAC-SHA256
 * except Cin7 Core's configured Basic/Bearer credential. A vendor that signs
 * the body in one header (Shopify, GitHub, Xero, QuickBooks) is no scheme
 * here but data: hmac_sha256 with its header, encoding and prefix in its
 * file. Every comparison is constant-time, and nothing here sees a secret
 * it would print. */
#include "webhook.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connector.h"
#include "crypto.h"

struct scheme;

typedef enum webhook_verdict (*verify_fn)(const struct scheme *sc, const struct webhook_spec *wh,
					  const char *secret, const struct webhook_request *req,
					  struct err *why);

struct scheme {
	const char *name;
	verify_fn verify;
	const char *signature_header; /* defaults; the connector's block overrides them */
	const char *timestamp_header;
	const char *id_header;
	long tolerance_s; /* 0: the scheme has no timestamp */
};

/* ---- helpers ---- */

/* A header by name, any case; borrowed or NULL. */
static const char *header(json_t *headers, const char *name)
{
	char low[128];
	size_t n = strlen(name);
	if (n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	return json_string_value(json_object_get(headers, low));
}

/* The header the block names (name), else the scheme's default. */
static const char *named_header(const char *name, const char *fallback,
				const struct webhook_request *req)
{
	if (!name)
		name = fallback;
	return name ? header(req->headers, name) : NULL;
}

static long tolerance(const struct scheme *sc, const struct webhook_spec *wh)
{
	return wh->tolerance_s > 0 ? wh->tolerance_s : sc->tolerance_s;
}

/* Equal strings, in time that depends on neither content nor where they
 * differ: compare digests, which also hide the lengths. */
static int secure_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char da[32], db[32];
	crypto_sha256(a, alen, da);
	crypto_sha256(b, blen, db);
	return crypto_memeq(da, db, sizeof(da));
}

/* Trim spaces at both ends into a new string. */
static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

/* HMAC-SHA256 of the parts concatenated, keyed with key. */
static void mac_parts(const void *key, size_t key_len, const char *const *parts, const size_t *lens,
		      size_t n, unsigned char out[32])
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++)
		buf_add(&b, parts[i], lens[i]);
	crypto_hmac_sha256(key, key_len, b.data ? b.data : "", b.len, out);
	buf_release(&b);
}

/* Does given (hex, any case) equal mac? */
static int hex_matches(const unsigned char mac[32], const char *given, size_t len)
{
	char *want = crypto_hex(mac, 32);
	char *low = xstrndup(given, len);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	int ok = secure_equal(want, strlen(want), low, len);
	free(want);
	free(low);
	return ok;
}

/* Does given (standard base64) equal mac? */
static int b64_matches(const unsigned char mac[32], const char *given, size_t len)
{
	char *want = crypto_base64(mac, 32, 0);
	int ok = secure_equal(want, strlen(want), given, len);
	free(want);
	return ok;
}

/* A whole decimal number; 0 or -1. */
static int parse_ll(const char *s, long long *out)
{
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	*out = v;
	return 0;
}

/* The next item of a list separated by sep (spaces around items skipped):
 * *item and *len, and the position after it; NULL at the end. */
static const char *next_item(const char *p, char sep, const char **item, size_t *len)
{
	while (*p == ' ' || *p == sep)
		p++;
	if (!*p)
		return NULL;
	size_t n = 0;
	while (p[n] && p[n] != sep)
		n++;
	*item = p;
	*len = n;
	while (*len && (*item)[*len - 1] == ' ')
		(*len)--;
	return p + n;
}

static enum webhook_verdict check_age(long long ts, long long now, long tol, struct err *why)
{
	long long age = now - ts;
	if (age > tol || -age > tol) {
		err_set(why, "timestamp is %lld s %s, outside the %ld s window",
			age < 0 ? -age : age, age < 0 ? "ahead" : "old", tol);
		return WEBHOOK_STALE;
	}
	return WEBHOOK_OK;
}

static enum webhook_verdict missing(const char *what, struct err *why)
{
	err_set(why, "no %s header", what);
	return WEBHOOK_MISSING;
}

static enum webhook_verdict mismatch(struct err *why)
{
	err_set(why, "signature does not match");
	return WEBHOOK_MISMATCH;
}

/* ---- schemes ---- */

/* An HMAC-SHA256 of the raw body in one header, after an optional prefix, in
 * hex or base64 (the default): the connector's block says which
 * (signature_header, signature_encoding, signature_prefix). Shopify, Xero
 * and QuickBooks send base64; GitHub "sha256=<hex>". */
static enum webhook_verdict verify_hmac(const struct scheme *sc, const struct webhook_spec *wh,
					const char *secret, const struct webhook_request *req,
					struct err *why)
{
	const char *name = wh->signature_header;
	if (!name) {
		err_set(why, "the %s scheme needs signature_header in the webhooks block",
			sc->name);
		return WEBHOOK_UNSUPPORTED;
	}
	const char *sig = header(req->headers, name);
	if (!sig)
		return missing(name, why);
	const char *prefix = wh->signature_prefix ? wh->signature_prefix : "";
	const char *enc = wh->signature_encoding ? wh->signature_encoding : "base64";
	size_t plen = strlen(prefix);
	if (strncmp(sig, prefix, plen) != 0) {
		err_set(why, "signature is not %s<%s>", prefix, enc);
		return WEBHOOK_MALFORMED;
	}
	unsigned char mac[32];
	crypto_hmac_sha256(secret, strlen(secret), req->body, req->body_len, mac);
	char *given = trimmed(sig + plen);
	int ok = strcmp(enc, "hex") == 0 ? hex_matches(mac, given, strlen(given))
					 : b64_matches(mac, given, strlen(given));
	free(given);
	return ok ? WEBHOOK_OK : mismatch(why);
}

/* Stripe: Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...] over "{t}.{body}",
 * keyed with the whsec_ secret as it is. Any v1 may match. */
static enum webhook_verdict verify_stripe(const struct scheme *sc, const struct webhook_spec *wh,
					  const char *secret, const struct webhook_request *req,
					  struct err *why)
{
	const char *sig = named_header(wh->signature_header, sc->signature_header, req);
	if (!sig)
		return missing(sc->signature_header, why);
	const char *p = sig, *item;
	size_t n;
	char *ts = NULL;
	long long t;
	while ((p = next_item(p, ',', &item, &n)) != NULL)
		if (n > 2 && strncmp(item, "t=", 2) == 0 && !ts)
			ts = xstrndup(item + 2, n - 2);
	if (!ts || parse_ll(ts, &t) < 0) {
		free(ts);
		err_set(why, "Stripe-Signature has no t=<unix time>");
		return WEBHOOK_MALFORMED;
	}
	unsigned char mac[32];
	const char *parts[] = {ts, ".", req->body};
	size_t lens[] = {strlen(ts), 1, req->body_len};
	mac_parts(secret, strlen(secret), parts, lens, 3, mac);
	free(ts);
	int any = 0, ok = 0;
	for (p = sig; (p = next_item(p, ',', &item, &n)) != NULL;) {
		if (n > 3 && strncmp(item, "v1=", 3) == 0) {
			any = 1;
			ok |= hex_matches(mac, item + 3, n - 3);
		}
	}
	if (!any) {
		err_set(why, "Stripe-Signature has no v1 signature");
		return WEBHOOK_MALFORMED;
	}
	return ok ? check_age(t, req->now, tolerance(sc, wh), why) : mismatch(why);
}

/* Slack: X-Slack-Signature: v0=<hex> over "v0:{ts}:{body}", with
 * X-Slack-Request-Timestamp inside the window. */
static enum webhook_verdict verify_slack(const struct scheme *sc, const struct webhook_spec *wh,
					 const char *secret, const struct webhook_request *req,
					 struct err *why)
{
	const char *sig = named_header(wh->signature_header, sc->signature_header, req);
	const char *ts = named_header(wh->timestamp_header, sc->timestamp_header, req);
	long long t;
	if (!sig)
		return missing(sc->signature_header, why);
	if (!ts)
		return missing(sc->timestamp_header, why);
	if (strncmp(sig, "v0=", 3) != 0 || parse_ll(ts, &t) < 0) {
		err_set(why, "signature is not v0=<hex> with a unix timestamp");
		return WEBHOOK_MALFORMED;
	}
	unsigned char mac[32];
	const char *parts[] = {"v0:", ts, ":", req->body};
	size_t lens[] = {3, strlen(ts), 1, req->body_len};
	mac_parts(secret, strlen(secret), parts, lens, 4, mac);
	char *given = trimmed(sig + 3);
	int ok = hex_matches(mac, given, strlen(given));
	free(given);
	return ok ? check_age(t, req->now, tolerance(sc, wh), why) : mismatch(why);
}

/* HubSpot v3 decodes these escapes in the URI before signing it. */
static char *hubspot_uri(const char *url)
{
	static const char *const esc[][2] = {
		{"%3A", ":"}, {"%2F", "/"}, {"%3F", "?"}, {"%40", "@"}, {"%21", "!"}, {"%24", "$"},
		{"%27", "'"}, {"%28", "("}, {"%29", ")"}, {"%2A", "*"}, {"%2C", ","}, {"%3B", ";"}};
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = url; *p;) {
		size_t i;
		for (i = 0; *p == '%' && i < sizeof(esc) / sizeof(esc[0]); i++)
			if (strncasecmp(p, esc[i][0], 3) == 0)
				break;
		if (*p == '%' && i < sizeof(esc) / sizeof(esc[0])) {
			buf_adds(&b, esc[i][1]);
			p += 3;
		} else {
			buf_add(&b, p++, 1);
		}
	}
	return buf_detach(&b);
}

/* HubSpot v3: base64 HMAC over method + URI + body + timestamp (ms), the
 * timestamp within the window. */
static enum webhook_verdict verify_hubspot(const struct scheme *sc, const struct webhook_spec *wh,
					   const char *secret, const struct webhook_request *req,
					   struct err *why)
{
	const char *sig = named_header(wh->signature_header, sc->signature_header, req);
	const char *ts = named_header(wh->timestamp_header, sc->timestamp_header, req);
	long long t;
	if (!sig)
		return missing(sc->signature_header, why);
	if (!ts)
		return missing(sc->timestamp_header, why);
	if (parse_ll(ts, &t) < 0) {
		err_set(why, "timestamp is not milliseconds since the epoch");
		return WEBHOOK_MALFORMED;
	}
	if (!req->url) {
		err_set(why, "the public URL is unknown: set the connection's webhook_url");
		return WEBHOOK_MALFORMED;
	}
	char *uri = hubspot_uri(req->url);
	const char *method = req->method ? req->method : "POST";
	unsigned char mac[32];
	const char *parts[] = {method, uri, req->body, ts};
	size_t lens[] = {strlen(method), strlen(uri), req->body_len, strlen(ts)};
	mac_parts(secret, strlen(secret), parts, lens, 4, mac);
	free(uri);
	char *given = trimmed(sig);
	int ok = b64_matches(mac, given, strlen(given));
	free(given);
	if (!ok)
		return mismatch(why);
	/* Compare in milliseconds; the window is in seconds. */
	long long tol_ms = (long long)tolerance(sc, wh) * 1000, age = req->now * 1000 - t;
	if (age > tol_ms || -age > tol_ms) {
		err_set(why, "timestamp is %lld s %s, outside the %ld s window",
			((age < 0 ? -age : age) + 500) / 1000, age < 0 ? "ahead" : "old",
			tolerance(sc, wh));
		return WEBHOOK_STALE;
	}
	return WEBHOOK_OK;
}

/* Standard Webhooks (OpenAI): webhook-signature "v1,<b64> v1,<b64>" over
 * "{id}.{ts}.{body}", keyed with the base64 after "whsec_". */
static enum webhook_verdict verify_standard(const struct scheme *sc, const struct webhook_spec *wh,
					    const char *secret, const struct webhook_request *req,
					    struct err *why)
{
	const char *sig = named_header(wh->signature_header, sc->signature_header, req);
	const char *ts = named_header(wh->timestamp_header, sc->timestamp_header, req);
	const char *id = named_header(wh->id_header, sc->id_header, req);
	long long t;
	if (!sig)
		return missing(sc->signature_header, why);
	if (!ts)
		return missing(sc->timestamp_header, why);
	if (!id)
		return missing(sc->id_header, why);
	if (parse_ll(ts, &t) < 0) {
		err_set(why, "timestamp is not a unix time");
		return WEBHOOK_MALFORMED;
	}
	size_t key_len = 0;
	unsigned char *key =
		crypto_unbase64(strncmp(secret, "whsec_", 6) == 0 ? secret + 6 : secret, &key_len);
	if (!key || key_len == 0) {
		free(key);
		err_set(why, "the secret is not whsec_<base64>");
		return WEBHOOK_BAD_SECRET;
	}
	unsigned char mac[32];
	const char *parts[] = {id, ".", ts, ".", req->body};
	size_t lens[] = {strlen(id), 1, strlen(ts), 1, req->body_len};
	mac_parts(key, key_len, parts, lens, 5, mac);
	crypto_cleanse(key, key_len);
	free(key);
	int ok = 0, any = 0;
	const char *item;
	size_t n;
	for (const char *p = sig; (p = next_item(p, ' ', &item, &n)) != NULL;) {
		if (n > 3 && strncmp(item, "v1,", 3) == 0) {
			any = 1;
			ok |= b64_matches(mac, item + 3, n - 3);
		}
	}
	if (!any) {
		err_set(why, "webhook-signature has no v1 signature");
		return WEBHOOK_MALFORMED;
	}
	return ok ? check_age(t, req->now, tolerance(sc, wh), why) : mismatch(why);
}

/* Cin7 Core signs nothing: each webhook sends the Basic or Bearer
 * credential it was registered with. The secret is "user:password" (Basic),
 * a bare token (Bearer), or a whole "Basic ..."/"Bearer ..." value. */
static enum webhook_verdict
verify_basic_or_bearer(const struct scheme *sc, const struct webhook_spec *wh, const char *secret,
		       const struct webhook_request *req, struct err *why)
{
	const char *got = named_header(wh->signature_header, sc->signature_header, req);
	if (!got)
		return missing("Authorization", why);
	char *want;
	if (strncasecmp(secret, "basic ", 6) == 0 || strncasecmp(secret, "bearer ", 7) == 0) {
		want = trimmed(secret);
	} else if (strchr(secret, ':')) {
		char *b64 = crypto_base64(secret, strlen(secret), 0);
		want = xasprintf("Basic %s", b64);
		free_secret(b64);
	} else {
		want = xasprintf("Bearer %s", secret);
	}
	char *given = trimmed(got);
	/* The scheme word is case-insensitive; the credential is not. */
	size_t ws = strcspn(want, " "), gs = strcspn(given, " ");
	int ok = ws == gs && strncasecmp(want, given, ws) == 0;
	const char *wc = want + ws, *gc = given + gs;
	while (*wc == ' ')
		wc++;
	while (*gc == ' ')
		gc++;
	ok &= secure_equal(wc, strlen(wc), gc, strlen(gc));
	free_secret(want);
	free_secret(given);
	if (!ok) {
		err_set(why, "Authorization does not match the configured credential");
		return WEBHOOK_MISMATCH;
	}
	return WEBHOOK_OK;
}

static const struct scheme schemes[] = {
	{"stripe", verify_stripe, "Stripe-Signature", NULL, NULL, 300},
	{"hmac_sha256", verify_hmac, NULL, NULL, NULL, 0},
	{"slack", verify_slack, "X-Slack-Signature", "X-Slack-Request-Timestamp", NULL, 300},
	{"hubspot", verify_hubspot, "X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp", NULL,
	 300},
	{"standard", verify_standard, "webhook-signature", "webhook-timestamp", "webhook-id", 300},
	{"basic_or_bearer", verify_basic_or_bearer, "Authorization", NULL, NULL, 0},
};

enum webhook_verdict webhook_verify(const struct webhook_spec *webhooks, const char *secret,
				    const struct webhook_request *req, struct err *why)
{
	const char *name = webhooks ? webhooks->scheme : NULL;
	for (size_t i = 0; name && i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strcmp(schemes[i].name, name) != 0)
			continue;
		if (!secret || !*secret) {
			err_set(why, "no secret to verify with");
			return WEBHOOK_BAD_SECRET;
		}
		return schemes[i].verify(&schemes[i], webhooks, secret, req, why);
	}
	err_set(why, "no webhook signature scheme '%s'", name ? name : "(none)");
	return WEBHOOK_UNSUPPORTED;
}

/* One entry of a secrets list: a string, or an object's "secret". */
static const char *secret_entry(json_t *v)
{
	const char *s = json_is_object(v) ? json_string_value(json_object_get(v, "secret"))
					  : json_string_value(v);
	return s && *s ? s : NULL;
}

size_t webhook_secret_count(json_t *secrets)
{
	if (!json_is_array(secrets))
		return secret_entry(secrets) ? 1 : 0;
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(secrets, i, v)
		n += secret_entry(v) != NULL;
	return n;
}

const char *webhook_secret_at(json_t *secrets, size_t i)
{
	if (!json_is_array(secrets))
		return i == 0 ? secret_entry(secrets) : NULL;
	size_t k;
	json_t *v;
	json_array_foreach(secrets, k, v) {
		const char *s = secret_entry(v);
		if (s && i-- == 0)
			return s;
	}
	return NULL;
}

/* How telling a failed verdict is, higher first: a signature that matched
 * but is stale, then what is wrong with the request, then a mismatch, and
 * an unusable secret last (another secret may be usable). */
static int verdict_rank(enum webhook_verdict v)
{
	switch (v) {
	case WEBHOOK_OK:
		return 6;
	case WEBHOOK_STALE:
		return 5;
	case WEBHOOK_MISSING:
	case WEBHOOK_MALFORMED:
		return 4;
	case WEBHOOK_MISMATCH:
		return 3;
	case WEBHOOK_UNSUPPORTED:
		return 2;
	case WEBHOOK_BAD_SECRET:
		return 1;
	}
	return 0;
}

enum webhook_verdict webhook_verify_any(const struct webhook_spec *webhooks, json_t *secrets,
					const struct webhook_request *req, struct err *why)
{
	size_t n = webhook_secret_count(secrets);
	if (n == 0)
		return webhook_verify(webhooks, NULL, req, why);
	enum webhook_verdict best = WEBHOOK_BAD_SECRET;
	struct err best_why;
	err_init(&best_why);
	/* No early exit: every secret is tried. */
	for (size_t i = 0; i < n; i++) {
		struct err e;
		err_init(&e);
		enum webhook_verdict v =
			webhook_verify(webhooks, webhook_secret_at(secrets, i), req, &e);
		if (i == 0 || verdict_rank(v) > verdict_rank(best)) {
			best = v;
			best_why = e;
		}
	}
	if (best != WEBHOOK_OK && err_is_set(&best_why))
		err_set(why, "%s%s", best_why.msg,
			n > 1 && best == WEBHOOK_MISMATCH ? " (any of the secrets)" : "");
	return best;
}

const char *webhook_verdict_text(enum webhook_verdict v)
{
	switch (v) {
	case WEBHOOK_OK:
		return "verified";
	case WEBHOOK_MISSING:
		return "signature header missing";
	case WEBHOOK_MALFORMED:
		return "signature malformed";
	case WEBHOOK_MISMATCH:
		return "signature does not match";
	case WEBHOOK_STALE:
		return "timestamp outside the replay window";
	case WEBHOOK_BAD_SECRET:
		return "configured secret unusable";
	case WEBHOOK_UNSUPPORTED:
		return "no signature scheme";
	}
	return "unknown";
}
