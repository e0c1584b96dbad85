/* mail.c - the Email connector's transport: SMTP through libcurl, and the
 * IMAP tools over a connection libcurl opens and authenticates, on which
 * imap.c speaks IMAP itself. mime.c builds and parses the messages. */
#include "mail.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "imap.h"
#include "mime.h"
#include "mime_codec.h"

#define DEFAULT_TIMEOUT_MS 30000
#define CONNECT_TIMEOUT_MS 10000
#define MAX_MESSAGE (25u << 20) /* an outgoing message, encoded */
#define MAX_RECIPIENTS 100
#define MAX_ATTACHMENTS 50
#define MAX_CONTENT (3u << 20)   /* attachment bytes mail_read returns, decoded */
#define DEFAULT_MAX_CHARS 100000 /* mail_read's cut of text and html */
#define MAX_ADDR_LEN 254
#define MAX_MAILBOX 1000
#define LIST_DEFAULT 20
#define LIST_MAX 100
#define LIST_FIELDS "FROM TO CC SUBJECT DATE MESSAGE-ID"

/* ------------------------------------------------------------ common */

static size_t discard_cb(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* Errors never carry a credential, even when a server echoes one back. */
static void err_scrub(struct err *err, const struct mail_account *a)
{
	const char *secrets[] = {a->password, a->oauth_token};
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		const char *s = secrets[i];
		size_t sl = s ? strlen(s) : 0;
		char *hit;
		if (sl < 4)
			continue;
		while ((hit = strstr(err->msg, s))) {
			char tail[sizeof(err->msg)];
			snprintf(tail, sizeof(tail), "%s", hit + sl);
			snprintf(hit, sizeof(err->msg) - (size_t)(hit - err->msg), "[redacted]%s",
				 tail);
		}
	}
}

static int is_loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 ||
	       strcasecmp(host, "localhost") == 0;
}

/* A DNS name or an IP literal: nothing that could change the URL's meaning. */
static int host_valid(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 253)
		return 0;
	if (strchr(h, ':'))
		return strspn(h, "0123456789abcdefABCDEF:.") == n;
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n &&
	       h[0] != '-' && h[0] != '.';
}

enum proto { PROTO_SMTP, PROTO_IMAP };

/* A new curl handle for the account's SMTP or IMAP server, credentials and
 * timeouts set, or NULL with err. errbuf receives curl's messages. */
static CURL *easy_new(const struct mail_account *a, enum proto p, char *errbuf, struct err *err)
{
	const char *host = p == PROTO_SMTP ? a->smtp_host : a->imap_host;
	const char *kind = p == PROTO_SMTP ? "smtp" : "imap";
	const char *sec = a->security && *a->security ? a->security : "starttls";
	long port = p == PROTO_SMTP ? a->smtp_port : a->imap_port;
	long use_ssl = CURLUSESSL_NONE;
	long timeout = a->timeout_ms > 0 ? a->timeout_ms : DEFAULT_TIMEOUT_MS;
	int tls = 0;
	char *url = NULL;
	CURL *c = NULL;

	if (!host || !*host) {
		err_set(err, "no %s host is configured", kind);
		goto out;
	}
	if (!host_valid(host)) {
		err_set(err, "%s host '%s' is not a host name", kind, host);
		goto out;
	}
	if (strcmp(sec, "starttls") == 0) {
		use_ssl = CURLUSESSL_ALL;
		if (!port)
			port = p == PROTO_SMTP ? 587 : 143;
	} else if (strcmp(sec, "tls") == 0) {
		tls = 1;
		if (!port)
			port = p == PROTO_SMTP ? 465 : 993;
	} else if (strcmp(sec, "none") == 0) {
		if (!is_loopback(host)) {
			err_set(err,
				"security \"none\" (plain text) is only allowed to this machine "
				"(127.0.0.1, ::1, localhost)");
			goto out;
		}
		if (!port)
			port = p == PROTO_SMTP ? 25 : 143;
	} else {
		err_set(err, "unknown security '%s' (use \"starttls\" or \"tls\")", sec);
		goto out;
	}
	if (port < 1 || port > 65535) {
		err_set(err, "%s port %ld is out of range", kind, port);
		goto out;
	}
	url = xasprintf(strchr(host, ':') ? "%s%s://[%s]:%ld/" : "%s%s://%s:%ld/", kind,
			tls ? "s" : "", host, port);
	c = curl_easy_init();
	if (!c) {
		err_set(err, "cannot create a curl handle");
		goto out;
	}
	errbuf[0] = '\0';
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
			     p == PROTO_SMTP ? "smtp,smtps" : "imap,imaps") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			     timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS) !=
		    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl) != CURLE_OK ||
	    (a->username && curl_easy_setopt(c, CURLOPT_USERNAME, a->username) != CURLE_OK)) {
		err_set(err, "cannot set up curl for %s", kind);
		goto fail;
	}
	if (a->oauth_token && *a->oauth_token) {
		/* Forcing the mechanism keeps curl from trying EXTERNAL (chosen
		 * when the password is empty) or PLAIN with no password. */
		if (curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, a->oauth_token) != CURLE_OK ||
		    curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2") != CURLE_OK) {
			err_set(err, "cannot set up curl for %s", kind);
			goto fail;
		}
	} else if (a->password && curl_easy_setopt(c, CURLOPT_PASSWORD, a->password) != CURLE_OK) {
		err_set(err, "cannot set up curl for %s", kind);
		goto fail;
	}
	goto out;
