/* result.c - the vendor's answer as a call result (result.h): success,
 * partial and error results, the next-page cursor, and vendor errors turned into
 * messages a model can act on, with credentials redacted. */
#include "result.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "jsonx.h"
#include "log.h"
#include "urlenc.h"
#include "schema.h"
#include "store.h"

struct call_result *call_result_error(const char *message, json_t *details)
{
	struct call_result *r = xcalloc(1, sizeof(*r));
	r->error = xstrdup(message);
	r->details = details;
	return r;
}

struct call_result *call_result_ok(json_t *data)
{
	struct call_result *r = xcalloc(1, sizeof(*r));
	r->data = data;
	return r;
}

void call_result_free(struct call_result *r)
{
	if (!r)
		return;
	json_decref(r->data);
	free(r->error);
	json_decref(r->details);
	free(r);
}

char *call_result_error_text(const struct call_result *r)
{
	if (!r->details)
		return xstrdup(r->error);
	/* Structured details ride in the text too: some readers show only text. */
	char *d = json_dumps(r->details, JSON_COMPACT);
	char *full = xasprintf("%s\n%s", r->error, d);
	free(d);
	return full;
}

/* Keep only the named fields of an object, or of each object in an array. */
json_t *result_select_fields(json_t *data, json_t *fields)
{
	if (!json_array_size(fields))
		return json_incref(data);
	if (json_is_array(data)) {
		json_t *out = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(data, i, v)
			json_array_append_new(out, result_select_fields(v, fields));
		return out;
	}
	if (!json_is_object(data))
		return json_incref(data);
	json_t *out = json_object();
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f) {
		json_t *v = json_object_get(data, json_string_value(f));
		if (v)
			json_object_set(out, json_string_value(f), v);
	}
	return out;
}

int result_check_output(const struct call_result *r, json_t *output_schema, struct err *err)
{
	if (!output_schema || !r || r->error)
		return 0;
	return schema_validate(output_schema, r->data, err);
}

/* The items gathered before a later page failed, with the cursor of the page
 * that failed so the model can go on from there. Steals error. */
struct call_result *result_partial(json_t *items, json_t *fields, json_t *cursor, int pages,
				   struct call_result *error)
{
	const char *why = error->error;
	/* The message's first line; its details follow on the next. */
	int n = why ? (int)strcspn(why, "\n") : 0;
	char *note =
		xasprintf("stopped after %d page%s: %.*s Call again with cursor to go on.", pages,
			  pages == 1 ? "" : "s", why ? n : 14, why ? why : "a page failed.");
	json_t *out =
		json_pack("{s:o, s:b}", "data", result_select_fields(items, fields), "has_more", 1);
	if (cursor)
		json_object_set(out, "next_cursor", cursor);
	json_object_set_new(out, "pages", json_integer(pages));
	json_object_set_new(out, "incomplete", json_string(note));
	free(note);
	call_result_free(error);
	return call_result_ok(out);
}

