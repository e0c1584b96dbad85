/* mcp_results.c - results:// resources for tool results too big to send
 * whole: the answer is kept in memory (bounded, expiring) and the call gets
 * its first part plus a resource_link. */
#include "mcp_results.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "util.h"

#define SCHEME "results://"

struct kept {
	char *uri;
	char *owner; /* the caller's subject; NULL: the local user */
	char *text;  /* the whole structuredContent as JSON */
	size_t len;
	long long expires_ms;
	struct kept *next; /* older */
};

struct results {
	struct kept *newest;
	unsigned long next_id;
};

struct results *results_new(void)
{
	return xcalloc(1, sizeof(struct results));
}

static void kept_free(struct kept *k)
{
	free(k->uri);
	free(k->owner);
	free(k->text);
	free(k);
}

void results_free(struct results *rs)
{
	if (!rs)
		return;
	while (rs->newest) {
		struct kept *k = rs->newest;
		rs->newest = k->next;
		kept_free(k);
	}
	free(rs);
}

/* Drop what has expired, then the oldest until room bytes more fit. */
static void prune(struct results *rs, size_t room)
{
	long long now = now_ms();
	struct kept **p = &rs->newest;
	size_t total = 0;
	while (*p) {
		struct kept *k = *p;
		if (k->expires_ms <= now || total + k->len + room > RESULTS_STORE_MAX) {
			*p = k->next;
			kept_free(k);
			continue;
		}
		total += k->len;
		p = &k->next;
	}
}

int results_is_uri(const char *uri)
{
	return uri && strncmp(uri, SCHEME, strlen(SCHEME)) == 0;
}

static size_t dumped_size(const json_t *v)
{
	char *s = jsonx_dumps(v);
	size_t n = strlen(s);
	free(s);
	return n;
}

/* The smaller answer: the first k of the n items and a link to the rest. */
static json_t *answer(json_t *sc, const char *tool, const struct kept *kp, size_t k, size_t n)
{
	json_t *data = json_object_get(sc, "data");
	json_t *part = json_deep_copy(sc);
	json_t *first = json_array();
	for (size_t i = 0; i < k; i++)
		json_array_append(first, json_array_get(data, i));
	json_object_set_new(part, "data", first);
	json_object_set_new(part, "shown_items", json_integer((json_int_t)k));
	json_object_set_new(part, "total_items", json_integer((json_int_t)n));
	json_object_set_new(part, "full_result", json_string(kp->uri));
	char *text = jsonx_dumps(part);
	char *note =
		xasprintf("The answer has %zu items (%zu bytes), too many to show here: these "
			  "are the first %zu. The whole answer is the resource %s (read it with "
			  "resources/read) for the next %d minutes; or ask for fewer items or "
			  "fields.",
			  n, kp->len, k, kp->uri, RESULTS_TTL_MS / 60000);
	json_t *out =
		json_pack("{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s, s:s, s:s, s:I}], s:o}",
			  "content", "type", "text", "text", text, "type", "text", "text", note,
			  "type", "resource_link", "uri", kp->uri, "name", tool, "mimeType",
			  "application/json", "description", "The whole answer of this call",
			  "size", (json_int_t)kp->len, "structuredContent", part);
	free(note);
	free(text);
	return out;
}

json_t *results_shrink(struct results *rs, const char *tool, json_t *result, const char *owner)
{
	json_t *sc = json_object_get(result, "structuredContent");
	json_t *data = json_object_get(sc, "data");
	if (json_is_true(json_object_get(result, "isError")) || !json_is_array(data))
		return NULL;
	/* A success's only text is structuredContent dumped (result_success):
	 * its length decides a small result without dumping it again. */
	json_t *content = json_object_get(result, "content");
	json_t *text = json_object_get(json_array_get(content, 0), "text");
	if (json_array_size(content) == 1 && json_is_string(text) &&
	    2 * json_string_length(text) <= RESULTS_INLINE_MAX)
		return NULL;
	char *whole = jsonx_dumps(sc);
	size_t len = strlen(whole);
	/* The text content repeats structuredContent, so the result is about
	 * twice the data: compare that. */
	if (2 * len <= RESULTS_INLINE_MAX || len > RESULTS_STORE_MAX) {
		free(whole);
		return NULL;
	}
	/* The first items whose JSON fits two fifths of the budget: the text
	 * repeats them (quotes escaped), and the rest of the answer needs room. */
	size_t n = json_array_size(data), used = 0, k = 0;
	for (; k < n; k++) {
		size_t one = dumped_size(json_array_get(data, k)) + 1;
		if (used + one > RESULTS_INLINE_MAX * 2 / 5)
			break;
		used += one;
	}
	prune(rs, len);
	struct kept *kp = xcalloc(1, sizeof(*kp));
	kp->uri = xasprintf(SCHEME "%s/%lu", tool, ++rs->next_id);
	kp->owner = owner ? xstrdup(owner) : NULL;
	kp->text = whole;
	kp->len = len;
	kp->expires_ms = now_ms() + RESULTS_TTL_MS;
	kp->next = rs->newest;
	rs->newest = kp;

	json_t *out = answer(sc, tool, kp, k, n);
	/* The text repeats the items with their quotes escaped: if that made it
	 * too big after all, show fewer. */
	while (k > 0 && dumped_size(out) > RESULTS_INLINE_MAX) {
		json_decref(out);
		k = k * 9 / 10;
		out = answer(sc, tool, kp, k, n);
	}
	return out;
}

json_t *results_read(struct results *rs, const char *uri, const char *owner)
{
	prune(rs, 0);
	for (struct kept *k = rs->newest; uri && k; k = k->next)
		if (strcmp(k->uri, uri) == 0 &&
		    (k->owner && owner ? strcmp(k->owner, owner) == 0 : k->owner == owner))
			return json_pack("{s:[{s:s, s:s, s:s}]}", "contents", "uri", k->uri,
					 "mimeType", "application/json", "text", k->text);
	return NULL;
}
