/* mime.h - Internet messages for mail.c: building an RFC 5322/MIME message to
 * send, and parsing a fetched one into JSON (the codecs both use are in
 * mime_codec.h). Pure functions: no I/O, no global state, safe on any thread. */
#ifndef SB_MIME_H
#define SB_MIME_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* One mailbox: addr is the bare addr-spec ("ann@example.com", ASCII), name
 * the display name (UTF-8) or NULL. Both owned by the list holding it. */
struct mime_addr {
	char *name;
	char *addr;
};

struct mime_addr_list {
	struct mime_addr *v;
	size_t n;
};

/* Parse an address list such as `Ann <ann@example.com>, "Doe, J." <j@d.e>,
 * x@y.z` and append each mailbox to list. Refuses control characters (so CR
 * and LF: no header injection), group syntax, comments, quoted local parts
 * and non-ASCII addresses. field names the argument in the error ("to").
 * 0, or -1 with err (list keeps what was appended before). */
int mime_parse_addresses(const char *field, const char *s, struct mime_addr_list *list,
			 struct err *err);
void mime_addr_list_release(struct mime_addr_list *list);

/* An attachment to send; everything borrowed. content_type is "type/subtype"
 * (checked by mime_build); filename is UTF-8 without control characters. */
struct mime_attachment {
	const char *filename;
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

/* A message to build; everything borrowed. Header values must be free of
 * control characters; mime_build checks again and refuses them. */
struct mime_message {
	const struct mime_addr *from;
	const struct mime_addr_list *to, *cc, *reply_to; /* may be NULL or empty */
	const char *subject;                             /* UTF-8 */
	const char *text, *html;                         /* UTF-8, either may be NULL */
	const struct mime_attachment *att;
	size_t natt;
	const char *message_id;  /* "<local@domain>" */
	const char *in_reply_to; /* a message id or NULL: In-Reply-To and References */
	long long date;          /* seconds since the epoch; written as UTC */
	const char *boundary;    /* a random token, [0-9A-Za-z] only, unique per message */
};

/* Append the whole message to out: CRLF line endings, no line over 998
 * octets, non-ASCII header text as RFC 2047 words, bodies in 7bit when they
 * are short-lined ASCII and quoted-printable otherwise, attachments in base64
 * with RFC 2231 filenames. Dot-stuffing is left to the SMTP client. The
 * structure is text/plain, text/html or multipart/alternative of both,
 * wrapped in multipart/mixed when there are attachments. 0, or -1 with err
 * (bad input, or out's cap reached). */
int mime_build(const struct mime_message *m, struct buf *out, struct err *err);

/* The headers of a message (raw is at least its header block) as a new
 * object, values decoded from RFC 2047 to UTF-8:
 *   {from: "Ann <a@b.c>", to: [..], cc: [..], subject, date,
 *    message_id?, reply_to?, in_reply_to?, references?: ["<id>", ..]}
 * to and cc hold one string per address (empty arrays when absent); from,
 * subject and date are "" when absent. date is RFC 3339 UTC
 * ("2026-08-01T09:30:00Z") from the Date header, else from fallback_date
 * (seconds since the epoch; -1: none), else the Date header as sent. */
json_t *mime_summary_headers(const char *raw, size_t len, long long fallback_date);

/* What mime_parse_message returns besides the headers. */
struct mime_parse_opts {
	size_t max_chars;        /* cut text and html to this many characters; 0: never */
	size_t max_content;      /* with_content: at most this many decoded bytes in all */
	int with_content;        /* attachments get content_base64 while max_content lasts */
	long long fallback_date; /* as for mime_summary_headers */
};

/* Parse a whole message (CRLF or LF line endings; at most 20 levels of
 * multipart and 1000 parts) into a new object: the fields of
 * mime_summary_headers, and
 *   text: "...", html?: "...", truncated?: true,
 *   attachments: [{part, filename, content_type, size, content_base64?,
 *                  content_omitted?: true}]
 * text is the inline text/plain parts (joined by a newline), html the first
 * inline text/html, both decoded (base64, quoted-printable) and converted to
 * UTF-8 with LF line endings, each cut to opts->max_chars characters
 * (truncated: true says so). part is the IMAP section number ("1", "2.1");
 * size is the decoded size. A part counts as an attachment when its
 * disposition is "attachment", when it has a file name, or when it is not
 * text/plain, text/html or multipart; message/rfc822 parts are attachments
 * (not descended into). With opts->with_content, attachments get their bytes
 * as content_base64 in order until max_content would be passed; the rest get
 * content_omitted: true. Never fails: what cannot be parsed is kept as text. */
json_t *mime_parse_message(const char *raw, size_t len, const struct mime_parse_opts *opts);

#endif