/* rel="next" from a Link header: <url>; rel="next", ... New string or NULL. */
static char *link_next(const char *link)
{
	for (const char *p = link; p && *p;) {
		const char *lt = strchr(p, '<'), *gt = lt ? strchr(lt, '>') : NULL;
		if (!lt || !gt)
			return NULL;
		const char *end = strchr(gt, ',');
		size_t seg = end ? (size_t)(end - gt) : strlen(gt);
		char *params = xstrndup(gt, seg);
		int next = strstr(params, "rel=\"next\"") || strstr(params, "rel=next");
		free(params);
		if (next)
			return xstrndup(lt + 1, (size_t)(gt - lt - 1));
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

json_t *result_next_cursor(const struct pagination_spec *pg, const char *cursor, long limit,
			   json_t *body, json_t *items, int backward,
			   const struct http_response *resp)
{
	enum page_style style = pg->style;
	const char *next = pg->next_cursor;
	json_t *has_more = pg->has_more ? jsonx_pointer(body, pg->has_more) : NULL;
	if (has_more && json_is_false(has_more))
		return NULL;
	if (style == PAGE_LINK) {
		char *url = link_next(json_string_value(json_object_get(resp->headers, "link")));
		json_t *r = url ? json_string(url) : NULL;
		free(url);
		return r;
	}
	if (style == PAGE_PAGE || style == PAGE_OFFSET || style == PAGE_QUERY) {
		size_t n = json_array_size(items);
		if (n == 0 || (limit > 0 && n < (size_t)limit && !has_more))
			return NULL;
		long cur = pg->first;
		if (cursor)
			parse_long(cursor, &cur);
		char *s = xasprintf("%ld", style == PAGE_PAGE ? cur + 1 : cur + (long)n);
		json_t *r = json_string(s);
		free(s);
		return r;
	}
	json_t *v = NULL;
	if (next && strncmp(next, "$last.", 6) == 0) {
		/* Paging backward (newer items, still newest first), the page
		 * goes on from its first item. */
		size_t n = json_array_size(items);
		json_t *edge = n ? json_array_get(items, backward ? 0 : n - 1) : NULL;
		v = edge ? json_object_get(edge, next + 6) : NULL;
	} else if (next) {
		v = jsonx_pointer(body, next);
	}
	if (json_is_string(v) && *json_string_value(v))
		return json_incref(v);
	if (json_is_integer(v)) {
		char *t = urlenc_scalar_text(v); /* cursors are strings for the model */
		json_t *r = json_string(t);
		free(t);
		return r;
	}
	return NULL;
}

/* s with each of the connection's secret values replaced by "[redacted]":
 * vendors sometimes echo the credential they were sent. Exact values only,
 * so the vendor's words stay intact. New string. */
static char *redact_conn(const struct connection *conn, const char *s)
{
	char *out = xstrdup(s);
	const char *k;
	json_t *v;
	json_object_foreach(conn ? conn->secrets : NULL, k, v) {
		const char *sec = json_string_value(v);
		size_t sl = sec ? strlen(sec) : 0;
		if (sl < 6)
			continue;
		char *hit;
		while ((hit = strstr(out, sec)) != NULL) {
			char *next = xasprintf("%.*s[redacted]%s", (int)(hit - out), out, hit + sl);
			free(out);
			out = next;
		}
	}
	return out;
}

/* A vendor's words fit for a model: at most 500 bytes of valid UTF-8 on one
 * line, without a final period (ours follows), credentials redacted. New
 * string. */
static char *clean_message(const struct connection *conn, const char *s, size_t n)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < n && s[i] && b.len < 500; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\r' || ch == '\n' || ch == '\t')
			ch = ' ';
		if (ch == ' ' && (b.len == 0 || b.data[b.len - 1] == ' '))
			continue;
		buf_add(&b, &ch, 1);
	}
	while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '.'))
		b.data[--b.len] = '\0';
	/* A cut in the middle of a character, or a body that is not UTF-8. */
	json_t *ok = json_stringn(b.data ? b.data : "", b.len);
	while (!ok && b.len && ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80)
		b.data[--b.len] = '\0';
	if (!ok && b.len && (unsigned char)b.data[b.len - 1] >= 0xc0)
		b.data[--b.len] = '\0';
	if (!ok && !(ok = json_stringn(b.data ? b.data : "", b.len)))
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] >= 0x80)
				b.data[i] = '?';
	json_decref(ok);
	char *red = redact_conn(conn, b.data ? b.data : "");
	buf_release(&b);
	return red;
}

int result_body_refused(long status, const char *message)
{
	/* Words vendors use for a body they cannot read: Stripe's "unsupported
	 * Content-Type", Express's "Unexpected token", "could not parse". */
	static const char *const words[] = {
		"content-type",   "content type", "media type", "urlencoded",       "parse",
		"not valid json", "invalid json", "malformed",  "unexpected token", NULL};
	if (status == 415)
		return 1;
	for (size_t i = 0; status == 400 && message && words[i]; i++)
		if (compat_strcasestr(message, words[i]))
			return 1;
	return 0;
}