fail:
	curl_easy_cleanup(c);
	c = NULL;
out:
	free(url);
	return c;
}

static const char *curl_text(CURLcode rc, const char *errbuf)
{
	return errbuf[0] ? errbuf : curl_easy_strerror(rc);
}

/* A string argument: absent or null gives NULL (an error when required). */
static int arg_string(json_t *args, const char *key, int required, const char **out,
		      struct err *err)
{
	json_t *v = json_object_get(args, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? err_set(err, "%s is required", key) : 0;
	if (!json_is_string(v))
		return err_set(err, "%s must be a string", key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return err_set(err, "%s must not contain NUL characters", key);
	*out = json_string_value(v);
	return 0;
}

/* A positive number up to 2^32-1 (a UID), given as a JSON integer or string. */
static int arg_uid(json_t *v, const char *key, unsigned long *out, struct err *err)
{
	long n = -1;
	if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= 4294967295LL)
		n = (long)json_integer_value(v);
	else if (json_is_string(v) &&
		 strspn(json_string_value(v), "0123456789") == strlen(json_string_value(v)))
		(void)parse_long(json_string_value(v), &n);
	if (n < 1 || n > 4294967295L)
		return err_set(err, "%s must be a message uid (a positive integer)", key);
	*out = (unsigned long)n;
	return 0;
}

/* ------------------------------------------------------------ SMTP */

static int arg_addresses(json_t *args, const char *key, struct mime_addr_list *l, struct err *err)
{
	json_t *v = json_object_get(args, key), *it;
	size_t i;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v))
			return err_set(err, "%s must not contain NUL characters", key);
		return mime_parse_addresses(key, json_string_value(v), l, err);
	}
	if (!json_is_array(v))
		return err_set(err, "%s must be an address or an array of addresses", key);
	json_array_foreach(v, i, it) {
		if (!json_is_string(it) || strlen(json_string_value(it)) != json_string_length(it))
			return err_set(err, "%s[%zu] must be a string", key, i);
		if (mime_parse_addresses(key, json_string_value(it), l, err) < 0)
			return -1;
	}
	return 0;
}

/* Attachments decoded from base64; att[i].data is ours to free. */
static int arg_attachments(json_t *args, struct mime_attachment **att, size_t *natt,
			   struct err *err)
{
	json_t *v = json_object_get(args, "attachments"), *it;
	size_t i;
	*att = NULL;
	*natt = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return err_set(err, "attachments must be an array");
	if (json_array_size(v) > MAX_ATTACHMENTS)
		return err_set(err, "at most %d attachments", MAX_ATTACHMENTS);
	*att = xcalloc(json_array_size(v) + 1, sizeof(**att));
	json_array_foreach(v, i, it) {
		struct mime_attachment *a = &(*att)[i];
		const char *b64;
		size_t len;
		struct err sub;
		err_init(&sub);
		if (!json_is_object(it))
			return err_set(err, "attachments[%zu] must be an object", i);
		if (arg_string(it, "filename", 1, &a->filename, &sub) < 0 ||
		    arg_string(it, "content_type", 0, &a->content_type, &sub) < 0 ||
		    arg_string(it, "content_base64", 1, &b64, &sub) < 0)
			return err_set(err, "attachments[%zu].%s", i, sub.msg);
		a->data = crypto_base64_decode(b64, strlen(b64), CRYPTO_B64_SPACE, &len);
		if (!a->data)
			return err_set(err, "attachments[%zu].content_base64 is not valid base64",
				       i);
		a->len = len;
		(*natt)++;
	}
	return 0;
}

