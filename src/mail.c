/* mail.c - the Email connector's transport: SMTP through libcurl, and IMAP
 * over a connection libcurl opens and authenticates, on which we then speak a
 * small IMAP4rev1 client ourselves (imap_open says why). mime.c builds and
 * parses the messages. */
#include "mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "mime.h"

#define DEFAULT_TIMEOUT_MS 30000
#define CONNECT_TIMEOUT_MS 10000
#define LOGOUT_TIMEOUT_MS 2000
#define MAX_MESSAGE (25u << 20)   /* an outgoing message, encoded */
#define MAX_RECIPIENTS 100
#define MAX_ATTACHMENTS 50
#define MAX_READ (10u << 20)      /* the part of a message mail_read fetches */
#define MAX_CONTENT (3u << 20)    /* attachment bytes mail_read returns, decoded */
#define DEFAULT_MAX_CHARS 100000  /* mail_read's cut of text and html */
#define MAX_RESPONSE (MAX_READ + (1u << 20)) /* one IMAP response with its literals */
#define MAX_CRITERIA 1000
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
			snprintf(hit, sizeof(err->msg) - (size_t)(hit - err->msg), "[redacted]%s", tail);
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
			err_set(err, "security \"none\" (plain text) is only allowed to this machine "
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
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, p == PROTO_SMTP ? "smtp,smtps" : "imap,imaps") !=
		    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			     timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS) != CURLE_OK ||
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
	else if (json_is_string(v) && strspn(json_string_value(v), "0123456789") ==
						  strlen(json_string_value(v)))
		(void)parse_long(json_string_value(v), &n);
	if (n < 1 || n > 4294967295L)
		return err_set(err, "%s must be a message uid (a positive integer)", key);
	*out = (unsigned long)n;
	return 0;
}

/* ------------------------------------------------------------ SMTP */

static int arg_addresses(json_t *args, const char *key, struct mime_addr_list *l,
			 struct err *err)
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
		a->data = mime_base64_decode(b64, strlen(b64), 1, &len);
		if (!a->data)
			return err_set(err, "attachments[%zu].content_base64 is not valid base64", i);
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
	char first_refusal[160];        /* "addr: 550 5.1.1 no such user" */
};