struct call_result *result_vendor_error(const struct connector *c, const struct action_spec *a,
					const struct connection *conn,
					const struct http_response *resp, json_t *body)
{
	const struct errors_spec *errs = a->errors;
	json_t *msg = jsonx_pointer_first(body, errs->message);
	json_t *code = jsonx_pointer_first(body, errs->code);
	if (!msg && json_is_object(body))
		msg = json_object_get(body, "message");
	if (!msg && json_is_object(body) && json_is_string(json_object_get(body, "error")))
		msg = json_object_get(body, "error");
	/* A plain-text error body is the message (an HTML page is noise). */
	const char *ctype = json_string_value(json_object_get(resp->headers, "content-type"));
	char *vmsg = NULL;
	if (json_is_string(msg))
		vmsg = clean_message(conn, json_string_value(msg), json_string_length(msg));
	else if (!body && resp->body_len && ctype && strncasecmp(ctype, "text/plain", 10) == 0)
		vmsg = clean_message(conn, resp->body, resp->body_len);
	char *vcode = NULL;
	if (json_is_string(code) || json_is_integer(code)) {
		char *t = urlenc_scalar_text(code);
		vcode = clean_message(conn, t, strlen(t));
		free(t);
	}
	json_t *details = json_pack("{s:i}", "status", (json_int_t)resp->status);
	if (vcode && *vcode)
		json_object_set_new(details, "vendor_code", json_string(vcode));
	if (vmsg)
		json_object_set_new(details, "vendor_message", json_string(vmsg));
	if (resp->retry_after_s >= 0)
		json_object_set_new(details, "retry_after_s", json_integer(resp->retry_after_s));
	/* A small error body whole: the hint may point into it (error.param,
	 * Elements[].ValidationErrors, Fault.Error[].Detail). */
	char *dump = json_is_object(body) || json_is_array(body) ? jsonx_dumps(body) : NULL;
	if (dump && strlen(dump) <= 2000) {
		char *red = redact_conn(conn, dump);
		json_t *copy = json_loads(red, JSON_DECODE_ANY, NULL);
		if (copy)
			json_object_set_new(details, "vendor_body", copy);
		free(red);
	}
	free(dump);
	const char *cname = connector_name(c);
	struct buf advice;
	buf_init(&advice, 0);
	long s = resp->status;
	/* Statuses the connector declares as rate limiting (Cin7 Core's 503). */
	int limited = s == 429;
	size_t ri;
	json_t *rs;
	json_array_foreach(a->rate_limit->statuses, ri, rs)
		limited |= json_integer_value(rs) == s;
	if (limited && resp->retry_after_s > 0)
		buf_addf(&advice, " Rate limited: wait %ld seconds before calling again.",
			 resp->retry_after_s);
	else if (limited)
		buf_adds(&advice, " Rate limited: wait a minute before calling again.");
	else if (s == 401)
		buf_adds(&advice,
			 " The credential was rejected: the user should check or reconnect "
			 "this connection (switchboard connections test).");
	else if (s == 403)
		buf_adds(&advice, " The credential lacks permission (scope) for this.");
	else if (s == 404)
		buf_adds(&advice,
			 " Check the ids passed; the object may not exist in this account.");
	else if (s == 409)
		buf_adds(&advice, " Conflict: re-read the object and retry with fresh values.");
	else if (a->place == PLACE_BODY && (a->encoding == BODY_JSON || a->encoding == BODY_FORM) &&
		 result_body_refused(s, vmsg))
		/* Not the model's to fix: the connector's data says the encoding. */
		buf_addf(&advice,
			 " The vendor could not read the request body, sent as %s: the "
			 "connector's body encoding is wrong for this action (tell the user: "
			 "switchboard connectors test %s --writes --fix finds and fixes it).",
			 a->encoding == BODY_FORM ? "form (application/x-www-form-urlencoded)"
						  : "JSON (application/json)",
			 c->slug);
	else if (s == 422 || s == 400)
		buf_adds(&advice, " Fix the arguments named in the message and call again.");
	else if (s >= 500)
		buf_adds(&advice, " The vendor failed; try again later.");
	if (errs->hint)
		buf_addf(&advice, " %s", errs->hint);
	struct buf text;
	buf_init(&text, 0);
	buf_addf(&text, "%s answered HTTP %ld", cname, s);
	if (!vmsg && vcode) {
		buf_adds(&text, ": ");
		buf_adds(&text, vcode);
	}
	if (vmsg) {
		buf_adds(&text, ": ");
		buf_adds(&text, vmsg);
	}
	buf_adds(&text, ".");
	if (advice.data)
		buf_adds(&text, advice.data);
	struct call_result *r = call_result_error(text.data, details);
	buf_release(&text);
	free(vmsg);
	free(vcode);
	buf_release(&advice);
	return r;
}