/* In-Reply-To takes one message id as mail_read reports it: "<a@b>". */
static int msgid_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 250 || s[0] != '<' || s[n - 1] != '>' || !memchr(s, '@', n))
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || s[i] == '<' ||
		    s[i] == '>')
			return 0;
	return 1;
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t upload_cb(char *dst, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t want = size * n, left = u->len - u->off;
	if (want > left)
		want = left;
	memcpy(dst, u->data + u->off, want);
	u->off += want;
	return want;
}

/* What the server answered to each RCPT TO. curl goes on when some are
 * refused (CURLOPT_MAIL_RCPT_ALLLOWFAILS) but does not say which, so we read
 * its debug stream: each command it sends, then the reply lines. The AUTH
 * lines pass through here too; nothing but RCPT is looked at or kept. */
struct rcpt_watch {
	char current[MAX_ADDR_LEN + 1]; /* the RCPT waiting for its reply, or "" */
	json_t *accepted, *rejected;
	char first_refusal[160]; /* "addr: 550 5.1.1 no such user" */
};

static int debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *ud)
{
	struct rcpt_watch *w = ud;
	(void)c;
	if (type == CURLINFO_HEADER_OUT) {
		const char *gt;
		w->current[0] = '\0';
		if (size > 9 && strncasecmp(data, "RCPT TO:<", 9) == 0 &&
		    (gt = memchr(data + 9, '>', size - 9)) &&
		    (size_t)(gt - data - 9) < sizeof(w->current)) {
			memcpy(w->current, data + 9, (size_t)(gt - data - 9));
			w->current[gt - data - 9] = '\0';
		}
		return 0;
	}
	if (type != CURLINFO_HEADER_IN || !w->current[0])
		return 0;
	/* The reply's last line has a space or nothing after its code. */
	for (const char *line = data, *end = data + size; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (n >= 3 && line[0] >= '1' && line[0] <= '5' && (n == 3 || line[3] != '-') &&
		    w->current[0]) {
			if (line[0] == '2') {
				json_array_append_new(w->accepted, json_string(w->current));
			} else {
				json_array_append_new(w->rejected, json_string(w->current));
				if (!w->first_refusal[0]) {
					size_t k = (size_t)snprintf(w->first_refusal,
								    sizeof(w->first_refusal),
								    "%s: ", w->current);
					for (size_t i = 0;
					     i < n && k + 1 < sizeof(w->first_refusal); i++)
						if (line[i] >= ' ' && line[i] < 0x7f)
							w->first_refusal[k++] = line[i];
					w->first_refusal[k] = '\0';
				}
			}
			w->current[0] = '\0';
		}
		line += n + 1;
	}
	return 0;
}

static int has_addr(const struct curl_slist *l, const char *bracketed)
{
	for (; l; l = l->next)
		if (strcasecmp(l->data, bracketed) == 0)
			return 1;
	return 0;
}