static int debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *ud)
{
	struct rcpt_watch *w = ud;
	(void)c;
	if (type == CURLINFO_HEADER_OUT) {
		const char *gt;
		w->current[0] = '\0';
		if (size > 9 && strncasecmp(data, "RCPT TO:<", 9) == 0 &&
		    (gt = memchr(data + 9, '>', size - 9)) && (size_t)(gt - data - 9) < sizeof(w->current)) {
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
					for (size_t i = 0; i < n && k + 1 < sizeof(w->first_refusal);
					     i++)
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
		err_set(err, "smtp send to '%s' failed: %s", acct->smtp_host, curl_text(rc, errbuf));
		goto out;
	}
	/* Should curl ever talk differently, the envelope is what it sent. */
	if (!json_array_size(watch.accepted) && !json_array_size(watch.rejected))
		json_array_extend(watch.accepted, envelope);
	*result = json_pack("{s:s, s:O, s:O}", "message_id", message_id, "accepted",
			    watch.accepted, "rejected", watch.rejected);
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

/* ------------------------------------------------------------ IMAP client
 *
 * libcurl's IMAP support runs one command per transfer and passes on only
 * the untagged lines of a custom command, so the literal strings in which
 * servers send header blocks and odd mailbox names are lost; its URL FETCH
 * uses BODY[] and so marks every message it lists as read. We therefore let
 * curl connect, negotiate TLS or STARTTLS and authenticate (CONNECT_ONLY),
 * then speak IMAP over curl_easy_send/recv: EXAMINE (read-only), UID SEARCH,
 * UID FETCH with BODY.PEEK, and literals parsed properly. */

struct imap {
	CURL *curl;
	const char *host;
	curl_socket_t sock;
	long timeout_ms;
	long long deadline;
	unsigned tag;
	int broken;    /* the protocol state is unknown: no LOGOUT */
	struct buf in; /* received bytes; in.data[off..] not consumed yet */
	size_t off;
	char errbuf[CURL_ERROR_SIZE];
};

static int imap_open(struct imap *im, const struct mail_account *a, struct err *err)
{
	memset(im, 0, sizeof(*im));
	im->host = a->imap_host;
	im->timeout_ms = a->timeout_ms > 0 ? a->timeout_ms : DEFAULT_TIMEOUT_MS;
	buf_init(&im->in, MAX_RESPONSE + 65536);
	im->curl = easy_new(a, PROTO_IMAP, im->errbuf, err);
	if (!im->curl)
		return -1;
	if (curl_easy_setopt(im->curl, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK) {
		im->broken = 1;
		return err_set(err, "cannot set up curl for imap");
	}
	CURLcode rc = curl_easy_perform(im->curl);
	if (rc != CURLE_OK) {
		im->broken = 1;
		return err_set(err, "imap login to '%s' failed: %s", im->host,
			       curl_text(rc, im->errbuf));
	}
	rc = curl_easy_getinfo(im->curl, CURLINFO_ACTIVESOCKET, &im->sock);
	if (rc != CURLE_OK || im->sock == CURL_SOCKET_BAD) {
		im->broken = 1;
		return err_set(err, "imap connection to '%s' has no socket", im->host);
	}
	return 0;
}

static int imap_wait(struct imap *im, short events, struct err *err)
{
	long long left = im->deadline - now_ms();
	struct pollfd p = {im->sock, events, 0};
	int r = left > 0 ? poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) : 0;
	if (r < 0 && errno == EINTR)
		return 0;
	if (r <= 0)
		im->broken = 1;
	if (r == 0)
		return err_set(err, "imap server '%s' did not answer within %ld ms", im->host,
			       im->timeout_ms);
	if (r < 0)
		return err_set(err, "imap connection to '%s': %s", im->host, strerror(errno));
	return 0;
}

static int imap_send(struct imap *im, const char *s, size_t n, struct err *err)
{
	size_t off = 0;
	while (off < n) {
		size_t sent = 0;
		CURLcode rc = curl_easy_send(im->curl, s + off, n - off, &sent);
		if (rc == CURLE_AGAIN) {
			if (imap_wait(im, POLLOUT, err) < 0)
				return -1;
			continue;
		}
		if (rc != CURLE_OK) {
			im->broken = 1;
			return err_set(err, "imap send to '%s' failed: %s", im->host,
				       curl_easy_strerror(rc));
		}
		off += sent;
	}
	return 0;
}

/* Receive at least one more byte into im->in. */
static int imap_fill(struct imap *im, struct err *err)
{
	char tmp[16384];
	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(im->curl, tmp, sizeof(tmp), &n);
		if (rc == CURLE_AGAIN) {
			if (imap_wait(im, POLLIN, err) < 0)
				return -1;
			continue;
		}
		if (rc != CURLE_OK || n == 0)
			im->broken = 1;
		if (rc != CURLE_OK)
			return err_set(err, "imap receive from '%s' failed: %s", im->host,
				       curl_easy_strerror(rc));
		if (n == 0)
			return err_set(err, "imap server '%s' closed the connection", im->host);
		if (buf_add(&im->in, tmp, n) < 0) {
			im->broken = 1;
			return err_set(err, "imap response from '%s' is larger than %u bytes",
				       im->host, MAX_RESPONSE);
		}
		return 0;
	}
}

/* The size of a literal announced at the end of a line ("... {123}\r\n"),
 * or -1 when the line ends otherwise. */
static long literal_size(const char *line, size_t len)
{
	size_t e = len;
	if (e && line[e - 1] == '\n')
		e--;
	if (e && line[e - 1] == '\r')
		e--;
	if (!e || line[e - 1] != '}')
		return -1;
	size_t d = --e;
	while (d && line[d - 1] >= '0' && line[d - 1] <= '9')
		d--;
	if (d == e || !d || line[d - 1] != '{' || e - d > 9)
		return -1;
	long n = 0;
	for (size_t i = d; i < e; i++)
		n = n * 10 + (line[i] - '0');
	return n;
}

/* One whole response (a line and any literals it announces) at *resp; it
 * stays valid until the next read. */
static int imap_read(struct imap *im, const char **resp, size_t *len, struct err *err)
{
	if (im->off) {
		memmove(im->in.data, im->in.data + im->off, im->in.len - im->off);
		im->in.len -= im->off;
		im->off = 0;
	}
	size_t pos = 0, seen = 0; /* seen: bytes already searched for a line end */
	for (;;) {
		const char *nl;
		if (seen < pos)
			seen = pos;
		while (!(nl = im->in.len > seen ? memchr(im->in.data + seen, '\n', im->in.len - seen)
						: NULL)) {
			seen = im->in.len;
			if (imap_fill(im, err) < 0)
				return -1;
		}
		size_t line_end = (size_t)(nl - im->in.data) + 1;
		long lit = literal_size(im->in.data + pos, line_end - pos);
		if (lit < 0) {
			*resp = im->in.data;
			*len = line_end;
			im->off = line_end;
			return 0;
		}
		if ((size_t)lit > MAX_RESPONSE) {
			im->broken = 1;
			return err_set(err, "imap response from '%s' is larger than %u bytes",
				       im->host, MAX_RESPONSE);
		}
		while (im->in.len < line_end + (size_t)lit)
			if (imap_fill(im, err) < 0)
				return -1;
		pos = line_end + (size_t)lit;
	}
}

/* Called with each untagged response, after "* ". */
typedef void (*imap_untagged_fn)(void *ctx, const char *r, size_t len);

#define MAX_LITERALS 16

/* A command to send: its text, and where it stops for the server's "+"
 * (just after each synchronizing literal's "{n}\r\n"). */
struct imap_command {
	struct buf text;
	size_t pause[MAX_LITERALS];
	size_t npause;
};

/* Run one command; what names it in errors ("examine 'INBOX'"). 0 on OK,
 * -1 with err on NO, BAD or a broken connection. */
static int imap_run(struct imap *im, const struct imap_command *c, const char *what,
		    imap_untagged_fn fn, void *ctx, struct err *err)
{
	char tag[16];
	int tl = snprintf(tag, sizeof(tag), "sb%u ", ++im->tag);
	size_t sent = 0, k = 0;
	struct buf line;
	int ret = -1;

	buf_init(&line, 0);
	buf_add(&line, tag, (size_t)tl);
	buf_add(&line, c->text.data, c->text.len);
	buf_adds(&line, "\r\n");
	im->deadline = now_ms() + im->timeout_ms;
	for (;;) {
		/* Send up to the next literal (or the end), then read until the
		 * server asks for the literal (+) or answers the command. */
		size_t upto = k < c->npause ? (size_t)tl + c->pause[k] : line.len;
		if (imap_send(im, line.data + sent, upto - sent, err) < 0)
			goto out;
		sent = upto;
		for (;;) {
			const char *r = NULL;
			size_t n = 0;
			if (imap_read(im, &r, &n, err) < 0)
				goto out;
			if (n >= 2 && r[0] == '*' && r[1] == ' ') {
				if (fn)
					fn(ctx, r + 2, n - 2);
				continue;
			}
			if (r[0] == '+') {
				if (k < c->npause)
					break;
				im->broken = 1;
				err_set(err, "imap %s on '%s': the server asked for more input", what,
					im->host);
				goto out;
			}
			if (n < (size_t)tl || memcmp(r, tag, (size_t)tl) != 0)
				continue;
			if (n >= (size_t)tl + 2 && strncasecmp(r + tl, "OK", 2) == 0) {
				ret = k < c->npause ? -1 : 0;
				if (ret < 0) {
					im->broken = 1; /* it answered before taking the literal */
					err_set(err, "imap %s on '%s' ended early", what, im->host);
				}
				goto out;
			}
			/* Our words, then the server's (printable ASCII only). */
			char text[256];
			size_t j = 0;
			for (size_t i = (size_t)tl; i < n && j + 1 < sizeof(text); i++) {
				unsigned char ch = (unsigned char)r[i];
				if (ch == '\r' || ch == '\n')
					break;
				text[j++] = ch >= ' ' && ch < 0x7f ? (char)ch : '?';
			}
			text[j] = '\0';
			err_set(err, "imap %s on '%s' failed: %s", what, im->host, text);
			goto out;
		}
		k++;
	}
out:
	buf_release(&line);
	return ret;
}

/* imap_run for a command without literals. */
static int imap_cmd(struct imap *im, const char *cmd, const char *what, imap_untagged_fn fn,
		    void *ctx, struct err *err)
{
	struct imap_command c = {.npause = 0};
	buf_init(&c.text, 0);
	buf_adds(&c.text, cmd);
	int rc = imap_run(im, &c, what, fn, ctx, err);
	buf_release(&c.text);
	return rc;
}

/* Log out and free; also right after a failed imap_open, or on a zeroed
 * struct that was never opened. */
static void imap_close(struct imap *im)
{
	if (im->curl && !im->broken) {
		struct err ignored;
		err_init(&ignored);
		im->timeout_ms = LOGOUT_TIMEOUT_MS;
		(void)imap_cmd(im, "LOGOUT", "logout", NULL, NULL, &ignored);
	}
	curl_easy_cleanup(im->curl);
	buf_release(&im->in);
}

/* ------------------------------------------------------------ IMAP syntax */

enum tok_type { TOK_END, TOK_OPEN, TOK_CLOSE, TOK_ATOM, TOK_QUOTED, TOK_LITERAL, TOK_NIL };

struct tok {
	enum tok_type type;
	const char *s; /* TOK_QUOTED: still escaped */
	size_t len;
};

struct scan {
	const char *p, *end;
};

static enum tok_type scan_next(struct scan *sc, struct tok *t)
{
	const char *p = sc->p, *end = sc->end;
	while (p < end && *p == ' ')
		p++;
	t->s = p;
	t->len = 0;
	if (p >= end || *p == '\r' || *p == '\n') {
		t->type = TOK_END;
	} else if (*p == '(' || *p == ')') {
		t->type = *p++ == '(' ? TOK_OPEN : TOK_CLOSE;
	} else if (*p == '"') {
		t->s = ++p;
		while (p < end && *p != '"' && *p != '\r' && *p != '\n')
			p += (*p == '\\' && p + 1 < end) ? 2 : 1;
		t->len = (size_t)(p - t->s);
		t->type = TOK_QUOTED;
		if (p < end && *p == '"')
			p++;
	} else if (*p == '{') {
		long n = 0;
		for (p++; p < end && *p >= '0' && *p <= '9' && n < 100000000; p++)
			n = n * 10 + (*p - '0');
		if (p < end && *p == '+')
			p++;
		if (p < end && *p == '}')
			p++;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		if ((size_t)(end - p) < (size_t)n)
			n = end - p;
		t->s = p;
		t->len = (size_t)n;
		t->type = TOK_LITERAL;
		p += n;
	} else {
		int depth = 0;
		while (p < end &&
		       (depth || (*p != ' ' && *p != '(' && *p != ')' && *p != '\r' && *p != '\n'))) {
			if (*p == '[')
				depth++;
			else if (*p == ']' && depth)
				depth--;
			p++;
		}
		t->len = (size_t)(p - t->s);
		t->type = t->len == 3 && strncasecmp(t->s, "NIL", 3) == 0 ? TOK_NIL : TOK_ATOM;
	}
	sc->p = p;
	return t->type;
}

static int tok_is(const struct tok *t, const char *word)
{
	return t->type == TOK_ATOM && t->len == strlen(word) && strncasecmp(t->s, word, t->len) == 0;
}

/* A string value as a new NUL-terminated string (quoted ones unescaped). */
static char *tok_dup(const struct tok *t, size_t *len)
{
	char *s = xmalloc(t->len + 1);
	size_t n = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->type == TOK_QUOTED && t->s[i] == '\\' && i + 1 < t->len)
			i++;
		s[n++] = t->s[i];
	}
	s[n] = '\0';
	if (len)
		*len = n;
	return s;
}

