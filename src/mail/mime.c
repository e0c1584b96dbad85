/* mime.c - building outgoing RFC 5322/MIME messages and parsing fetched ones,
 * with the codecs both directions need. No I/O and no shared state, so mail.c
 * may call it from any worker thread. */
#include "mime.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compat.h"
#include "crypto.h"
#include "mime_codec.h"

#define MAX_DEPTH 20                  /* multipart nesting */
#define MAX_PARTS 1000                /* MIME parts in one message */
#define MAX_HEADERS 1000              /* header fields in one entity */
#define MAX_HEADER_VALUE (256u << 10) /* one unfolded field; the rest is cut */
#define MAX_NAME 256                  /* display names and file names, in bytes */
#define MAX_ADDR 254                  /* RFC 5321 path limit less the brackets */
#define WORD_CHUNK 42                 /* bytes per RFC 2047 word: 56 base64 chars */
#define QP_LINE 76

/* ------------------------------------------------------------ addresses */

static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A dot-atom local part @ a host name or an address literal, ASCII only. */
static int addr_valid(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	if (!at || n > MAX_ADDR)
		return 0;
	size_t local = (size_t)(at - a), dom = n - local - 1;
	if (local == 0 || local > 64 || dom == 0 || a[0] == '.' || at[-1] == '.')
		return 0;
	for (size_t i = 0; i < local; i++)
		if (!is_atext((unsigned char)a[i]) && !(a[i] == '.' && a[i + 1] != '.'))
			return 0;
	const char *d = at + 1;
	if (d[0] == '[') {
		if (d[dom - 1] != ']' || dom < 3)
			return 0;
		for (size_t i = 1; i + 1 < dom; i++)
			if (!strchr("0123456789abcdefABCDEF:.IPv", d[i]))
				return 0;
		return 1;
	}
	if (d[0] == '.' || d[0] == '-' || d[dom - 1] == '.' || d[dom - 1] == '-')
		return 0;
	for (size_t i = 0; i < dom; i++) {
		unsigned char c = (unsigned char)d[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || (c == '.' && d[i + 1] != '.')))
			return 0;
	}
	return 1;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int parse_mailbox(const char *field, const char *s, size_t n, struct mime_addr_list *list,
			 struct err *err)
{
	const char *lt = memchr(s, '<', n), *addr = s, *name = NULL;
	size_t alen = n, nlen = 0;

	if (lt) {
		const char *gt = memchr(lt, '>', n - (size_t)(lt - s));
		if (!gt)
			return err_set(err, "%s: '%.*s' has '<' without '>'", field, (int)n, s);
		for (const char *p = gt + 1; p < s + n; p++)
			if (*p != ' ' && *p != '\t')
				return err_set(err, "%s: unexpected text after '>' in '%.*s'",
					       field, (int)n, s);
		name = s;
		nlen = (size_t)(lt - s);
		trim(&name, &nlen);
		addr = lt + 1;
		alen = (size_t)(gt - addr);
		trim(&addr, &alen);
	}
	if (!addr_valid(addr, alen))
		return err_set(err, "%s: '%.*s' is not a valid email address", field, (int)alen,
			       addr);
	if (nlen > MAX_NAME)
		return err_set(err, "%s: display name longer than %d bytes", field, MAX_NAME);
	list->v = xrealloc(list->v, (list->n + 1) * sizeof(*list->v));
	struct mime_addr *m = &list->v[list->n++];
	m->addr = xstrndup(addr, alen);
	m->name = NULL;
	if (nlen >= 2 && name[0] == '"' && name[nlen - 1] == '"') {
		struct buf b;
		buf_init(&b, 0);
		for (size_t i = 1; i + 1 < nlen; i++) {
			if (name[i] == '\\' && i + 2 < nlen)
				i++;
			buf_add(&b, name + i, 1);
		}
		m->name = buf_detach(&b);
	} else if (nlen) {
		m->name = xstrndup(name, nlen);
	}
	if (m->name && !*m->name) {
		free(m->name);
		m->name = NULL;
	}
	return 0;
}

int mime_parse_addresses(const char *field, const char *s, struct mime_addr_list *list,
			 struct err *err)
{
	const char *start = s;
	int quoted = 0, angle = 0;

	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return err_set(err, "%s must not contain %s", field,
				       *p == '\r' || *p == '\n' ? "line breaks"
								: "control characters");
	for (const char *p = s;; p++) {
		if (*p == '\\' && quoted && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle = 1;
		else if (!quoted && *p == '>')
			angle = 0;
		if (*p && (quoted || angle || *p != ','))
			continue;
		const char *one = start;
		size_t n = (size_t)(p - start);
		trim(&one, &n);
		if (n && parse_mailbox(field, one, n, list, err) < 0)
			return -1;
		if (!*p)
			break;
		start = p + 1;
	}
	if (quoted)
		return err_set(err, "%s: unbalanced '\"'", field);
	return 0;
}

void mime_addr_list_release(struct mime_addr_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].name);
		free(list->v[i].addr);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* ------------------------------------------------------------ building */