int mail_send(const struct mail_account *acct, json_t *args, json_t **result, struct err *err)
{
	struct mime_addr_list to = {0}, cc = {0}, bcc = {0}, reply_to = {0}, from = {0};
	struct mime_attachment *att = NULL;
	size_t natt = 0, nrcpt = 0;
	const char *subject, *text, *html, *from_arg, *in_reply_to;
	struct mime_addr_list *lists[] = {&to, &cc, &bcc};
	struct curl_slist *rcpt = NULL;
	unsigned char rnd[28];
	char *id_hex = NULL, *message_id = NULL, *mail_from = NULL;
	char errbuf[CURL_ERROR_SIZE];
	struct buf msg;
	json_t *envelope = NULL;
	struct rcpt_watch watch = {.accepted = json_array(), .rejected = json_array()};
	CURL *c = NULL;
	int ret = -1;

	*result = NULL;
	buf_init(&msg, MAX_MESSAGE);
	if (!json_is_object(args)) {
		err_set(err, "arguments must be an object");
		goto out;
	}
	if (arg_addresses(args, "to", &to, err) < 0 || arg_addresses(args, "cc", &cc, err) < 0 ||
	    arg_addresses(args, "bcc", &bcc, err) < 0 ||
	    arg_addresses(args, "reply_to", &reply_to, err) < 0 ||
	    arg_string(args, "subject", 1, &subject, err) < 0 ||
	    arg_string(args, "text", 0, &text, err) < 0 ||
	    arg_string(args, "html", 0, &html, err) < 0 ||
	    arg_string(args, "from", 0, &from_arg, err) < 0 ||
	    arg_string(args, "in_reply_to", 0, &in_reply_to, err) < 0 ||
	    arg_attachments(args, &att, &natt, err) < 0)
		goto out;
	if (strpbrk(subject, "\r\n")) {
		err_set(err, "subject must not contain line breaks");
		goto out;
	}
	if (in_reply_to && !msgid_valid(in_reply_to)) {
		err_set(err, "in_reply_to must be a message id such as <id@example.com>");
		goto out;
	}
	if (!from_arg)
		from_arg = acct->from && *acct->from ? acct->from : acct->username;
	if (!from_arg || !*from_arg) {
		err_set(err, "no from address: give from, or configure one for the connection");
		goto out;
	}
	if (mime_parse_addresses("from", from_arg, &from, err) < 0)
		goto out;
	if (from.n != 1) {
		err_set(err, "from must be exactly one address");
		goto out;
	}

	/* The envelope: every To, Cc and Bcc once. Bcc is nowhere else. */
	envelope = json_array();
	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			char *b = xasprintf("<%s>", lists[l]->v[i].addr);
			if (!has_addr(rcpt, b)) {
				struct curl_slist *n = curl_slist_append(rcpt, b);
				if (!n) {
					free(b);
					err_set(err, "out of memory");
					goto out;
				}
				rcpt = n;
				nrcpt++;
				json_array_append_new(envelope, json_string(lists[l]->v[i].addr));
			}
			free(b);
		}
	if (nrcpt == 0) {
		err_set(err, "no recipients: give to, cc or bcc");
		goto out;
	}
	if (nrcpt > MAX_RECIPIENTS) {
		err_set(err, "at most %d recipients", MAX_RECIPIENTS);
		goto out;
	}

	if (crypto_random(rnd, sizeof(rnd), err) < 0)
		goto out;
	id_hex = crypto_hex(rnd, sizeof(rnd));
	message_id = xasprintf("<%.32s@%s>", id_hex, strrchr(from.v[0].addr, '@') + 1);
	struct mime_message m = {
		.from = &from.v[0],
		.to = &to,
		.cc = &cc,
		.reply_to = &reply_to,
		.subject = subject,
		.text = text,
		.html = html,
		.att = att,
		.natt = natt,
		.message_id = message_id,
		.in_reply_to = in_reply_to,
		.date = now_s(),
		.boundary = id_hex + 32,
	};
	if (mime_build(&m, &msg, err) < 0)
		goto out;

	c = easy_new(acct, PROTO_SMTP, errbuf, err);
	if (!c)
		goto out;
	mail_from = xasprintf("<%s>", from.v[0].addr);
	struct upload up = {msg.data, msg.len, 0};
	if (curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_READDATA, &up) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len) != CURLE_OK ||
	    /* 7.69's spelling; 8.2 renamed it ALLOWFAILS and kept this one. */
	    curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &watch) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L) != CURLE_OK) {
		err_set(err, "cannot set up curl for smtp");
		goto out;
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK && json_array_size(watch.rejected) == nrcpt) {
		err_set(err, "smtp send to '%s' failed: every recipient was refused (%s)",
			acct->smtp_host, watch.first_refusal);
		goto out;
	}
	if (rc != CURLE_OK) {
		err_set(err, "smtp send to '%s' failed: %s", acct->smtp_host,
			curl_text(rc, errbuf));
		goto out;
	}
	/* Should curl ever talk differently, the envelope is what it sent. */
	if (!json_array_size(watch.accepted) && !json_array_size(watch.rejected))
		json_array_extend(watch.accepted, envelope);
	*result = json_pack("{s:s, s:O, s:O}", "message_id", message_id, "accepted", watch.accepted,
			    "rejected", watch.rejected);
	ret = 0;