static int tok_ulong(const struct tok *t, unsigned long *out)
{
	unsigned long v = 0;
	if (t->type != TOK_ATOM || !t->len || t->len > 10)
		return -1;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(t->s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Skip one value whose first token is t (a whole list when it opens one). */
static void scan_skip(struct scan *sc, const struct tok *t)
{
	int depth = t->type == TOK_OPEN;
	struct tok x;
	while (depth > 0 && scan_next(sc, &x) != TOK_END)
		depth += x.type == TOK_OPEN ? 1 : x.type == TOK_CLOSE ? -1 : 0;
}

/* A list of atoms, such as flags, as a new JSON array; NULL if t is not "(". */
static json_t *scan_atoms(struct scan *sc, const struct tok *t)
{
	struct tok x;
	if (t->type != TOK_OPEN)
		return NULL;
	json_t *a = json_array();
	while (scan_next(sc, &x) != TOK_END && x.type != TOK_CLOSE) {
		if (x.type == TOK_OPEN) {
			scan_skip(sc, &x);
			continue;
		}
		char *s = tok_dup(&x, NULL);
		json_array_append_new(a, json_string(s)); /* a non-UTF-8 flag is left out */
		free(s);
	}
	return a;
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

/* ------------------------------------------------------------ mailboxes */

struct mailboxes {
	json_t *list;
	char **wire; /* each entry's name as the server spelled it, for STATUS */
	size_t n;
};

static const char *special_use(json_t *flags)
{
	static const char *const uses[] = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
					   "\\Junk", "\\Sent",	  "\\Trash"};
	size_t i;
	json_t *f;
	json_array_foreach(flags, i, f)
		for (size_t k = 0; k < sizeof(uses) / sizeof(uses[0]); k++)
			if (json_string_value(f) && strcasecmp(json_string_value(f), uses[k]) == 0)
				return uses[k];
	return NULL;
}

/* "LIST (\HasNoChildren) "/" name": the name may be an atom, a quoted
 * string or a literal, in modified UTF-7. */
static void on_list(void *ctx, const char *r, size_t n)
{
	struct mailboxes *mb = ctx;
	struct scan sc = {r, r + n};
	struct tok t;
	json_t *flags = NULL, *delim = NULL, *entry;
	char *raw = NULL, *name = NULL;

	if (scan_next(&sc, &t) != TOK_ATOM || !tok_is(&t, "LIST"))
		return;
	scan_next(&sc, &t);
	if (!(flags = scan_atoms(&sc, &t)))
		goto out;
	scan_next(&sc, &t);
	if (t.type == TOK_QUOTED || t.type == TOK_ATOM) {
		char *d = tok_dup(&t, NULL);
		delim = json_string(d);
		free(d);
	} else if (t.type != TOK_NIL) {
		goto out;
	}
	scan_next(&sc, &t);
	if (t.type != TOK_ATOM && t.type != TOK_QUOTED && t.type != TOK_LITERAL)
		goto out;
	raw = tok_dup(&t, NULL);
	name = mime_utf7_decode(raw);
	json_t *nm = json_string(name ? name : raw); /* NULL when not UTF-8 either */
	if (!nm)
		goto out;
	entry = json_pack("{s:o, s:o, s:O}", "name", nm, "delimiter", delim ? delim : json_null(),
			  "flags", flags);
	delim = NULL;
	const char *use = special_use(flags);
	if (use)
		json_object_set_new(entry, "special_use", json_string(use));
	json_array_append_new(mb->list, entry);
	mb->wire = xrealloc(mb->wire, (mb->n + 1) * sizeof(*mb->wire));
	mb->wire[mb->n++] = raw;
	raw = NULL;
out:
	json_decref(flags);
	json_decref(delim);
	free(raw);
	free(name);
}

/* "STATUS name (MESSAGES 3 UNSEEN 1 UIDNEXT 9 UIDVALIDITY 7)" into ctx. */
static void on_status(void *ctx, const char *r, size_t n)
{
	static const char *const keys[] = {"MESSAGES", "UNSEEN", "UIDNEXT", "UIDVALIDITY"};
	json_t *entry = ctx;
	struct scan sc = {r, r + n};
	struct tok t, v;
	unsigned long num;

	if (scan_next(&sc, &t) != TOK_ATOM || !tok_is(&t, "STATUS"))
		return;
	scan_next(&sc, &t); /* the name: we asked about one mailbox only */
	if (scan_next(&sc, &t) != TOK_OPEN)
		return;
	while (scan_next(&sc, &t) == TOK_ATOM && scan_next(&sc, &v) == TOK_ATOM)
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (tok_is(&t, keys[k]) && tok_ulong(&v, &num) == 0) {
				char key[16];
				snprintf(key, sizeof(key), "%s", keys[k]);
				for (char *p = key; *p; p++)
					*p = (char)(*p - 'A' + 'a');
				json_object_set_new(entry, key, json_integer((json_int_t)num));
			}
}

static int has_flag(json_t *flags, const char *flag)
{
	size_t i;
	json_t *f;
	json_array_foreach(flags, i, f)
		if (json_string_value(f) && strcasecmp(json_string_value(f), flag) == 0)
			return 1;
	return 0;
}

/* A quoted mailbox name or pattern for a command; it is already on the
 * server's spelling (wire) or UTF-8 to encode (utf8). A new string. */
static char *imap_quoted(const char *s, int utf8)
{
	char *enc = utf8 ? mime_utf7_encode(s) : xstrdup(s);
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "\"");
	for (const char *p = enc; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_adds(&b, "\\");
		buf_add(&b, p, 1);
	}
	buf_adds(&b, "\"");
	free(enc);
	return buf_detach(&b);
}

int mail_mailboxes(const struct mail_account *acct, json_t *args, json_t **result,
		   struct err *err)
{
	struct imap im = {0};
	struct mailboxes mb = {json_array(), NULL, 0};
	const char *pattern;
	char *cmd = NULL;
	int counts, ret = -1;

	*result = NULL;
	if (!json_is_object(args)) {
		err_set(err, "arguments must be an object");
		goto out;
	}
	if (arg_mailbox(args, "pattern", "*", &pattern, err) < 0 ||
	    arg_bool(args, "include_counts", &counts, err) < 0 || imap_open(&im, acct, err) < 0)
		goto out;
	char *q = imap_quoted(pattern, 1);
	cmd = xasprintf("LIST \"\" %s", q);
	free(q);
	if (imap_cmd(&im, cmd, "list mailboxes", on_list, &mb, err) < 0)
		goto out;
	for (size_t i = 0; counts && i < mb.n; i++) {
		json_t *entry = json_array_get(mb.list, i);
		json_t *flags = json_object_get(entry, "flags");
		if (has_flag(flags, "\\Noselect") || has_flag(flags, "\\NonExistent"))
			continue;
		char *qn = imap_quoted(mb.wire[i], 0);
		free(cmd);
		cmd = xasprintf("STATUS %s (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)", qn);
		free(qn);
		char *what = xasprintf("status '%s'", json_string_value(json_object_get(entry, "name")));
		int rc = imap_cmd(&im, cmd, what, on_status, entry, err);
		free(what);
		if (rc < 0)
			goto out;
	}
	*result = json_incref(mb.list); /* mb.list's own reference goes at out */
	ret = 0;
out:
	imap_close(&im);
	json_decref(mb.list);
	for (size_t i = 0; i < mb.n; i++)
		free(mb.wire[i]);
	free(mb.wire);
	free(cmd);
	if (ret < 0)
		err_scrub(err, acct);
	return ret;
}

/* ------------------------------------------------------------ list, read */

static void on_select(void *ctx, const char *r, size_t n)
{
	static const char code[] = "OK [UIDVALIDITY ";
	unsigned long *validity = ctx;
	if (n > sizeof(code) && strncasecmp(r, code, sizeof(code) - 1) == 0) {
		struct tok t = {TOK_ATOM, r + sizeof(code) - 1, strspn(r + sizeof(code) - 1,
								      "0123456789")};
		(void)tok_ulong(&t, validity);
	}
}

/* EXAMINE (read-only) or SELECT a mailbox; *validity gets its UIDVALIDITY
 * (0 when the server does not say). */
static int imap_open_mailbox(struct imap *im, const char *mailbox, int writable,
			     unsigned long *validity, struct err *err)
{
	char *q = imap_quoted(mailbox, 1);
	char *cmd = xasprintf("%s %s", writable ? "SELECT" : "EXAMINE", q);
	char *what = xasprintf("%s '%s'", writable ? "select" : "examine", mailbox);
	*validity = 0;
	int rc = imap_cmd(im, cmd, what, on_select, validity, err);
	free(q);
	free(cmd);
	free(what);
	return rc;
}

struct uids {
	unsigned long *v;
	size_t n, alloc;
};

static void on_search(void *ctx, const char *r, size_t n)
{
	struct uids *u = ctx;
	struct scan sc = {r, r + n};
	struct tok t;
	unsigned long uid;
	if (scan_next(&sc, &t) != TOK_ATOM || !tok_is(&t, "SEARCH"))
		return;
	while (scan_next(&sc, &t) == TOK_ATOM)
		if (tok_ulong(&t, &uid) == 0 && uid > 0) {
			if (u->n == u->alloc) {
				u->alloc = u->alloc * 2 + 64;
				u->v = xrealloc(u->v, u->alloc * sizeof(*u->v));
			}
			u->v[u->n++] = uid;
		}
}

static int uid_desc(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* What FETCH responses told about one message. */
struct fetched {
	unsigned long uid;
	long long size;          /* RFC822.SIZE, or -1 */
	long long internal_date; /* INTERNALDATE in seconds, or -1 */
	int has_attachments;     /* from BODYSTRUCTURE: 0, 1, or -1 when not seen */
	json_t *flags;           /* new, or NULL */
	char *body;              /* a BODY[...] section, new, or NULL */
	size_t body_len;
};

static void fetched_init(struct fetched *f)
{
	memset(f, 0, sizeof(*f));
	f->size = f->internal_date = -1;
	f->has_attachments = -1;
}

/* "17-Jul-1996 02:44:25 -0700" to seconds since the epoch, or -1. */
static long long internal_date(const struct tok *t)
{
	char *s = tok_dup(t, NULL);
	long long v = -1;
	for (int k = 0, i = 0; s[i] && k < 2; i++)
		if (s[i] == '-' && i > 0) {
			s[i] = ' ';
			k++;
		}
	if (mime_parse_date(s, &v) < 0)
		v = -1;
	free(s);
	return v;
}

/* Whether a BODYSTRUCTURE (t opens it) has a part with disposition
 * "attachment": any such string in it is taken as one. */
static int bodystructure_attachment(struct scan *sc, const struct tok *t)
{
	int depth = t->type == TOK_OPEN, found = 0;
	struct tok x;
	while (depth > 0 && scan_next(sc, &x) != TOK_END) {
		depth += x.type == TOK_OPEN ? 1 : x.type == TOK_CLOSE ? -1 : 0;
		if ((x.type == TOK_QUOTED || x.type == TOK_ATOM) && x.len == 10 &&
		    strncasecmp(x.s, "attachment", 10) == 0)
			found = 1;
	}
	return found;
}

/* One FETCH response: "12 FETCH (UID 5 FLAGS (\Seen) RFC822.SIZE 42 ...)" */
static int fetch_parse(const char *r, size_t n, struct fetched *f)
{
	struct scan sc = {r, r + n};
	struct tok t;
	fetched_init(f);
	if (scan_next(&sc, &t) != TOK_ATOM || scan_next(&sc, &t) != TOK_ATOM ||
	    !tok_is(&t, "FETCH") || scan_next(&sc, &t) != TOK_OPEN)
		return -1;
	while (scan_next(&sc, &t) == TOK_ATOM) {
		struct tok v;
		unsigned long num;
		scan_next(&sc, &v);
		if (tok_is(&t, "UID") && tok_ulong(&v, &num) == 0) {
			f->uid = num;
		} else if (tok_is(&t, "RFC822.SIZE") && tok_ulong(&v, &num) == 0) {
			f->size = (long long)num;
		} else if (tok_is(&t, "INTERNALDATE") && v.type == TOK_QUOTED) {
			f->internal_date = internal_date(&v);
		} else if (tok_is(&t, "FLAGS") && v.type == TOK_OPEN) {
			json_decref(f->flags);
			f->flags = scan_atoms(&sc, &v);
		} else if (tok_is(&t, "BODYSTRUCTURE") && v.type == TOK_OPEN) {
			f->has_attachments = bodystructure_attachment(&sc, &v);
		} else if (t.len > 5 && strncasecmp(t.s, "BODY[", 5) == 0 &&
			   (v.type == TOK_LITERAL || v.type == TOK_QUOTED)) {
			free(f->body);
			f->body = tok_dup(&v, &f->body_len);
		} else {
			scan_skip(&sc, &v);
		}
	}
	return f->uid ? 0 : -1;
}

static void fetched_release(struct fetched *f)
{
	json_decref(f->flags);
	free(f->body);
}

/* A server may split one message's data over several FETCH responses
 * (RFC 3501 7.4.2): take what from has into into; from is emptied. */
static void fetched_merge(struct fetched *into, struct fetched *from)
{
	into->uid = from->uid;
	if (from->flags) {
		json_decref(into->flags);
		into->flags = from->flags;
		from->flags = NULL;
	}
	if (from->body) {
		free(into->body);
		into->body = from->body;
		into->body_len = from->body_len;
		from->body = NULL;
	}
	if (from->size >= 0)
		into->size = from->size;
	if (from->internal_date >= 0)
		into->internal_date = from->internal_date;
	if (from->has_attachments >= 0)
		into->has_attachments = from->has_attachments;
}

struct list_ctx {
	const unsigned long *uids;
	size_t n;
	struct fetched *got; /* by position in uids; uid 0 until a response came */
};

static void on_list_fetch(void *ctx, const char *r, size_t n)
{
	struct list_ctx *lc = ctx;
	struct fetched f;
	if (fetch_parse(r, n, &f) == 0)
		for (size_t i = 0; i < lc->n; i++)
			if (lc->uids[i] == f.uid) {
				fetched_merge(&lc->got[i], &f);
				break;
			}
	fetched_release(&f);
}

/* {uid, uidvalidity, from, to, cc, subject, date, message_id?, flags, size?,
 * has_attachments?}; f's flags are taken. */
static json_t *list_item(struct fetched *f, unsigned long validity)
{
	json_t *o = json_pack("{s:I, s:I}", "uid", (json_int_t)f->uid, "uidvalidity",
			      (json_int_t)validity);
	json_t *h = f->body ? mime_summary_headers(f->body, f->body_len, f->internal_date)
			    : json_object();
	json_object_update(o, h);
	json_decref(h);
	json_object_set_new(o, "flags", f->flags ? f->flags : json_array());
	f->flags = NULL; /* stolen by o */
	if (f->size >= 0)
		json_object_set_new(o, "size", json_integer(f->size));
	if (f->has_attachments >= 0)
		json_object_set_new(o, "has_attachments", json_boolean(f->has_attachments));
	return o;
}

/* cursor: "<uidvalidity>:<uid>" as returned in next_cursor, or a bare uid. */
static int arg_cursor(json_t *args, unsigned long *validity, unsigned long *uid,
		      struct err *err)
{
	json_t *v = json_object_get(args, "cursor");
	*validity = *uid = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v) && strchr(json_string_value(v), ':')) {
		const char *s = json_string_value(v), *colon = strchr(s, ':');
		struct tok a = {TOK_ATOM, s, (size_t)(colon - s)};
		struct tok b = {TOK_ATOM, colon + 1, strlen(colon + 1)};
		if (tok_ulong(&a, validity) == 0 && tok_ulong(&b, uid) == 0 && *uid > 0)
			return 0;
		return err_set(err, "cursor is not one this tool returned");
	}
	return arg_uid(v, "cursor", uid, err);
}

