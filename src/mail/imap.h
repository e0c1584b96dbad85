/* imap.h - a small IMAP4rev1 client for mail.c, spoken over a connection
 * that libcurl opened and authenticated (CONNECT_ONLY), and the parsing of
 * the server's responses. Calls block until the server answers or the
 * timeout passes; one struct imap belongs to one thread at a time. */
#ifndef SB_IMAP_H
#define SB_IMAP_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* The most of one message a FETCH asks for; a response may hold this much
 * in literals plus 1 MiB before it is refused. */
#define IMAP_MAX_FETCH (10u << 20)
/* Synchronizing literals in one command. */
#define IMAP_MAX_LITERALS 16

struct imap;

/* A command to send: its text (without tag and CRLF), and where it stops for
 * the server's "+" (just after each synchronizing literal's "{n}\r\n"). The
 * caller initialises and releases text. */
struct imap_command {
	struct buf text;
	size_t pause[IMAP_MAX_LITERALS];
	size_t npause;
};

/* Connect and log in on curl, a handle set up for the account's imap or
 * imaps URL with credentials and timeouts (stolen: freed here on failure, by
 * imap_close otherwise). host (borrowed, outliving the client) names the
 * server in errors; timeout_ms bounds each later command. A new client, or
 * NULL with err ("imap login to 'host' failed: ..."). */
struct imap *imap_open(CURL *curl, const char *host, long timeout_ms, struct err *err);

/* Log out (unless the connection is broken) and free; accepts NULL. */
void imap_close(struct imap *im);

/* EXAMINE (read-only) or, when writable, SELECT mailbox (UTF-8); *validity
 * gets its UIDVALIDITY (0 when the server does not say). 0, or -1 with err
 * ("imap examine 'Foo' on 'host' failed: NO ..."). */
int imap_open_mailbox(struct imap *im, const char *mailbox, int writable, unsigned long *validity,
		      struct err *err);

/* LIST "" pattern (UTF-8) into *out, a new array of {name, delimiter, flags,
 * special_use?} as mail_mailboxes describes; with counts, STATUS adds
 * messages, unseen, uidnext and uidvalidity to each selectable mailbox.
 * 0, or -1 with err and *out NULL. */
int imap_mailboxes(struct imap *im, const char *pattern, int counts, json_t **out, struct err *err);

/* Build UID SEARCH for criteria into c->text (initialised by the caller),
 * limited to UIDs under below when below is not 0. criteria is printable
 * ASCII on one line, except that double-quoted strings may hold UTF-8: those
 * go as literals after CHARSET UTF-8. 0, or -1 with err on bad criteria. */
int imap_search_command(const char *criteria, unsigned long below, struct imap_command *c,
			struct err *err);

/* Run a search built by imap_search_command: *uids gets a new array (free)
 * of the matching UIDs, highest first, and *n their number. 0, or -1 with
 * err (*uids may then hold some; free it all the same). */
int imap_search(struct imap *im, const struct imap_command *c, unsigned long **uids, size_t *n,
		struct err *err);

/* What FETCH responses told about one message. */
struct imap_fetched {
	unsigned long uid;       /* 0 until a response for it came */
	long long size;          /* RFC822.SIZE, or -1 */
	long long internal_date; /* INTERNALDATE in seconds, or -1 */
	int has_attachments;     /* from BODYSTRUCTURE: 0, 1, or -1 when not seen */
	json_t *flags;           /* new, or NULL */
	char *body;              /* a BODY[...] section, new, or NULL */
	size_t body_len;
};

void imap_fetched_init(struct imap_fetched *f);
void imap_fetched_release(struct imap_fetched *f);

/* UID FETCH uid, flags, size, dates, BODYSTRUCTURE and the header fields in
 * fields ("FROM SUBJECT") of the n messages uids[], without marking them
 * seen; got[i] (initialised by the caller) gets what came for uids[i], and
 * keeps uid 0 for one that no longer exists. 0, or -1 with err. */
int imap_fetch_headers(struct imap *im, const unsigned long *uids, size_t n, const char *fields,
		       struct imap_fetched *got, struct err *err);

/* UID FETCH one message's first IMAP_MAX_FETCH bytes with its flags, size
 * and INTERNALDATE into f (initialised by the caller; f->uid is set to uid);
 * BODY.PEEK unless mark_seen. f->body stays NULL when there is no such
 * message. 0, or -1 with err. */
int imap_fetch_message(struct imap *im, unsigned long uid, int mark_seen, struct imap_fetched *f,
		       struct err *err);

/* Whether the JSON array of flags holds flag (case-insensitively). */
int imap_has_flag(json_t *flags, const char *flag);

/* s[0..len) as an IMAP number: 1 to 10 ASCII digits. 0 with *out, or -1. */
int imap_parse_number(const char *s, size_t len, unsigned long *out);

#endif