out:
	if (ret < 0)
		err_scrub(err, acct);
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	json_decref(envelope);
	json_decref(watch.accepted);
	json_decref(watch.rejected);
	for (size_t i = 0; i < natt; i++)
		free((void *)att[i].data);
	free(att);
	for (size_t l = 0; l < 3; l++)
		mime_addr_list_release(lists[l]);
	mime_addr_list_release(&reply_to);
	mime_addr_list_release(&from);
	buf_release(&msg);
	free(id_hex);
	free(message_id);
	free(mail_from);
	return ret;
}

/* A mailbox name or LIST pattern: UTF-8 on one line, dflt when absent. */
static int arg_mailbox(json_t *args, const char *key, const char *dflt, const char **out,
		       struct err *err)
{
	if (arg_string(args, key, 0, out, err) < 0)
		return -1;
	if (!*out || !**out)
		*out = dflt;
	for (const char *p = *out; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return err_set(err, "%s must not contain control characters", key);
	if (strlen(*out) > MAX_MAILBOX)
		return err_set(err, "%s is longer than %d bytes", key, MAX_MAILBOX);
	return 0;
}

static int arg_bool(json_t *args, const char *key, int *out, struct err *err)
{
	json_t *v = json_object_get(args, key);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return err_set(err, "%s must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* A whole number in [min, max], dflt when absent. */
static int arg_long(json_t *args, const char *key, long min, long max, long dflt, long *out,
		    struct err *err)
{
	json_t *v = json_object_get(args, key);
	*out = dflt;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return err_set(err, "%s must be an integer from %ld to %ld", key, min, max);
	*out = (long)json_integer_value(v);
	return 0;
}

/* ------------------------------------------------------------ IMAP */

/* Connect and log in to the account's IMAP server, or NULL with err. */
static struct imap *login_imap(const struct mail_account *a, struct err *err)
{
	char errbuf[CURL_ERROR_SIZE];
	CURL *c = easy_new(a, PROTO_IMAP, errbuf, err);
	if (!c)
		return NULL;
	return imap_open(c, a->imap_host, a->timeout_ms > 0 ? a->timeout_ms : DEFAULT_TIMEOUT_MS,
			 err);
}

int mail_mailboxes(const struct mail_account *acct, json_t *args, json_t **result, struct err *err)
{
	struct imap *im = NULL;
	const char *pattern;
	int counts, ret = -1;

	*result = NULL;
	if (!json_is_object(args)) {
		err_set(err, "arguments must be an object");
		goto out;
	}
	if (arg_mailbox(args, "pattern", "*", &pattern, err) < 0 ||
	    arg_bool(args, "include_counts", &counts, err) < 0 || !(im = login_imap(acct, err)) ||
	    imap_mailboxes(im, pattern, counts, result, err) < 0)
		goto out;
	ret = 0;
out:
	imap_close(im);
	if (ret < 0)
		err_scrub(err, acct);
	return ret;
}

/* {uid, uidvalidity, from, to, cc, subject, date, received?, message_id?,
 * flags, size?, has_attachments?}; f's flags are taken. */
static json_t *list_item(struct imap_fetched *f, unsigned long validity)
{
	json_t *o = json_pack("{s:I, s:I}", "uid", (json_int_t)f->uid, "uidvalidity",
			      (json_int_t)validity);
	json_t *h = f->body ? mime_summary_headers(f->body, f->body_len, f->internal_date)
			    : json_object();
	json_object_update(o, h);
	json_decref(h);
	if (f->internal_date >= 0) {
		char at[32];
		time_t t = (time_t)f->internal_date;
		struct tm tm;
		if (gmtime_r(&t, &tm) && strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm))
			json_object_set_new(o, "received", json_string(at));
	}
	json_object_set_new(o, "flags", f->flags ? f->flags : json_array());
	f->flags = NULL; /* stolen by o */
	if (f->size >= 0)
		json_object_set_new(o, "size", json_integer(f->size));
	if (f->has_attachments >= 0)
		json_object_set_new(o, "has_attachments", json_boolean(f->has_attachments));
	return o;
}

/* An optional uid argument: absent, null or 0 leave *out 0. */
static int arg_optional_uid(json_t *args, const char *key, unsigned long *out, struct err *err)
{
	json_t *v = json_object_get(args, key);
	*out = 0;
	if (!v || json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0))
		return 0;
	return arg_uid(v, key, out, err);
}

/* cursor: "<uidvalidity>:<uid>" as returned in next_cursor, or a bare uid. */
static int arg_cursor(json_t *args, unsigned long *validity, unsigned long *uid, struct err *err)
{
	json_t *v = json_object_get(args, "cursor");
	*validity = *uid = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v) && strchr(json_string_value(v), ':')) {
		const char *s = json_string_value(v), *colon = strchr(s, ':');
		if (imap_parse_number(s, (size_t)(colon - s), validity) == 0 &&
		    imap_parse_number(colon + 1, strlen(colon + 1), uid) == 0 && *uid > 0)
			return 0;
		return err_set(err, "cursor is not one this tool returned");
	}
	return arg_uid(v, "cursor", uid, err);
}