/* Per-record write answers (Cin7 Omni): [{index, success, id, code,
 * errors[]}] with HTTP 200 even when records were refused. When any was,
 * an error result naming them and the ids that went through; else NULL. */
static struct call_result *records_failed(const struct connector *c, json_t *body)
{
	json_t *list = json_is_array(body) ? body : NULL;
	size_t i, failed = 0;
	json_t *rec;
	json_array_foreach(list, i, rec)
		if (json_is_false(json_object_get(rec, "success")))
			failed++;
	if (!failed)
		return NULL;
	json_t *bad = json_array(), *good = json_array();
	struct buf text;
	buf_init(&text, 4096);
	const char *cname = connector_name(c);
	buf_addf(&text, "%s refused %zu of %zu records:", cname, failed, json_array_size(list));
	json_array_foreach(list, i, rec) {
		if (!json_is_false(json_object_get(rec, "success"))) {
			json_t *id = json_object_get(rec, "id");
			if (id)
				json_array_append(good, id);
			continue;
		}
		json_array_append(bad, rec);
		json_t *errors = json_object_get(rec, "errors");
		const char *first = json_string_value(json_array_get(errors, 0));
		buf_addf(&text, " [record %zu] %s;", i, first ? first : "no reason given");
	}
	buf_adds(&text, " Fix those records and send only them again.");
	struct call_result *r =
		call_result_error(text.data ? text.data : "records refused",
				  json_pack("{s:o, s:o}", "failed", bad, "succeeded_ids", good));
	buf_release(&text);
	return r;
}

struct call_result *result_transport_error(const struct connector *c,
					   const struct http_response *resp, int idempotent)
{
	const char *cname = connector_name(c);
	const char *what = resp->error == HTTP_ETIMEOUT   ? "timed out"
			   : resp->error == HTTP_ECONNECT ? "could not be reached"
			   : resp->error == HTTP_ETLS     ? "failed the TLS check"
			   : resp->error == HTTP_ERESET   ? "dropped the connection"
							  : "failed";
	/* A write that was sent may have been applied before the answer
	 * was lost: a blind retry could do it twice. */
	int maybe_done = !idempotent && resp->error != HTTP_ECONNECT && resp->error != HTTP_ETLS;
	char *msg = xasprintf("%s %s (%s).%s Try again later; if it persists, check the "
			      "connection's base URL and the network.",
			      cname, what, resp->errmsg,
			      maybe_done ? " The change may or may not have been made: check "
					   "before sending it again."
					 : "");
	struct call_result *r = call_result_error(msg, json_pack("{s:s}", "error", what));
	free(msg);
	return r;
}

