/* mail.h - SMTP send and IMAP read through libcurl, for the Email connector.
 * These calls block; exec runs them on a worker thread so the MCP loop never
 * waits on a mail server. Each call uses its own curl handle and keeps no
 * state between calls, so any number may run at once on different threads
 * (curl_global_init must have been called first). */
#ifndef SB_MAIL_H
#define SB_MAIL_H

#include <jansson.h>

#include "util.h"

/* One mail account, from a connection (all strings borrowed). */
struct mail_account {
	const char *smtp_host;
	long smtp_port; /* 0: 587 for starttls, 465 for tls (25 for none) */
	const char *imap_host;
	long imap_port;          /* 0: 143 for starttls, 993 for tls (143 for none) */
	const char *security;    /* "starttls" (default: STARTTLS required, never
				  * plain) or "tls"; "none" (plain text) only to this
				  * machine: 127.0.0.1, ::1 or localhost */
	const char *username;    /* the login; also the From address when from is NULL */
	const char *password;    /* or NULL with */
	const char *oauth_token; /* XOAUTH2 bearer token (preferred when both are set) */
	const char *from;        /* default From: "a@b.c" or "Name <a@b.c>" */
	long timeout_ms;         /* 0: 30000; SMTP: the whole send; IMAP: the login,
				  * then each command */
};

/* Each takes the tool's arguments (borrowed, an object) and on success sets
 * *result to a new JSON value (the tool's data) and returns 0. On failure
 * *result is NULL and -1 returns with err: bad arguments say which one
 * ("subject must not contain line breaks"); server failures say what failed
 * and where, then curl's or the server's words ("smtp send to
 * 'smtp.example.com' failed: Login denied", "imap examine 'Foo' on
 * 'imap.example.com' failed: NO [NONEXISTENT] ..."). No error ever contains
 * the password or token. The shapes follow capabilities/email.json.
 *
 * mail_send: {to, cc?, bcc?, subject, text?, html?, reply_to?, from?,
 *   in_reply_to?, attachments?: [{filename, content_type?, content_base64}]}
 *   -> {message_id: "<...>", accepted: [addresses], rejected: [addresses]}.
 *   to, cc, bcc and reply_to are an address string ("a@b.c", "Name <a@b.c>",
 *   or several separated by commas) or an array of them; at least one
 *   recipient in all, at most 100. Bcc goes only into the SMTP envelope.
 *   Control characters (CR/LF: header injection) in any header value are
 *   refused, as are non-ASCII addresses. in_reply_to ("<id@host>") sets
 *   In-Reply-To and References. content_base64 must be valid base64
 *   (whitespace allowed); content_type is "type/subtype" (default
 *   application/octet-stream); at most 50 attachments and 25 MiB encoded in
 *   all. Builds an RFC 5322 message: Date (UTC), Message-ID
 *   <random@from-domain>, RFC 2047 encoded non-ASCII headers, text/plain and
 *   text/html as multipart/alternative, attachments in multipart/mixed with
 *   RFC 2231 file names; CRLF, lines of at most 998. Recipients the server
 *   refuses are listed in rejected and the rest still get the message; when
 *   it refuses them all the call fails.
 * mail_mailboxes: {pattern?: "*", include_counts?: false}
 *   -> [{name, delimiter, flags: ["\\HasNoChildren", ..], special_use?,
 *        messages?, unseen?, uidnext?, uidvalidity?}]
 *   pattern is an IMAP LIST pattern in UTF-8 (* everything, % one level).
 *   name is UTF-8 (IMAP's modified UTF-7 decoded); delimiter may be null;
 *   special_use is \Sent, \Drafts, \Trash, \Junk, \Archive, \All or
 *   \Flagged when the server flags the mailbox so. include_counts adds the
 *   four counts (one STATUS per selectable mailbox).
 * mail_list: {mailbox?: "INBOX", search?: "ALL", limit?: 20, cursor?,
 *   since_uid?, uidvalidity?, order?: "newest"}
 *   -> {data: [{uid, uidvalidity, from, to: [..], cc: [..], subject, date,
 *   received?, message_id?, flags, size, has_attachments}], has_more,
 *   next_cursor?}
 *   since_uid keeps only UIDs above it; with uidvalidity, only while the
 *   mailbox still has that uidvalidity (after a renumbering since_uid is
 *   ignored, and the items' uidvalidity shows the change). received is the
 *   INTERNALDATE, RFC 3339 UTC.
 *   search is IMAP SEARCH criteria passed to the server ("UNSEEN SINCE
 *   1-Aug-2026", "FROM \"Zoë\""): one line, and text that is not ASCII only
 *   inside double quotes (sent as literals with CHARSET UTF-8). Newest
 *   (highest UID) first; limit is capped at 100. When more match, has_more
 *   is true and next_cursor (a string) continues below the last one; a
 *   cursor from before the mailbox was renumbered (UIDVALIDITY) is refused.
 *   A bare UID also works as cursor. order "oldest" lists lowest UID first
 *   instead: next_cursor then continues above the last one (pass the same
 *   order with it), so since_uid with order "oldest" pages forward. Header values are decoded to
 * UTF-8; date is RFC 3339 UTC from the Date header, else from INTERNALDATE; has_attachments comes
 * from BODYSTRUCTURE. The mailbox is opened read-only: listing never marks a message seen.
 * mail_read: {mailbox?: "INBOX", uid, uidvalidity?, mark_seen?: false,
 *   include_attachments?: false, max_chars?: 100000}
 *   -> {uid, uidvalidity, mailbox, flags, size, from, to: [..], cc: [..],
 *   subject, date, message_id?, reply_to?, in_reply_to?, references?: [..],
 *   text, html?, truncated?, attachments: [{part, filename, content_type,
 *   size, content_base64?, content_omitted?}]}
 *   uid is a number or a numeric string. With uidvalidity, a mailbox that was
 *   renumbered since fails the call instead of reading another message.
 *   text is the plain-text body ("" when there is none), html the HTML one,
 *   both UTF-8 with LF line ends and cut to max_chars characters each. Only
 *   the first 10 MiB of a message are fetched. truncated is true when either
 *   cut happened. part is the IMAP section ("2", "1.2"); size is decoded.
 *   include_attachments adds content_base64 to attachments in order while
 *   their decoded bytes total at most 3 MiB; the others get content_omitted.
 *   The mailbox is opened read-only and the message fetched with BODY.PEEK,
 *   so reading does not mark it seen, unless mark_seen.
 */
int mail_send(const struct mail_account *acct, json_t *args, json_t **result, struct err *err);
int mail_mailboxes(const struct mail_account *acct, json_t *args, json_t **result, struct err *err);
int mail_list(const struct mail_account *acct, json_t *args, json_t **result, struct err *err);
int mail_read(const struct mail_account *acct, json_t *args, json_t **result, struct err *err);

#endif