int mail_list(const struct mail_account *acct, json_t *args, json_t **result, struct err *err)
{
	struct imap *im = NULL;
	const char *mailbox, *search, *order = NULL;
	char *ranged = NULL;
	int oldest = 0;
	unsigned long validity = 0, cur_validity = 0, cursor = 0, since_uid = 0, since_validity = 0;
	long limit;
	unsigned long *found = NULL;
	size_t nfound = 0;
	struct imap_fetched *got = NULL;
	struct imap_command search_cmd = {.npause = 0};
	json_t *data = json_array();
	size_t take = 0;
	int ret = -1;

	*result = NULL;
	buf_init(&search_cmd.text, 0);
	if (!json_is_object(args)) {
		err_set(err, "arguments must be an object");
		goto out;
	}
	if (arg_long(args, "limit", 1, LONG_MAX, LIST_DEFAULT, &limit, err) < 0 ||
	    arg_mailbox(args, "mailbox", "INBOX", &mailbox, err) < 0 ||
	    arg_string(args, "search", 0, &search, err) < 0 ||
	    arg_cursor(args, &validity, &cursor, err) < 0 ||
	    arg_optional_uid(args, "since_uid", &since_uid, err) < 0 ||
	    arg_optional_uid(args, "uidvalidity", &since_validity, err) < 0)
		goto out;
	if (arg_string(args, "order", 0, &order, err) < 0)
		goto out;
	if (order && strcmp(order, "oldest") == 0) {
		oldest = 1;
	} else if (order && strcmp(order, "newest") != 0) {
		err_set(err, "order must be newest or oldest");
		goto out;
	}
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	if (!search || !*search)
		search = "ALL";
	/* Oldest first, the cursor continues above its uid, as since_uid does. */
	if (imap_search_command(search, oldest ? 0 : cursor, &search_cmd, err) < 0 ||
	    !(im = login_imap(acct, err)) ||
	    imap_open_mailbox(im, mailbox, 0, &cur_validity, err) < 0)
		goto out;
	if (validity && cur_validity && validity != cur_validity) {
		err_set(err, "cursor is stale: mailbox '%s' was renumbered; list again without it",
			mailbox);
		goto out;
	}
	/* since_uid counts only under the uidvalidity it was taken in: after a
	 * renumbering it would hide new messages, so it is dropped and the items'
	 * new uidvalidity tells the caller. */
	if (since_uid && since_validity && cur_validity && since_validity != cur_validity)
		since_uid = 0;
	if (oldest && cursor > since_uid)
		since_uid = cursor;
	if (since_uid) {
		ranged = xasprintf("%s UID %lu:*", search, since_uid + 1);
		buf_reset(&search_cmd.text);
		if (imap_search_command(ranged, oldest ? 0 : cursor, &search_cmd, err) < 0)
			goto out;
	}
	if ((oldest || cursor != 1) && imap_search(im, &search_cmd, &found, &nfound, err) < 0)
		goto out;
	for (size_t i = 0; oldest && i < nfound / 2; i++) {
		unsigned long u = found[i];
		found[i] = found[nfound - 1 - i];
		found[nfound - 1 - i] = u;
	}
	for (size_t i = 0; i < nfound && take < (size_t)limit; i++) {
		/* "UID n:*" always matches the newest message, even when older. */
		if ((!oldest && cursor && found[i] >= cursor) || found[i] <= since_uid ||
		    (take && found[take - 1] == found[i]))
			continue;
		found[take++] = found[i];
	}
	if (take) {
		got = xcalloc(take, sizeof(*got));
		for (size_t i = 0; i < take; i++)
			imap_fetched_init(&got[i]);
		if (imap_fetch_headers(im, found, take, LIST_FIELDS, got, err) < 0)
			goto out;
		for (size_t i = 0; i < take; i++) /* one expunged meanwhile is left out */
			if (got[i].uid)
				json_array_append_new(data, list_item(&got[i], cur_validity));
	}
	/* More remain when the search found UIDs past the last one taken. */
	int more = take && (oldest ? found[nfound - 1] > found[take - 1]
				   : found[nfound - 1] < found[take - 1]);
	*result = json_pack("{s:O, s:b}", "data", data, "has_more", more);
	if (more) {
		char *next = xasprintf("%lu:%lu", cur_validity, found[take - 1]);
		json_object_set_new(*result, "next_cursor", json_string(next));
		free(next);
	}
	ret = 0;
out:
	imap_close(im);
	for (size_t i = 0; got && i < take; i++)
		imap_fetched_release(&got[i]);
	free(got);
	free(found);
	free(ranged);
	json_decref(data);
	buf_release(&search_cmd.text);
	if (ret < 0)
		err_scrub(err, acct);
	return ret;
}