/* UID SEARCH for criteria (and, with below, only UIDs under it). Criteria
 * are printable ASCII on one line, except that quoted strings may hold UTF-8:
 * those go as literals after CHARSET UTF-8, since IMAP quoted strings are
 * 7-bit. 0, or -1 with err. */
static int search_command(const char *criteria, unsigned long below, struct imap_command *c,
			  struct err *err)
{
	size_t n = strlen(criteria), i = 0;
	int utf8 = 0;

	if (n > MAX_CRITERIA)
		return err_set(err, "search is longer than %d characters", MAX_CRITERIA);
	for (const unsigned char *p = (const unsigned char *)criteria; *p; p++) {
		if (*p < ' ' || *p == 0x7f)
			return err_set(err, "search must be IMAP criteria on one line, such as "
					    "\"UNSEEN SINCE 1-Aug-2026\"");
		utf8 |= *p >= 0x80;
	}
	while (n && criteria[n - 1] == ' ')
		n--;
	if (n && criteria[n - 1] == '}')
		return err_set(err, "search must not end in an IMAP literal");
	buf_adds(&c->text, utf8 ? "UID SEARCH CHARSET UTF-8 " : "UID SEARCH ");
	while (i < n) {
		if (criteria[i] != '"') {
			size_t run = strcspn(criteria + i, "\"");
			if (run > n - i)
				run = n - i;
			for (size_t k = i; k < i + run; k++)
				if ((unsigned char)criteria[k] >= 0x80)
					return err_set(err, "search: text that is not ASCII must be "
							    "in double quotes");
			buf_add(&c->text, criteria + i, run);
			i += run;
			continue;
		}
		/* A quoted string: as it is when ASCII, else a literal. */
		size_t j = i + 1;
		int high = 0;
		struct buf lit;
		buf_init(&lit, 0);
		while (j < n && criteria[j] != '"') {
			if (criteria[j] == '\\' && j + 1 < n)
				j++;
			high |= (unsigned char)criteria[j] >= 0x80;
			buf_add(&lit, criteria + j, 1);
			j++;
		}
		if (j >= n) {
			buf_release(&lit);
			return err_set(err, "search has an unbalanced '\"'");
		}
		if (!high) {
			buf_add(&c->text, criteria + i, j + 1 - i);
		} else if (c->npause == MAX_LITERALS) {
			buf_release(&lit);
			return err_set(err, "search has more than %d quoted strings that are not ASCII",
				       MAX_LITERALS);
		} else {
			buf_addf(&c->text, "{%zu}\r\n", lit.len);
			c->pause[c->npause++] = c->text.len;
			buf_add(&c->text, lit.data, lit.len);
		}
		buf_release(&lit);
		i = j + 1;
	}
	if (below)
		buf_addf(&c->text, " UID 1:%lu", below - 1);
	return 0;
}

