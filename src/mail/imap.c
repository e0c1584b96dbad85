/* imap.c - the IMAP client behind mail_mailboxes, mail_list and mail_read:
 * commands over a connection libcurl opened, and the parsing of what the
 * server answers (imap_open says why we speak IMAP ourselves). */
#include "imap.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_codec.h"

#define LOGOUT_TIMEOUT_MS 2000
#define MAX_RESPONSE (IMAP_MAX_FETCH + (1u << 20)) /* one response with its literals */
#define MAX_CRITERIA 1000

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

struct imap *imap_open(CURL *curl, const char *host, long timeout_ms, struct err *err)
{
	struct imap *im = xcalloc(1, sizeof(*im));
	im->curl = curl;
	im->host = host;
	im->timeout_ms = timeout_ms;
	buf_init(&im->in, MAX_RESPONSE + 65536);
	if (curl_easy_setopt(im->curl, CURLOPT_ERRORBUFFER, im->errbuf) != CURLE_OK ||
	    curl_easy_setopt(im->curl, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK) {
		err_set(err, "cannot set up curl for imap");
		goto fail;
	}
	CURLcode rc = curl_easy_perform(im->curl);
	if (rc != CURLE_OK) {
		err_set(err, "imap login to '%s' failed: %s", im->host,
			im->errbuf[0] ? im->errbuf : curl_easy_strerror(rc));
		goto fail;
	}
	rc = curl_easy_getinfo(im->curl, CURLINFO_ACTIVESOCKET, &im->sock);
	if (rc != CURLE_OK || im->sock == CURL_SOCKET_BAD) {
		err_set(err, "imap connection to '%s' has no socket", im->host);
		goto fail;
	}
	return im;
fail:
	im->broken = 1;
	imap_close(im);
	return NULL;
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
		while (!(nl = im->in.len > seen
				      ? memchr(im->in.data + seen, '\n', im->in.len - seen)
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
				err_set(err, "imap %s on '%s': the server asked for more input",
					what, im->host);
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
void imap_close(struct imap *im)
{
	if (!im)
		return;
	if (im->curl && !im->broken) {
		struct err ignored;
		err_init(&ignored);
		im->timeout_ms = LOGOUT_TIMEOUT_MS;
		(void)imap_cmd(im, "LOGOUT", "logout", NULL, NULL, &ignored);
	}
	curl_easy_cleanup(im->curl);
	buf_release(&im->in);
	free(im);
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
		while (p < end && (depth || (*p != ' ' && *p != '(' && *p != ')' && *p != '\r' &&
					     *p != '\n'))) {
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
	return t->type == TOK_ATOM && t->len == strlen(word) &&
	       strncasecmp(t->s, word, t->len) == 0;
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

int imap_parse_number(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;
	if (!len || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int tok_ulong(const struct tok *t, unsigned long *out)
{
	return t->type == TOK_ATOM ? imap_parse_number(t->s, t->len, out) : -1;
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

/* ------------------------------------------------------------ mailboxes */

struct mailboxes {
	json_t *list;
	char **wire; /* each entry's name as the server spelled it, for STATUS */
	size_t n;
};

static const char *special_use(json_t *flags)
{
	static const char *const uses[] = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
					   "\\Junk", "\\Sent",    "\\Trash"};
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
	name = mime_codec_utf7_decode(raw);
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

int imap_has_flag(json_t *flags, const char *flag)
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
	char *enc = utf8 ? mime_codec_utf7_encode(s) : xstrdup(s);
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
/* ------------------------------------------------------------ list, read */

static void on_select(void *ctx, const char *r, size_t n)
{
	static const char code[] = "OK [UIDVALIDITY ";
	unsigned long *validity = ctx;
	if (n > sizeof(code) && strncasecmp(r, code, sizeof(code) - 1) == 0) {
		struct tok t = {TOK_ATOM, r + sizeof(code) - 1,
				strspn(r + sizeof(code) - 1, "0123456789")};
		(void)tok_ulong(&t, validity);
	}
}

/* EXAMINE (read-only) or SELECT a mailbox; *validity gets its UIDVALIDITY
 * (0 when the server does not say). */
int imap_open_mailbox(struct imap *im, const char *mailbox, int writable, unsigned long *validity,
		      struct err *err)
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

void imap_fetched_init(struct imap_fetched *f)
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
	if (mime_codec_parse_date(s, &v) < 0)
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
static int fetch_parse(const char *r, size_t n, struct imap_fetched *f)
{
	struct scan sc = {r, r + n};
	struct tok t;
	imap_fetched_init(f);
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

void imap_fetched_release(struct imap_fetched *f)
{
	json_decref(f->flags);
	free(f->body);
}

/* A server may split one message's data over several FETCH responses
 * (RFC 3501 7.4.2): take what from has into into; from is emptied. */
static void fetched_merge(struct imap_fetched *into, struct imap_fetched *from)
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
	struct imap_fetched *got; /* by position in uids; uid 0 until a response came */
};

static void on_list_fetch(void *ctx, const char *r, size_t n)
{
	struct list_ctx *lc = ctx;
	struct imap_fetched f;
	if (fetch_parse(r, n, &f) == 0)
		for (size_t i = 0; i < lc->n; i++)
			if (lc->uids[i] == f.uid) {
				fetched_merge(&lc->got[i], &f);
				break;
			}
	imap_fetched_release(&f);
}
/* UID SEARCH for criteria (and, with below, only UIDs under it). Criteria
 * are printable ASCII on one line, except that quoted strings may hold UTF-8:
 * those go as literals after CHARSET UTF-8, since IMAP quoted strings are
 * 7-bit. 0, or -1 with err. */
int imap_search_command(const char *criteria, unsigned long below, struct imap_command *c,
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
					return err_set(err,
						       "search: text that is not ASCII must be "
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
		} else if (c->npause == IMAP_MAX_LITERALS) {
			buf_release(&lit);
			return err_set(err,
				       "search has more than %d quoted strings that are not ASCII",
				       IMAP_MAX_LITERALS);
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

int imap_mailboxes(struct imap *im, const char *pattern, int counts, json_t **out, struct err *err)
{
	struct mailboxes mb = {json_array(), NULL, 0};
	char *q = imap_quoted(pattern, 1);
	char *cmd = xasprintf("LIST \"\" %s", q);
	int ret = -1;

	*out = NULL;
	free(q);
	if (imap_cmd(im, cmd, "list mailboxes", on_list, &mb, err) < 0)
		goto out;
	for (size_t i = 0; counts && i < mb.n; i++) {
		json_t *entry = json_array_get(mb.list, i);
		json_t *flags = json_object_get(entry, "flags");
		if (imap_has_flag(flags, "\\Noselect") || imap_has_flag(flags, "\\NonExistent"))
			continue;
		char *qn = imap_quoted(mb.wire[i], 0);
		free(cmd);
		cmd = xasprintf("STATUS %s (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)", qn);
		free(qn);
		char *what =
			xasprintf("status '%s'", json_string_value(json_object_get(entry, "name")));
		int rc = imap_cmd(im, cmd, what, on_status, entry, err);
		free(what);
		if (rc < 0)
			goto out;
	}
	*out = json_incref(mb.list); /* mb.list's own reference goes at out */
	ret = 0;
out:
	json_decref(mb.list);
	for (size_t i = 0; i < mb.n; i++)
		free(mb.wire[i]);
	free(mb.wire);
	free(cmd);
	return ret;
}

int imap_search(struct imap *im, const struct imap_command *c, unsigned long **uids, size_t *n,
		struct err *err)
{
	struct uids found = {0};
	int rc = imap_run(im, c, "search", on_search, &found, err);
	if (rc == 0 && found.n)
		qsort(found.v, found.n, sizeof(*found.v), uid_desc);
	*uids = found.v;
	*n = found.n;
	return rc;
}

int imap_fetch_headers(struct imap *im, const unsigned long *uids, size_t n, const char *fields,
		       struct imap_fetched *got, struct err *err)
{
	struct list_ctx lc = {uids, n, got};
	struct buf set;
	buf_init(&set, 0);
	for (size_t i = 0; i < n; i++)
		buf_addf(&set, "%s%lu", i ? "," : "", uids[i]);
	char *cmd = xasprintf("UID FETCH %s (UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE "
			      "BODY.PEEK[HEADER.FIELDS (%s)])",
			      set.data, fields);
	int rc = imap_cmd(im, cmd, "fetch", on_list_fetch, &lc, err);
	free(cmd);
	buf_release(&set);
	return rc;
}

static void on_read_fetch(void *ctx, const char *r, size_t n)
{
	struct imap_fetched *want = ctx, f;
	if (fetch_parse(r, n, &f) == 0 && f.uid == want->uid)
		fetched_merge(want, &f);
	imap_fetched_release(&f);
}

int imap_fetch_message(struct imap *im, unsigned long uid, int mark_seen, struct imap_fetched *f,
		       struct err *err)
{
	char *cmd = xasprintf("UID FETCH %lu (UID FLAGS RFC822.SIZE INTERNALDATE BODY%s[]<0.%u>)",
			      uid, mark_seen ? "" : ".PEEK", IMAP_MAX_FETCH);
	f->uid = uid;
	int rc = imap_cmd(im, cmd, "fetch", on_read_fetch, f, err);
	free(cmd);
	return rc;
}