int mail_read(const struct mail_account *acct, json_t *args, json_t **result, struct err *err)
{
	struct imap *im = NULL;
	struct imap_fetched f;
	const char *mailbox;
	unsigned long uid = 0, want_validity = 0, validity = 0;
	int mark_seen, with_content;
	long max_chars;
	json_t *msg = NULL, *v;
	int ret = -1;

	*result = NULL;
	imap_fetched_init(&f);
	if (!json_is_object(args)) {
		err_set(err, "arguments must be an object");
		goto out;
	}
	if (arg_mailbox(args, "mailbox", "INBOX", &mailbox, err) < 0 ||
	    arg_uid(json_object_get(args, "uid"), "uid", &uid, err) < 0 ||
	    arg_bool(args, "mark_seen", &mark_seen, err) < 0 ||
	    arg_bool(args, "include_attachments", &with_content, err) < 0 ||
	    arg_long(args, "max_chars", 1, LONG_MAX, DEFAULT_MAX_CHARS, &max_chars, err) < 0)
		goto out;
	if ((v = json_object_get(args, "uidvalidity")) && !json_is_null(v) &&
	    arg_uid(v, "uidvalidity", &want_validity, err) < 0)
		goto out;
	/* Read-only unless asked: EXAMINE and BODY.PEEK leave \Seen alone. */
	if (!(im = login_imap(acct, err)) ||
	    imap_open_mailbox(im, mailbox, mark_seen, &validity, err) < 0)
		goto out;
	if (want_validity && validity && want_validity != validity) {
		err_set(err,
			"uidvalidity %lu no longer matches mailbox '%s' (now %lu): its uids "
			"were renumbered; list it again",
			want_validity, mailbox, validity);
		goto out;
	}
	if (imap_fetch_message(im, uid, mark_seen, &f, err) < 0)
		goto out;
	if (!f.body) {
		err_set(err, "no message with uid %lu in mailbox '%s'", uid, mailbox);
		goto out;
	}
	struct mime_parse_opts opts = {(size_t)max_chars, MAX_CONTENT, with_content,
				       f.internal_date};
	msg = mime_parse_message(f.body, f.body_len, &opts);
	if (!f.flags)
		f.flags = json_array();
	if (mark_seen && !imap_has_flag(f.flags, "\\Seen"))
		json_array_append_new(f.flags, json_string("\\Seen"));
	*result = json_pack("{s:I, s:I, s:s, s:o, s:I}", "uid", (json_int_t)uid, "uidvalidity",
			    (json_int_t)validity, "mailbox", mailbox, "flags", f.flags, "size",
			    (json_int_t)(f.size >= 0 ? f.size : (long long)f.body_len));
	f.flags = NULL; /* stolen by *result */
	json_object_update(*result, msg);
	if (f.size > (long long)f.body_len)
		json_object_set_new(*result, "truncated", json_true());
	ret = 0;
out:
	imap_close(im);
	imap_fetched_release(&f);
	json_decref(msg);
	if (ret < 0)
		err_scrub(err, acct);
	return ret;
}