int mail_list(const struct mail_account *acct, json_t *args, json_t **result, struct err *err)
{
	struct imap im = {0};
	const char *mailbox, *search;
	unsigned long validity = 0, cur_validity = 0, cursor = 0;
	long limit;
	struct uids found = {0};
	struct list_ctx lc = {0};
	struct imap_command search_cmd = {.npause = 0};
	char *cmd = NULL;
	json_t *data = json_array();
	struct buf set;
	size_t take = 0;
	int ret = -1;

	*result = NULL;
	buf_init(&set, 0);
	buf_init(&search_cmd.text, 0);
	if (!json_is_object(args)) {
		err_set(err, "arguments must be an object");
		goto out;
	}
	if (arg_long(args, "limit", 1, LONG_MAX, LIST_DEFAULT, &limit, err) < 0 ||
	    arg_mailbox(args, "mailbox", "INBOX", &mailbox, err) < 0 ||
	    arg_string(args, "search", 0, &search, err) < 0 ||
	    arg_cursor(args, &validity, &cursor, err) < 0)
		goto out;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	if (!search || !*search)
		search = "ALL";
	if (search_command(search, cursor, &search_cmd, err) < 0 || imap_open(&im, acct, err) < 0 ||
	    imap_open_mailbox(&im, mailbox, 0, &cur_validity, err) < 0)
		goto out;
	if (validity && cur_validity && validity != cur_validity) {
		err_set(err, "cursor is stale: mailbox '%s' was renumbered; list again without it",
			mailbox);
		goto out;
	}
	if (cursor != 1 && imap_run(&im, &search_cmd, "search", on_search, &found, err) < 0)
		goto out;
	if (found.n)
		qsort(found.v, found.n, sizeof(*found.v), uid_desc);
	for (size_t i = 0; i < found.n && take < (size_t)limit; i++) {
		if ((cursor && found.v[i] >= cursor) || (take && found.v[take - 1] == found.v[i]))
			continue;
		found.v[take++] = found.v[i];
		buf_addf(&set, "%s%lu", take > 1 ? "," : "", found.v[i]);
	}
	if (take) {
		lc.uids = found.v;
		lc.n = take;
		lc.got = xcalloc(take, sizeof(*lc.got));
		for (size_t i = 0; i < take; i++)
			fetched_init(&lc.got[i]);
		cmd = xasprintf("UID FETCH %s (UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE "
				"BODY.PEEK[HEADER.FIELDS (" LIST_FIELDS ")])",
				set.data);
		if (imap_cmd(&im, cmd, "fetch", on_list_fetch, &lc, err) < 0)
			goto out;
		for (size_t i = 0; i < take; i++) /* one expunged meanwhile is left out */
			if (lc.got[i].uid)
				json_array_append_new(data, list_item(&lc.got[i], cur_validity));
	}
	/* More remain when the search found UIDs below the last one taken. */
	int more = take && found.v[found.n - 1] < found.v[take - 1];
	*result = json_pack("{s:O, s:b}", "data", data, "has_more", more);
	if (more) {
		char *next = xasprintf("%lu:%lu", cur_validity, found.v[take - 1]);
		json_object_set_new(*result, "next_cursor", json_string(next));
		free(next);
	}
	ret = 0;
out:
	imap_close(&im);
	for (size_t i = 0; lc.got && i < lc.n; i++)
		fetched_release(&lc.got[i]);
	free(lc.got);
	free(found.v);
	json_decref(data);
	buf_release(&set);
	buf_release(&search_cmd.text);
	free(cmd);
	if (ret < 0)
		err_scrub(err, acct);
	return ret;
}