/* The output, with one sticky failure flag so writers need not check each
 * append. */
struct out {
	struct buf *b;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (!o->full && buf_add(o->b, s, n) < 0)
		o->full = 1;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 1;
	return 0;
}

static int is_ascii_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* RFC 2047 B words of at most WORD_CHUNK bytes, cut between characters,
 * joined by sep (a folding "\r\n " in headers, " " inside a parameter). */
static void put_words(struct out *o, const char *s, const char *sep)
{
	size_t n = strlen(s), i = 0;
	uint32_t cp;
	while (i < n) {
		size_t end = i;
		for (size_t l;
		     end < n &&
		     (l = mime_codec_utf8_len((const unsigned char *)s + end, n - end, &cp)) &&
		     end + l - i <= WORD_CHUNK;)
			end += l;
		if (end == i) /* not UTF-8 (cannot happen with jansson strings) */
			end = i + 1;
		char *b64 = crypto_base64(s + i, end - i, 0);
		if (i)
			puts_(o, sep);
		puts_(o, "=?UTF-8?B?");
		puts_(o, b64);
		puts_(o, "?=");
		free(b64);
		i = end;
	}
}

/* Unstructured header text (Subject) starting at column col: as is, folded
 * at blanks, when it is printable ASCII; otherwise as encoded words. */
static void put_text(struct out *o, const char *s, size_t col)
{
	int plain = is_ascii_text(s) && !strstr(s, "=?");
	for (const char *p = s; plain && *p;) {
		size_t w = strcspn(p, " ");
		if (w > 900)
			plain = 0;
		p += w + (p[w] == ' ');
	}
	if (!plain) {
		put_words(o, s, "\r\n ");
		return;
	}
	const char *p = s;
	while (*p) {
		size_t sp = strspn(p, " "), w = sp + strcspn(p + sp, " "); /* blanks, a word */
		if (col + w > 78 && p != s && p[sp]) {
			puts_(o, "\r\n");
			col = 0;
		}
		put(o, p, w);
		col += w;
		p += w;
	}
}

static void put_mailbox(struct out *o, const struct mime_addr *a)
{
	if (a->name && *a->name) {
		if (is_ascii_text(a->name) && !strstr(a->name, "=?")) {
			puts_(o, "\"");
			for (const char *p = a->name; *p; p++) {
				if (*p == '"' || *p == '\\')
					puts_(o, "\\");
				put(o, p, 1);
			}
			puts_(o, "\"");
		} else {
			put_words(o, a->name, "\r\n ");
		}
		puts_(o, " ");
	}
	puts_(o, "<");
	puts_(o, a->addr);
	puts_(o, ">");
}

static void put_addr_header(struct out *o, const char *name, const struct mime_addr *v, size_t n)
{
	if (!n)
		return;
	puts_(o, name);
	puts_(o, ": ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			puts_(o, ",\r\n ");
		put_mailbox(o, &v[i]);
	}
	puts_(o, "\r\n");
}

/* 7bit when the text is ASCII with lines of at most 998 octets, else
 * quoted-printable. Line ends become CRLF either way. Our boundaries start
 * with "=_", which quoted-printable and base64 never produce, so text that
 * holds "--=_" goes quoted-printable: no body can contain a delimiter. */
static void put_text_body(struct out *o, const char *subtype, const char *s)
{
	int seven = !strstr(s, "--=_");
	size_t col = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && seven; p++) {
		if (*p >= 0x80 || (*p < ' ' && *p != '\t' && *p != '\r' && *p != '\n'))
			seven = 0;
		col = (*p == '\n' || *p == '\r') ? 0 : col + 1;
		if (col > 998)
			seven = 0;
	}
	puts_(o, "Content-Type: text/");
	puts_(o, subtype);
	puts_(o, "; charset=utf-8\r\nContent-Transfer-Encoding: ");
	puts_(o, seven ? "7bit\r\n\r\n" : "quoted-printable\r\n\r\n");

	col = 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\r' || c == '\n') {
			if (c == '\r' && p[1] == '\n')
				p++;
			puts_(o, "\r\n");
			col = 0;
			continue;
		}
		if (seven) {
			size_t run = strcspn(p, "\r\n");
			put(o, p, run);
			p += run - 1;
			continue;
		}
		char tok[4];
		size_t tl = 1;
		int eol = p[1] == '\0' || p[1] == '\r' || p[1] == '\n';
		if ((c > ' ' && c < 0x7f && c != '=') || ((c == ' ' || c == '\t') && !eol)) {
			tok[0] = (char)c;
		} else {
			snprintf(tok, sizeof(tok), "=%02X", c);
			tl = 3;
		}
		if (col + tl > QP_LINE - 1) {
			puts_(o, "=\r\n");
			col = 0;
		}
		put(o, tok, tl);
		col += tl;
	}
	/* No line break of our own at the end: a following boundary brings
	 * one, and at the end of the message curl adds it. */
}

