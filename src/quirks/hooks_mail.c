/* hooks_mail.c - the Email connector's hooks: a connection's fields become a
 * mail account, the tool's arguments become mail.c's, on a worker thread. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connection.h"
#include "hooks.h"
#include "mail.h"

static long port_value(const struct connection *conn, const char *name)
{
	long v = 0;
	const char *s = connection_value(conn, name);
	if (s && parse_long(s, &v) < 0)
		v = 0;
	return v;
}

static void account(const struct connection *conn, struct mail_account *a)
{
	memset(a, 0, sizeof(*a));
	a->smtp_host = connection_value(conn, "smtp_host");
	a->smtp_port = port_value(conn, "smtp_port");
	a->imap_host = connection_value(conn, "imap_host");
	a->imap_port = port_value(conn, "imap_port");
	a->security = connection_value(conn, "security");
	a->username = connection_value(conn, "username");
	a->password = connection_value(conn, "password");
	a->oauth_token = connection_value(conn, "access_token");
	a->from = connection_value(conn, "from");
	if (a->oauth_token && !*a->oauth_token)
		a->oauth_token = NULL;
}

/* "2026-08-01" -> "1-Aug-2026" (IMAP dates); NULL when malformed. */
static char *imap_date(const char *iso)
{
	static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int y, m, d;
	if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 ||
	    d > 31)
		return NULL;
	return xasprintf("%d-%s-%d", d, mon[m - 1], y);
}

/* A quoted IMAP string; NULL when it holds what a quoted string cannot. */
static char *imap_quote(const char *s)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_adds(&b, "\"");
	for (const char *p = s; *p; p++) {
		if (*p == '\r' || *p == '\n') {
			buf_release(&b);
			return NULL;
		}
		if (*p == '"' || *p == '\\')
			buf_adds(&b, "\\");
		buf_add(&b, p, 1);
	}
	buf_adds(&b, "\"");
	return buf_detach(&b);
}

/* The list tool's filters as IMAP SEARCH criteria. */
static int search_criteria(json_t *args, char **out, struct err *err)
{
	struct buf b;
	buf_init(&b, 8192);
	json_t *v;
	if ((v = json_object_get(args, "unseen")))
		buf_adds(&b, json_is_true(v) ? " UNSEEN" : " SEEN");
	if ((v = json_object_get(args, "flagged")))
		buf_adds(&b, json_is_true(v) ? " FLAGGED" : " UNFLAGGED");
	static const char *dates[][2] = {{"since", "SINCE"}, {"before", "BEFORE"}};
	for (int i = 0; i < 2; i++) {
		const char *iso = json_string_value(json_object_get(args, dates[i][0]));
		if (!iso)
			continue;
		char *d = imap_date(iso);
		if (!d) {
			buf_release(&b);
			return err_set(err, "%s must be a date like 2026-08-01", dates[i][0]);
		}
		buf_addf(&b, " %s %s", dates[i][1], d);
		free(d);
	}
	static const char *words[][2] = {
		{"from", "FROM"}, {"to", "TO"}, {"subject", "SUBJECT"}, {"text", "TEXT"}};
	for (int i = 0; i < 4; i++) {
		const char *w = json_string_value(json_object_get(args, words[i][0]));
		if (!w)
			continue;
		char *q = imap_quote(w);
		if (!q) {
			buf_release(&b);
			return err_set(err, "%s may not contain line breaks", words[i][0]);
		}
		buf_addf(&b, " %s %s", words[i][1], q);
		free(q);
	}
	const char *raw = json_string_value(json_object_get(args, "search"));
	if (raw)
		buf_addf(&b, " %s", raw);
	*out = b.len ? xstrdup(b.data + 1) : xstrdup("ALL");
	buf_release(&b);
	return 0;
}

static int mail_send_run(const struct connector *c, const struct action_spec *act, json_t *args,
			 const struct connection *conn, json_t **data, struct err *err)
{
	(void)c;
	(void)act;
	struct mail_account a;
	account(conn, &a);
	return mail_send(&a, args, data, err);
}

static int mail_mailboxes_run(const struct connector *c, const struct action_spec *act,
			      json_t *args, const struct connection *conn, json_t **data,
			      struct err *err)
{
	(void)c;
	(void)act;
	struct mail_account a;
	account(conn, &a);
	return mail_mailboxes(&a, args, data, err);
}

static int mail_list_run(const struct connector *c, const struct action_spec *act, json_t *args,
			 const struct connection *conn, json_t **data, struct err *err)
{
	(void)c;
	(void)act;
	struct mail_account a;
	account(conn, &a);
	char *search = NULL;
	if (search_criteria(args, &search, err) < 0)
		return -1;
	json_t *margs = json_pack("{s:s}", "search", search);
	free(search);
	static const char *pass[] = {"mailbox",     "limit", "cursor", "since_uid",
				     "uidvalidity", "order", NULL};
	for (int i = 0; pass[i]; i++)
		if (json_object_get(args, pass[i]))
			json_object_set(margs, pass[i], json_object_get(args, pass[i]));
	int rc = mail_list(&a, margs, data, err);
	json_decref(margs);
	return rc;
}

static int mail_read_run(const struct connector *c, const struct action_spec *act, json_t *args,
			 const struct connection *conn, json_t **data, struct err *err)
{
	(void)c;
	(void)act;
	struct mail_account a;
	account(conn, &a);
	return mail_read(&a, args, data, err);
}

const struct hook hooks_mail[] = {
	{"mail_send", NULL, mail_send_run},
	{"mail_list", NULL, mail_list_run},
	{"mail_read", NULL, mail_read_run},
	{"mail_mailboxes", NULL, mail_mailboxes_run},
	{NULL, NULL, NULL},
};