struct call_result *result_redirect(const struct connector *c, const struct http_response *resp)
{
	const char *cname = connector_name(c);
	const char *loc = json_string_value(json_object_get(resp->headers, "location"));
	if (!loc) {
		char *msg = xasprintf("%s answered HTTP %ld, a redirect without a Location; "
				      "there is nothing to follow.",
				      cname, resp->status);
		struct call_result *r = call_result_error(
			msg, json_pack("{s:I}", "status", (json_int_t)resp->status));
		free(msg);
		return r;
	}
	/* Where, not how: the query and the user info of a redirect may carry
	 * a signature or a password. */
	const char *host = strstr(loc, "://");
	host = host ? host + 3 : loc;
	size_t hlen = strcspn(host, "/?#");
	const char *at = memchr(host, '@', hlen);
	size_t head = (size_t)(host - loc), tail_at = (at ? (size_t)(at + 1 - loc) : head);
	size_t end = tail_at + strcspn(loc + tail_at, "?#");
	char *where = xasprintf("%.*s%.*s%s", (int)head, loc, (int)(end - tail_at), loc + tail_at,
				loc[end] == '?' ? "?[query left out]" : "");
	char *shown = log_redact(where);
	char *msg = xasprintf("%s answered HTTP %ld, a redirect to %s, which is not followed: "
			      "switchboard follows redirects only within the origin it called "
			      "(at most 5), so credentials never go elsewhere. Check the "
			      "connection's base URL, or call that URL if it is meant.",
			      cname, resp->status, shown);
	struct call_result *r =
		call_result_error(msg, json_pack("{s:I, s:s}", "status", (json_int_t)resp->status,
						 "location", shown));
	free(msg);
	free(shown);
	free(where);
	return r;
}

struct call_result *result_unreadable(const struct connector *c, const struct http_response *resp,
				      const json_error_t *je)
{
	const char *cname = connector_name(c);
	const char *ctype = json_string_value(json_object_get(resp->headers, "content-type"));
	/* Half a JSON document is no answer: say so rather than pass
	 * on a cut string. Cut text is still text (truncated: true). */
	char *msg = NULL;
	if (resp->truncated && (!ctype || strstr(ctype, "json")))
		msg = xasprintf("%s's answer is larger than the %zu-byte limit, so none of it "
				"is returned. Ask for less: a smaller limit (page size) or "
				"narrower filters.",
				cname, resp->body_len);
	else if (ctype && strstr(ctype, "json"))
		msg = xasprintf("%s answered HTTP %ld with invalid JSON (%zu bytes, at byte "
				"%d: %s). The vendor's answer is broken; try again later.",
				cname, resp->status, resp->body_len, je->position, je->text);
	if (!msg)
		return NULL;
	json_t *d = json_pack("{s:i}", "status", (json_int_t)resp->status);
	if (resp->truncated)
		json_object_set_new(d, "size_limit_bytes",
				    json_integer((json_int_t)resp->body_len));
	struct call_result *r = call_result_error(msg, d);
	free(msg);
	return r;
}

/* The wait a throttled answer asks for, in ms, or -1 when body does not
 * carry one of rl's throttled codes (GraphQL errors[].extensions.code). */
static long long throttle_wait(const struct rate_limit_spec *rl, json_t *body)
{
	size_t i, k;
	json_t *e, *code;
	int throttled = 0;
	json_array_foreach(json_object_get(body, "errors"), i, e) {
		json_t *ec = json_object_get(json_object_get(e, "extensions"), "code");
		json_array_foreach(rl->throttled, k, code)
			throttled |= json_is_string(ec) && json_equal(ec, code);
	}
	if (!throttled)
		return -1;
	json_t *need = jsonx_pointer(body, rl->need);
	json_t *have = jsonx_pointer(body, rl->have);
	json_t *rate = jsonx_pointer(body, rl->restore);
	if (!json_is_number(need) || !json_is_number(have) || !json_is_number(rate) ||
	    json_number_value(rate) <= 0)
		return 1000;
	double ms = (json_number_value(need) - json_number_value(have)) * 1000.0 /
		    json_number_value(rate);
	/* Throttled with enough points available says nothing: a second. An
	 * hour at most (http.c waits far less; the advice stays sane). */
	if (!(ms > 0))
		return 1000;
	return ms > 3600000.0 ? 3600000 : (long long)ms + 1;
}

