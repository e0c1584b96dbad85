/* webhook_events.c - reading stored events back: times in and out, one
 * event as JSON, connection names. The switchboard_events tool and the
 * events:// resources over them are the MCP layer's (mcp_events.c). */
#include "webhook.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"

/* ---- times ---- */

void webhook_format_time(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%lld", t);
}

/* n digits at *p as a number, advancing *p; -1 when they are not digits. */
static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* Consume c at *p: 1 when it was there. */
static int eat(const char **p, char c)
{
	if (**p != c)
		return 0;
	(*p)++;
	return 1;
}

static int parse_iso(const char *s, long long *out)
{
	const char *p = s;
	struct tm tm = {0};
	int y = digits(&p, 4);
	int mo = eat(&p, '-') ? digits(&p, 2) : -1;
	int d = eat(&p, '-') ? digits(&p, 2) : -1;
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	long offset = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		int h = digits(&p, 2);
		int mi = eat(&p, ':') ? digits(&p, 2) : -1;
		int sec = eat(&p, ':') ? digits(&p, 2) : 0;
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
			return -1;
		if (*p == '.' || *p == ',')
			for (p++; isdigit((unsigned char)*p); p++)
				;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;
			int oh = digits(&p, 2), om = 0;
			eat(&p, ':');
			if (*p)
				om = digits(&p, 2);
			if (oh < 0 || om < 0)
				return -1;
			offset = sign * (oh * 3600L + om * 60L);
		}
	}
	if (*p)
		return -1;
	*out = (long long)compat_timegm(&tm) - offset;
	return 0;
}

int webhook_parse_since(const char *s, long long now, long long *out)
{
	long v;
	if (!s || !*s)
		return -1;
	if (parse_iso(s, out) == 0)
		return 0;
	if (parse_long(s, &v) == 0 && v >= 0) {
		*out = v;
		return 0;
	}
	const char *p = s + (*s == '-');
	size_t n = strlen(p);
	if (n < 2)
		return -1;
	char *num = xstrndup(p, n - 1);
	int bad = parse_long(num, &v) < 0 || v < 0;
	free(num);
	static const struct {
		char unit;
		long secs;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	for (size_t i = 0; !bad && i < sizeof(units) / sizeof(units[0]); i++) {
		if (p[n - 1] == units[i].unit) {
			*out = now - (long long)v * units[i].secs;
			return 0;
		}
	}
	return -1;
}

/* ---- events as JSON ---- */

json_t *webhook_event_json(const struct event *ev, const char *connection)
{
	char at[32];
	webhook_format_time(ev->received_at, at);
	return json_pack("{s:I, s:s, s:o, s:o, s:s, s:o, s:o, s:s, s:O}", "id", (json_int_t)ev->id,
			 "connector", ev->connector, "connection",
			 connection ? json_string(connection) : json_null(), "entity",
			 ev->entity ? json_string(ev->entity) : json_null(), "event",
			 ev->event_type, "vendor_event",
			 ev->vendor_type ? json_string(ev->vendor_type) : json_null(),
			 "vendor_event_id",
			 ev->vendor_event_id ? json_string(ev->vendor_event_id) : json_null(),
			 "received_at", at, "payload", ev->payload ? ev->payload : json_null());
}

json_t *webhook_connection_names(struct store *s)
{
	json_t *names = json_object();
	struct connection **list = NULL;
	if (s && store_list_connections(s, NULL, &list, NULL) == 0) {
		for (size_t i = 0; list[i]; i++) {
			char key[32];
			snprintf(key, sizeof(key), "%lld", list[i]->id);
			json_object_set_new(names, key, json_string(list[i]->name));
		}
	}
	connections_free(list);
	return names;
}