static void put_boundary(struct out *o, const char *kind, const char *token, int close)
{
	puts_(o, "\r\n--=_");
	puts_(o, kind);
	puts_(o, token);
	puts_(o, close ? "--\r\n" : "\r\n");
}

static void put_multipart_header(struct out *o, const char *subtype, const char *kind,
				 const char *token)
{
	puts_(o, "Content-Type: multipart/");
	puts_(o, subtype);
	puts_(o, ";\r\n boundary=\"=_");
	puts_(o, kind);
	puts_(o, token);
	puts_(o, "\"\r\n\r\n");
}

static void put_content(struct out *o, const struct mime_message *m)
{
	if (m->text && m->html) {
		put_multipart_header(o, "alternative", "a", m->boundary);
		puts_(o, "--=_a");
		puts_(o, m->boundary);
		puts_(o, "\r\n");
		put_text_body(o, "plain", m->text);
		put_boundary(o, "a", m->boundary, 0);
		put_text_body(o, "html", m->html);
		put_boundary(o, "a", m->boundary, 1);
	} else if (m->html) {
		put_text_body(o, "html", m->html);
	} else {
		put_text_body(o, "plain", m->text ? m->text : "");
	}
}

static int is_token_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

static int content_type_valid(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1] || strlen(s) > 127)
		return 0;
	for (const char *p = s; *p; p++)
		if (p != slash && !is_token_char((unsigned char)*p))
			return 0;
	return 1;
}

static void put_attachment(struct out *o, const struct mime_attachment *a)
{
	const char *ct = a->content_type ? a->content_type : "application/octet-stream";
	/* A name that could be read as RFC 2047 words goes in RFC 2231 form. */
	int ascii = is_ascii_text(a->filename) && !strstr(a->filename, "=?");

	puts_(o, "Content-Type: ");
	puts_(o, ct);
	puts_(o, ";\r\n name=\"");
	if (ascii) {
		for (const char *p = a->filename; *p; p++) {
			if (*p == '"' || *p == '\\')
				puts_(o, "\\");
			put(o, p, 1);
		}
	} else {
		put_words(o, a->filename, " "); /* for mail readers without RFC 2231 */
	}
	puts_(o, "\"\r\nContent-Disposition: attachment;\r\n filename");
	if (ascii) {
		puts_(o, "=\"");
		for (const char *p = a->filename; *p; p++) {
			if (*p == '"' || *p == '\\')
				puts_(o, "\\");
			put(o, p, 1);
		}
		puts_(o, "\"");
	} else {
		puts_(o, "*=UTF-8''");
		for (const unsigned char *p = (const unsigned char *)a->filename; *p; p++) {
			char pct[4];
			if (is_token_char(*p) && !strchr("*'%", *p)) {
				put(o, (const char *)p, 1);
			} else {
				snprintf(pct, sizeof(pct), "%%%02X", *p);
				put(o, pct, 3);
			}
		}
	}
	puts_(o, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	char *b64 = crypto_base64(a->data, a->len, 0);
	size_t n = strlen(b64);
	for (size_t i = 0; i < n; i += QP_LINE) {
		put(o, b64 + i, n - i < QP_LINE ? n - i : QP_LINE);
		puts_(o, "\r\n");
	}
	free(b64);
}

static int check_header_value(const char *what, const char *s, struct err *err)
{
	if (s && has_ctl(s))
		return err_set(err, "%s must not contain %s", what,
			       strpbrk(s, "\r\n") ? "line breaks" : "control characters");
	return 0;
}

/* What mime_parse_addresses guarantees, checked again for hand-made ones. */
static int check_addr(const char *what, const struct mime_addr *a, struct err *err)
{
	if (check_header_value(what, a->name, err) < 0)
		return -1;
	if (!a->addr || !addr_valid(a->addr, strlen(a->addr)))
		return err_set(err, "%s: '%s' is not a valid email address", what,
			       a->addr ? a->addr : "");
	if (a->name && strlen(a->name) > MAX_NAME)
		return err_set(err, "%s: display name longer than %d bytes", what, MAX_NAME);
	return 0;
}

static int check_list(const char *what, const struct mime_addr_list *l, struct err *err)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (check_addr(what, &l->v[i], err) < 0)
			return -1;
	return 0;
}