static void on_read_fetch(void *ctx, const char *r, size_t n)
{
	struct fetched *want = ctx, f;
	if (fetch_parse(r, n, &f) == 0 && f.uid == want->uid)
		fetched_merge(want, &f);
	fetched_release(&f);
}

int mail_read(const struct mail_account *acct, json_t *args, json_t **result, struct err *err)
{
	struct imap im = {0};
	struct fetched f;
	const char *mailbox;
	unsigned long uid = 0, want_validity = 0, validity = 0;
	int mark_seen, with_content;
	long max_chars;
	char *cmd = NULL;
	json_t *msg = NULL, *v;
	int ret = -1;

	*result = NULL;
	fetched_init(&f);
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
	if (imap_open(&im, acct, err) < 0 ||
	    imap_open_mailbox(&im, mailbox, mark_seen, &validity, err) < 0)
		goto out;
	if (want_validity && validity && want_validity != validity) {
		err_set(err, "uidvalidity %lu no longer matches mailbox '%s' (now %lu): its uids "
			     "were renumbered; list it again",
			want_validity, mailbox, validity);
		goto out;
	}
	f.uid = uid;
	cmd = xasprintf("UID FETCH %lu (UID FLAGS RFC822.SIZE INTERNALDATE BODY%s[]<0.%u>)", uid,
			mark_seen ? "" : ".PEEK", MAX_READ);
	if (imap_cmd(&im, cmd, "fetch", on_read_fetch, &f, err) < 0)
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
	if (mark_seen && !has_flag(f.flags, "\\Seen"))
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
	imap_close(&im);
	fetched_release(&f);
	json_decref(msg);
	free(cmd);
	if (ret < 0)
		err_scrub(err, acct);
	return ret;
}
