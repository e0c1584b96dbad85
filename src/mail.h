/* mail.h - SMTP send and IMAP read through libcurl, for the Email connector.
 * These calls block; exec runs them on a worker thread so the MCP loop never
 * waits on a mail server. */
#ifndef SB_MAIL_H
#define SB_MAIL_H

#include <jansson.h>

#include "util.h"

/* One mail account, from a connection (all strings borrowed). */
struct mail_account {
	const char *smtp_host;
	long smtp_port;       /* 0: 587 for starttls, 465 for tls */
	const char *imap_host;
	long imap_port;       /* 0: 993 for tls, 143 for starttls */
	const char *security; /* "starttls" (default) or "tls"; "none" only to loopback */
	const char *username;
	const char *password;      /* or NULL with */
	const char *oauth_token;   /* XOAUTH2 bearer token */
	const char *from;          /* default From address */
	long timeout_ms;           /* 0: 30000 */
	int insecure_loopback;     /* tests: allow plain text to 127.0.0.1 */
};

/* Each takes the tool's arguments (borrowed) and on success sets *result to
 * a new JSON value (the tool's data). 0, or -1 with err (never naming a
 * secret).
 *
 * mail_send: {to, cc?, bcc?, subject, text?, html?, reply_to?, from?,
 *   attachments?: [{filename, content_type?, content_base64}]} -> {message_id,
 *   accepted: [recipients]}. Builds an RFC 5322 message with Date,
 *   Message-ID, RFC 2047 encoded non-ASCII headers, multipart/alternative for
 *   text+html and multipart/mixed for attachments.
 * mail_mailboxes: {} -> [{name, flags: [..], delimiter}]
 * mail_list: {mailbox?: "INBOX", search?: "UNSEEN SINCE 1-Aug-2026", limit?,
 *   cursor?} -> {data: [{uid, from, to, subject, date, flags?}], next_cursor?}
 *   newest first; cursor is a UID to continue below.
 * mail_read: {mailbox?, uid} -> {uid, headers: {from, to, cc, subject, date,
 *   message_id}, text, html?, attachments: [{filename, content_type, size}]}
 */
int mail_send(const struct mail_account *acct, json_t *args, json_t **result, struct err *err);
int mail_mailboxes(const struct mail_account *acct, json_t *args, json_t **result,
		   struct err *err);
int mail_list(const struct mail_account *acct, json_t *args, json_t **result, struct err *err);
int mail_read(const struct mail_account *acct, json_t *args, json_t **result, struct err *err);

#endif