long long result_throttle_wait_ms(const struct rate_limit_spec *rl, const char *body, size_t len)
{
	size_t i;
	json_t *code;
	int seen = 0;
	/* Most answers are not throttled: look for a code before parsing. */
	json_array_foreach(rl->throttled, i, code)
		seen |= body && compat_memmem(body, len, json_string_value(code),
					      json_string_length(code)) != NULL;
	if (!seen)
		return -1;
	json_t *doc = json_loadb(body, len, 0, NULL);
	long long wait = throttle_wait(rl, doc);
	json_decref(doc);
	return wait;
}

struct call_result *result_answer_error(const struct connector *c, const struct connection *conn,
					const struct action_spec *action,
					const struct http_response *resp, json_t *body)
{
	const char *cname = connector_name(c);
	const struct errors_spec *errs = action->errors;
	json_t *ok = errs->ok_field ? jsonx_pointer(body, errs->ok_field) : NULL;
	if (ok && json_is_false(ok))
		return result_vendor_error(c, action, conn, resp, body);
	if (errs->records) {
		struct call_result *r = records_failed(c, body);
		if (r)
			return r;
	}
	if (errs->graphql && json_array_size(json_object_get(body, "errors"))) {
		json_t *first = json_array_get(json_object_get(body, "errors"), 0);
		/* Still throttled after the retries http.c may make: say how long. */
		long long wait = throttle_wait(action->rate_limit, body);
		long long secs = (wait + 999) / 1000;
		char *advice = wait >= 0 ? xasprintf(". Rate limited: wait %lld seconds before "
						     "calling again",
						     secs)
					 : NULL;
		char *msg = xasprintf("%s GraphQL error: %s%s", cname,
				      json_string_value(json_object_get(first, "message")),
				      advice ? advice : "");
		json_t *details = json_pack("{s:O}", "errors", json_object_get(body, "errors"));
		if (wait >= 0)
			json_object_set_new(details, "retry_after_s", json_integer(secs));
		struct call_result *r = call_result_error(msg, details);
		free(advice);
		free(msg);
		return r;
	}
	json_t *user_errors = action->user_errors ? jsonx_pointer(body, action->user_errors) : NULL;
	if (json_array_size(user_errors)) {
		struct buf b;
		buf_init(&b, 4096);
		size_t i;
		json_t *ue;
		json_array_foreach(user_errors, i, ue) {
			char *field = json_dumps(json_object_get(ue, "field"),
						 JSON_ENCODE_ANY | JSON_COMPACT);
			buf_addf(&b, "%s%s: %s", i ? "; " : "", field ? field : "null",
				 json_string_value(json_object_get(ue, "message")));
			free(field);
		}
		char *msg = xasprintf("%s refused the change: %s. Fix those fields and call again.",
				      cname, b.data ? b.data : "");
		struct call_result *r =
			call_result_error(msg, json_pack("{s:O}", "user_errors", user_errors));
		free(msg);
		buf_release(&b);
		return r;
	}
	return NULL;
}

void result_redact(json_t *data, json_t *keys)
{
	size_t i;
	const char *k;
	json_t *v, *key;
	if (!json_array_size(keys))
		return;
	if (json_is_array(data)) {
		json_array_foreach(data, i, v)
			result_redact(v, keys);
		return;
	}
	if (!json_is_object(data))
		return;
	json_object_foreach(data, k, v) {
		int secret = 0;
		json_array_foreach(keys, i, key)
			secret |= json_string_value(key) && strcmp(json_string_value(key), k) == 0;
		if (secret && !json_is_null(v))
			json_object_set_new(data, k, json_string("[redacted]"));
		else
			result_redact(v, keys);
	}
}