int mime_build(const struct mime_message *m, struct buf *b, struct err *err)
{
	struct out o = {b, 0};
	char date[40];

	if (!m->from || !m->from->addr || !m->message_id || !m->boundary || !*m->boundary ||
	    strspn(m->boundary, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
		    strlen(m->boundary))
		return err_set(err, "message is missing its from, message id or boundary");
	if (check_header_value("subject", m->subject, err) < 0 ||
	    check_addr("from", m->from, err) < 0 ||
	    check_header_value("message id", m->message_id, err) < 0 ||
	    check_header_value("in_reply_to", m->in_reply_to, err) < 0 ||
	    check_list("to", m->to, err) < 0 || check_list("cc", m->cc, err) < 0 ||
	    check_list("reply_to", m->reply_to, err) < 0)
		return -1;
	for (size_t i = 0; i < m->natt; i++) {
		const struct mime_attachment *a = &m->att[i];
		if (!a->filename || !*a->filename || strlen(a->filename) > MAX_NAME)
			return err_set(err, "attachment %zu: filename must be 1 to %d bytes", i + 1,
				       MAX_NAME);
		if (check_header_value("attachment filename", a->filename, err) < 0)
			return -1;
		if (a->content_type && !content_type_valid(a->content_type))
			return err_set(err, "attachment %zu: content_type '%s' is not type/subtype",
				       i + 1, a->content_type);
	}

	mime_codec_format_date(m->date, date);
	puts_(&o, "Date: ");
	puts_(&o, date);
	puts_(&o, "\r\n");
	put_addr_header(&o, "From", m->from, 1);
	if (m->reply_to)
		put_addr_header(&o, "Reply-To", m->reply_to->v, m->reply_to->n);
	if (m->to)
		put_addr_header(&o, "To", m->to->v, m->to->n);
	if (m->cc)
		put_addr_header(&o, "Cc", m->cc->v, m->cc->n);
	puts_(&o, "Subject: ");
	put_text(&o, m->subject ? m->subject : "", 9);
	puts_(&o, "\r\nMessage-ID: ");
	puts_(&o, m->message_id);
	if (m->in_reply_to) {
		puts_(&o, "\r\nIn-Reply-To: ");
		puts_(&o, m->in_reply_to);
		puts_(&o, "\r\nReferences: ");
		puts_(&o, m->in_reply_to);
	}
	puts_(&o, "\r\nMIME-Version: 1.0\r\n");
	if (m->natt) {
		put_multipart_header(&o, "mixed", "m", m->boundary);
		puts_(&o, "--=_m");
		puts_(&o, m->boundary);
		puts_(&o, "\r\n");
		put_content(&o, m);
		for (size_t i = 0; i < m->natt; i++) {
			put_boundary(&o, "m", m->boundary, 0);
			put_attachment(&o, &m->att[i]);
		}
		put_boundary(&o, "m", m->boundary, 1);
	} else {
		put_content(&o, m);
	}
	if (o.full)
		return err_set(err, "message is larger than %zu bytes", b->cap);
	return 0;
}

/* ------------------------------------------------------------ parsing */

struct header {
	char name[64];
	struct buf value; /* unfolded, raw bytes, at most MAX_HEADER_VALUE */
};

struct headers {
	struct header *v;
	size_t n;
};

/* Parse the header block at the start of raw; *body is where the body starts. */
static void headers_parse(const char *raw, size_t len, struct headers *h, size_t *body)
{
	size_t i = 0;
	h->v = NULL;
	h->n = 0;
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) /* an mbox separator line */
		while (i < len && raw[i++] != '\n')
			;
	while (i < len) {
		const char *line = raw + i, *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i, next = i + ll + (nl != NULL);
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			i = next;
			break; /* the blank line before the body */
		}
		if ((line[0] == ' ' || line[0] == '\t') && h->n) {
			buf_add(&h->v[h->n - 1].value, line, ll);
			i = next;
			continue;
		}
		/* A field name is printable ASCII up to the colon; a line that
		 * is no field starts the body (a message without a blank line). */
		size_t nlen = 0;
		while (nlen < ll && line[nlen] > ' ' && line[nlen] < 0x7f && line[nlen] != ':')
			nlen++;
		const char *colon = line + nlen;
		while (colon < line + ll && (*colon == ' ' || *colon == '\t'))
			colon++;
		if (!nlen || colon == line + ll || *colon != ':')
			break;
		i = next;
		if (nlen >= sizeof(h->v->name) || h->n >= MAX_HEADERS)
			continue;
		h->v = xrealloc(h->v, (h->n + 1) * sizeof(*h->v));
		struct header *hd = &h->v[h->n++];
		memcpy(hd->name, line, nlen);
		hd->name[nlen] = '\0';
		const char *v = colon + 1;
		while (v < line + ll && (*v == ' ' || *v == '\t'))
			v++;
		buf_init(&hd->value, MAX_HEADER_VALUE);
		buf_add(&hd->value, v, (size_t)(line + ll - v));
	}
	*body = i;
}

static const char *headers_get(const struct headers *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value.data ? h->v[i].value.data : "";
	return NULL;
}

static void headers_release(struct headers *h)
{
	for (size_t i = 0; i < h->n; i++)
		buf_release(&h->v[i].value);
	free(h->v);
}

/* The lowercased first token of a Content-Type or Content-Disposition. */
static char *header_token(const char *v, const char *dflt)
{
	if (!v)
		return xstrdup(dflt);
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strcspn(v, "; \t");
	if (!n || n > 127)
		return xstrdup(dflt);
	char *t = xstrndup(v, n);
	for (char *p = t; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p != '/' && !is_token_char((unsigned char)*p))
			break;
	}
	if (strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`{|}~/") != n) {
		free(t);
		return xstrdup(dflt);
	}
	return t;
}

static void pct_decode(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    mime_codec_hex_value((unsigned char)s[i + 1]) >= 0 &&
		    mime_codec_hex_value((unsigned char)s[i + 2]) >= 0) {
			unsigned char c =
				(unsigned char)(mime_codec_hex_value((unsigned char)s[i + 1]) << 4 |
						mime_codec_hex_value((unsigned char)s[i + 2]));
			buf_add(b, &c, 1);
			i += 2;
		} else {
			buf_add(b, s + i, 1);
		}
	}
}

#define MAX_SECTIONS 64

/* Parameter want of a structured header value, decoded to UTF-8: RFC 2231
 * (charset'lang'%XX and name*0, name*1... continuations) preferred, else the
 * plain (possibly quoted) value, with RFC 2047 words decoded when it is text
 * for people (file names) rather than a token (boundary, charset). NULL when
 * absent. */
static char *header_param(const char *v, const char *want, int words)
{
	size_t wl = strlen(want);
	char *plain = NULL, *sect[MAX_SECTIONS] = {0};
	int sect_enc[MAX_SECTIONS] = {0}, have_sect = 0;
	const char *p = v ? strchr(v, ';') : NULL;

	while (p && *p == ';') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *an = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		size_t al = (size_t)(p - an);
		while (al && (an[al - 1] == ' ' || an[al - 1] == '\t'))
			al--;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		struct buf val;
		buf_init(&val, MIME_CODEC_OUT_CAP);
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				buf_add(&val, p, 1);
			}
			if (*p == '"')
				p++;
			while (*p && *p != ';')
				p++;
		} else {
			const char *vs = p;
			while (*p && *p != ';')
				p++;
			const char *ve = p;
			while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			buf_add(&val, vs, (size_t)(ve - vs));
		}
		if (al < wl || strncasecmp(an, want, wl) != 0) {
			buf_release(&val);
			continue;
		}
		const char *rest = an + wl;
		size_t rl = al - wl;
		if (rl == 0) {
			free(plain);
			plain = buf_detach(&val);
		} else if (rest[0] == '*') {
			/* name* (one section 0, encoded) or name*N or name*N* */
			long idx = 0;
			int enc = rest[rl - 1] == '*';
			size_t dl = rl - 1 - (size_t)(enc && rl > 1);
			char num[8];
			if (rl == 1) {
				enc = 1;
			} else if (dl == 0 || dl >= sizeof(num)) {
				idx = -1;
			} else {
				memcpy(num, rest + 1, dl);
				num[dl] = '\0';
				if (parse_long(num, &idx) < 0)
					idx = -1;
			}
			if (idx >= 0 && idx < MAX_SECTIONS && !sect[idx]) {
				sect[idx] = buf_detach(&val);
				sect_enc[idx] = enc;
				have_sect = 1;
			}
		}
		buf_release(&val);
	}

	char *ret = NULL;
	if (have_sect && sect[0]) {
		struct buf raw, out;
		const char *cs = NULL;
		char *charset = NULL;
		buf_init(&raw, MIME_CODEC_OUT_CAP);
		buf_init(&out, MIME_CODEC_OUT_CAP);
		for (int i = 0; i < MAX_SECTIONS && sect[i]; i++) {
			const char *s = sect[i];
			if (i == 0 && sect_enc[0]) {
				const char *q1 = strchr(s, '\''),
					   *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
				if (q2) {
					charset = xstrndup(s, (size_t)(q1 - s));
					cs = charset;
					s = q2 + 1;
				}
			}
			if (sect_enc[i])
				pct_decode(&raw, s, strlen(s));
			else
				buf_add(&raw, s, strlen(s));
		}
		mime_codec_charset_add(&out, cs, (const unsigned char *)raw.data, raw.len);
		ret = buf_detach(&out);
		buf_release(&raw);
		free(charset);
	} else if (plain) {
		ret = words ? mime_codec_decode_header(plain) : xstrdup(plain);
	}
	free(plain);
	for (int i = 0; i < MAX_SECTIONS; i++)
		free(sect[i]);
	return ret;
}

/* What a walk over the MIME tree collects. */
struct walk {
	const struct mime_parse_opts *opts;
	int parts;
	int have_text, have_html;
	struct buf text, html;
	size_t content_left; /* with_content: decoded bytes still allowed */
	json_t *atts;
};

enum cte { CTE_IDENTITY, CTE_BASE64, CTE_QP };

static enum cte body_cte(const struct headers *h)
{
	char *t = header_token(headers_get(h, "Content-Transfer-Encoding"), "7bit");
	enum cte c = !strcmp(t, "base64")             ? CTE_BASE64
		     : !strcmp(t, "quoted-printable") ? CTE_QP
						      : CTE_IDENTITY;
	free(t);
	return c;
}

/* A leaf body's bytes after its transfer encoding: s itself when it has
 * none (a part may be megabytes: copy only when needed), else decoded into
 * tmp. */
static const char *body_bytes(const struct headers *h, const char *s, size_t *n, struct buf *tmp)
{
	enum cte c = body_cte(h);
	if (c == CTE_IDENTITY)
		return s;
	if (c == CTE_BASE64) {
		size_t dl;
		unsigned char *d = crypto_base64_decode(s, *n, CRYPTO_B64_LENIENT, &dl);
		buf_add(tmp, d, dl);
		free(d);
	} else {
		mime_codec_qp_decode(tmp, s, *n, 0);
	}
	*n = tmp->len;
	return tmp->data ? tmp->data : "";
}

/* The decoded size of a leaf body, without keeping the bytes. */
static size_t body_size(const struct headers *h, const char *s, size_t n)
{
	size_t chars = 0;
	if (body_cte(h) == CTE_BASE64) {
		for (size_t i = 0; i < n; i++)
			chars += crypto_base64_digit((unsigned char)s[i]) >= 0;
		return chars / 4 * 3 + (chars % 4 ? chars % 4 - 1 : 0);
	}
	struct buf tmp;
	buf_init(&tmp, MIME_CODEC_OUT_CAP);
	(void)body_bytes(h, s, &n, &tmp);
	buf_release(&tmp);
	return n;
}

/* Append a text part as UTF-8 with CRLF (and lone CR) line ends as LF. */
static void text_add(struct buf *out, const struct headers *h, const char *ctype_v, const char *s,
		     size_t n)
{
	struct buf raw, u;
	char *cs = header_param(ctype_v, "charset", 0);

	buf_init(&raw, MIME_CODEC_OUT_CAP);
	buf_init(&u, MIME_CODEC_OUT_CAP);
	const char *src = body_bytes(h, s, &n, &raw);
	if (!mime_codec_charset_is_utf8(cs) ||
	    !mime_codec_utf8_valid((const unsigned char *)src, n)) {
		mime_codec_charset_add(&u, cs, (const unsigned char *)src, n);
		src = u.data ? u.data : "";
		n = u.len;
	}
	for (size_t i = 0; i < n;) {
		const char *cr = memchr(src + i, '\r', n - i);
		size_t run = cr ? (size_t)(cr - src) - i : n - i;
		buf_add(out, src + i, run);
		i += run;
		if (!cr)
			break;
		buf_add(out, "\n", 1);
		i += 1 + (i + 1 < n && src[i + 1] == '\n');
	}
	buf_release(&raw);
	buf_release(&u);
	free(cs);
}

static void walk_entity(struct walk *w, const char *raw, size_t len, int depth, const char *part);

/* Split a multipart body at its boundary lines and walk each part; part is
 * the multipart's own IMAP section ("" at the top). */
static void walk_multipart(struct walk *w, const char *body, size_t len, const char *boundary,
			   int depth, const char *part)
{
	size_t bl = strlen(boundary) + 2;
	char *delim = xasprintf("--%s", boundary);
	const char *start = NULL, *p = body, *end = body + len;
	int closed = 0, n = 0;

	while (p < end) {
		const char *hit = compat_memmem(p, (size_t)(end - p), delim, bl);
		if (!hit)
			break;
		if (hit != body && hit[-1] != '\n') {
			p = hit + bl;
			continue;
		}
		const char *after = hit + bl;
		int close = end - after >= 2 && after[0] == '-' && after[1] == '-';
		if (start) {
			/* The line break before a delimiter belongs to the delimiter. */
			const char *pe = hit;
			if (pe > start && pe[-1] == '\n')
				pe--;
			if (pe > start && pe[-1] == '\r')
				pe--;
			char *sub = xasprintf("%s%s%d", part, *part ? "." : "", ++n);
			walk_entity(w, start, (size_t)(pe - start), depth + 1, sub);
			free(sub);
		}
		if (close) {
			closed = 1;
			break;
		}
		const char *nl = memchr(after, '\n', (size_t)(end - after));
		start = nl ? nl + 1 : end;
		p = start;
	}
	if (start && !closed) { /* no closing delimiter: a cut message */
		char *sub = xasprintf("%s%s%d", part, *part ? "." : "", ++n);
		walk_entity(w, start, (size_t)(end - start), depth + 1, sub);
		free(sub);
	}
	free(delim);
}

static void add_attachment(struct walk *w, const struct headers *h, const char *part,
			   const char *filename, const char *ctype, const char *s, size_t n)
{
	json_t *a = json_pack("{s:s, s:s, s:s}", "part", part, "filename", filename ? filename : "",
			      "content_type", ctype);
	if (!w->opts->with_content) {
		json_object_set_new(a, "size", json_integer((json_int_t)body_size(h, s, n)));
	} else {
		struct buf tmp;
		buf_init(&tmp, MIME_CODEC_OUT_CAP);
		const char *d = body_bytes(h, s, &n, &tmp);
		json_object_set_new(a, "size", json_integer((json_int_t)n));
		if (n <= w->content_left) {
			char *b64 = crypto_base64(d, n, 0);
			json_object_set_new(a, "content_base64", json_string(b64));
			free(b64);
			w->content_left -= n;
		} else {
			json_object_set_new(a, "content_omitted", json_true());
		}
		buf_release(&tmp);
	}
	json_array_append_new(w->atts, a);
}

static void walk_entity(struct walk *w, const char *raw, size_t len, int depth, const char *part)
{
	struct headers h;
	size_t body;

	if (depth > MAX_DEPTH || w->parts >= MAX_PARTS)
		return;
	w->parts++;
	headers_parse(raw, len, &h, &body);
	const char *ctv = headers_get(&h, "Content-Type");
	const char *cdv = headers_get(&h, "Content-Disposition");
	char *ctype = header_token(ctv, "text/plain");
	char *disp = header_token(cdv, "");
	char *boundary = NULL, *filename = NULL;

	if (strncmp(ctype, "multipart/", 10) == 0) {
		boundary = header_param(ctv, "boundary", 0);
		if (boundary && *boundary) {
			walk_multipart(w, raw + body, len - body, boundary, depth, part);
			goto out;
		}
		free(ctype); /* no boundary: all we can do is show it as text */
		ctype = xstrdup("text/plain");
	}
	filename = header_param(cdv, "filename", 1);
	if (!filename)
		filename = header_param(ctv, "name", 1);
	int is_text = strcmp(ctype, "text/plain") == 0 || strcmp(ctype, "text/html") == 0;
	if (!strcmp(disp, "attachment") || filename || !is_text) {
		if (!filename && strcmp(ctype, "message/rfc822") == 0)
			filename = xstrdup("message.eml");
		add_attachment(w, &h, *part ? part : "1", filename, ctype, raw + body, len - body);
	} else if (strcmp(ctype, "text/plain") == 0) {
		if (w->have_text)
			buf_add(&w->text, "\n", 1);
		text_add(&w->text, &h, ctv, raw + body, len - body);
		w->have_text = 1;
	} else if (!w->have_html) {
		text_add(&w->html, &h, ctv, raw + body, len - body);
		w->have_html = 1;
	}
out:
	free(ctype);
	free(disp);
	free(boundary);
	free(filename);
	headers_release(&h);
}

/* A decoded address with its display name unquoted: "Ann, B" <a@b.c>
 * becomes Ann, B <a@b.c> (the JSON string needs no quoting). */
static char *address_plain(const char *d)
{
	const char *q = d + 1;
	if (d[0] != '"')
		return xstrdup(d);
	while (*q && *q != '"')
		q += (*q == '\\' && q[1]) ? 2 : 1;
	const char *rest = *q ? q + 1 : q;
	if (strspn(rest, " \t") == strlen(rest) || rest[strspn(rest, " \t")] != '<')
		return xstrdup(d);
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = d + 1; p < q; p++) {
		if (*p == '\\' && p + 1 < q)
			p++;
		buf_add(&b, p, 1);
	}
	buf_adds(&b, " ");
	buf_adds(&b, rest + strspn(rest, " \t"));
	return buf_detach(&b);
}

/* One string per address of an address header: split at commas outside
 * quotes, angle brackets and comments, then decoded. Empty groups such as
 * "undisclosed-recipients:;" are left out. */
static json_t *address_array(const char *v)
{
	json_t *a = json_array();
	const char *start = v;
	int quoted = 0, angle = 0, comment = 0;

	if (!v)
		return a;
	for (const char *p = v;; p++) {
		if (*p == '\\' && (quoted || comment) && p[1]) {
			p++;
			continue;
		}
		if (*p == '"' && !comment)
			quoted = !quoted;
		else if (!quoted && *p == '(')
			comment++;
		else if (!quoted && *p == ')' && comment)
			comment--;
		else if (!quoted && !comment && *p == '<')
			angle = 1;
		else if (!quoted && !comment && *p == '>')
			angle = 0;
		if (*p && (quoted || angle || comment || *p != ','))
			continue;
		const char *one = start;
		size_t n = (size_t)(p - start);
		trim(&one, &n);
		if (n && !(n >= 2 && one[n - 2] == ':' && one[n - 1] == ';')) {
			char *raw = xstrndup(one, n), *d = mime_codec_decode_header(raw);
			char *plain = address_plain(d);
			json_array_append_new(a, json_string(plain));
			free(raw);
			free(d);
			free(plain);
		}
		if (!*p)
			break;
		start = p + 1;
	}
	return a;
}

/* An address header as one string: its addresses joined by ", ". */
static void summary_addresses(json_t *o, const struct headers *h, const char *key, const char *name,
			      int always)
{
	const char *v = headers_get(h, name);
	if (!v && !always)
		return;
	json_t *a = address_array(v), *x;
	struct buf b;
	size_t i;
	buf_init(&b, MIME_CODEC_OUT_CAP);
	json_array_foreach(a, i, x) {
		if (i)
			buf_adds(&b, ", ");
		buf_adds(&b, json_string_value(x));
	}
	json_object_set_new(o, key, json_stringn(b.data ? b.data : "", b.len));
	buf_release(&b);
	json_decref(a);
}

static void summary_set(json_t *o, const struct headers *h, const char *key, const char *name,
			int always)
{
	const char *v = headers_get(h, name);
	if (!v && !always)
		return;
	char *d = mime_codec_decode_header(v ? v : "");
	json_object_set_new(o, key, json_string(d));
	free(d);
}

static json_t *summary(const struct headers *h, long long fallback_date)
{
	json_t *o = json_object();
	const char *date = headers_get(h, "Date"), *refs = headers_get(h, "References");
	long long t;
	char *d;

	summary_addresses(o, h, "from", "From", 1);
	json_object_set_new(o, "to", address_array(headers_get(h, "To")));
	json_object_set_new(o, "cc", address_array(headers_get(h, "Cc")));
	summary_set(o, h, "subject", "Subject", 1);
	if (date && mime_codec_parse_date(date, &t) == 0)
		d = mime_codec_iso_date(t);
	else if (fallback_date >= 0)
		d = mime_codec_iso_date(fallback_date);
	else
		d = mime_codec_decode_header(date ? date : "");
	json_object_set_new(o, "date", json_string(d));
	free(d);
	summary_set(o, h, "message_id", "Message-ID", 0);
	summary_addresses(o, h, "reply_to", "Reply-To", 0);
	summary_set(o, h, "in_reply_to", "In-Reply-To", 0);
	if (refs) {
		json_t *a = json_array();
		for (const char *p = refs; (p = strchr(p, '<'));) {
			const char *gt = strchr(p, '>');
			if (!gt)
				break;
			char *id = xstrndup(p, (size_t)(gt - p) + 1),
			     *dec = mime_codec_decode_header(id);
			json_array_append_new(a, json_string(dec));
			free(id);
			free(dec);
			p = gt + 1;
		}
		json_object_set_new(o, "references", a);
	}
	return o;
}

json_t *mime_summary_headers(const char *raw, size_t len, long long fallback_date)
{
	struct headers h;
	size_t body;
	headers_parse(raw, len, &h, &body);
	json_t *o = summary(&h, fallback_date);
	headers_release(&h);
	return o;
}

/* Cut b to at most max characters (code points); 1 when it was cut. */
static int cut_chars(struct buf *b, size_t max)
{
	size_t chars = 0;
	if (!max)
		return 0;
	for (size_t i = 0; i < b->len; i++)
		if (((unsigned char)b->data[i] & 0xc0) != 0x80 && ++chars > max) {
			b->len = i;
			b->data[i] = '\0';
			return 1;
		}
	return 0;
}

json_t *mime_parse_message(const char *raw, size_t len, const struct mime_parse_opts *opts)
{
	static const struct mime_parse_opts none = {0, 0, 0, -1};
	struct walk w = {0};
	json_t *ret = mime_summary_headers(raw, len, (opts ? opts : &none)->fallback_date);

	w.opts = opts ? opts : &none;
	w.content_left = w.opts->max_content;
	buf_init(&w.text, MIME_CODEC_OUT_CAP);
	buf_init(&w.html, MIME_CODEC_OUT_CAP);
	w.atts = json_array();
	walk_entity(&w, raw, len, 0, "");
	int cut = cut_chars(&w.text, w.opts->max_chars);
	cut |= cut_chars(&w.html, w.opts->max_chars);
	json_object_set_new(ret, "text", json_stringn(w.text.data ? w.text.data : "", w.text.len));
	if (w.have_html)
		json_object_set_new(ret, "html",
				    json_stringn(w.html.data ? w.html.data : "", w.html.len));
	if (cut)
		json_object_set_new(ret, "truncated", json_true());
	json_object_set_new(ret, "attachments", w.atts);
	buf_release(&w.text);
	buf_release(&w.html);
	return ret;
}
