/* cli_import.c - switchboard connectors import SPEC: a connector file from
 * an OpenAPI/Swagger spec or a Postman collection, with a report on stderr. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "import.h"
#include "urlenc.h"

#define FETCH_TIMEOUT_MS 60000
#define FETCH_MAX_HOPS 5 /* redirects to another host; http.c follows same-origin ones */

static void usage(void)
{
	fprintf(stderr, "usage: switchboard connectors import SPEC|URL [--slug S] [--only TAGS] "
			"[--exclude GLOB] [--out FILE] [--merge EXISTING.json] [--cacert FILE]\n");
}

/* "a,b" -> {"a", "b", NULL}; free with strv_free. */
static char **strv_split(const char *s)
{
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	char **v = xcalloc(n, sizeof(*v));
	size_t i = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		if (len)
			v[i++] = xstrndup(s, len);
		s += len;
		if (*s)
			s++;
	}
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int write_out(const char *path, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int ret = -1;
	if (!path) {
		cli_print("%s\n", text);
		ret = 0;
	} else {
		FILE *f = fopen(path, "w");
		if (!f) {
			fprintf(stderr, "switchboard: cannot write '%s': %s\n", path,
				strerror(errno));
		} else {
			int bad = fputs(text, f) < 0 || fputc('\n', f) < 0;
			bad |= fclose(f) != 0;
			if (bad)
				fprintf(stderr, "switchboard: cannot write '%s'\n", path);
			else
				ret = 0;
		}
	}
	free(text);
	return ret;
}

/* url without userinfo, query and fragment, for messages (a link to a
 * private spec may carry a token). New. */
static char *url_shown(const char *url)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	const char *at = host + strcspn(host, "@/?#");
	if (*at == '@')
		host = at + 1;
	size_t scheme = (size_t)(strstr(url, "://") ? strstr(url, "://") + 3 - url : 0);
	return xasprintf("%.*s%.*s", (int)scheme, url, (int)strcspn(host, "?#"), host);
}

/* Where a Location header leads from url: itself when absolute, else
 * joined to url's origin ("/path"). New, or NULL for other relative forms
 * (http.c follows those itself: they stay on the origin). */
static char *url_next(const char *url, const char *location)
{
	if (strncmp(location, "https://", 8) == 0 || strncmp(location, "http://", 7) == 0)
		return xstrdup(location);
	const char *host = strstr(url, "://");
	if (location[0] != '/' || location[1] == '/' || !host)
		return NULL;
	size_t origin = (size_t)(host + 3 - url) + strcspn(host + 3, "/?#");
	return xasprintf("%.*s%s", (int)origin, url, location);
}

/* GET a spec: https, or plain http to this machine only (the rule for
 * credentials, though none are sent: a spec decides which requests tools
 * make, so it is not taken from a network that can alter it). At most
 * IMPORT_SPEC_MAX bytes, FETCH_TIMEOUT_MS, FETCH_MAX_HOPS redirects to other
 * hosts, each held to the same rule. The syntax comes from the
 * Content-Type, else from the text. cacert (may be NULL) is a private CA's
 * certificates, trusted instead of the system's. Returns a new reference or
 * NULL with err. */
static json_t *fetch_spec(const char *url, const char *cacert, struct err *err)
{
	static const char *const headers[] = {
		"Accept: application/json, application/yaml, text/yaml, */*;q=0.5", NULL};
	struct http_client *hc = http_new(err);
	char *at = xstrdup(url);
	json_t *doc = NULL;
	if (!hc || (cacert && http_set_ca_file(hc, cacert, err) < 0))
		goto out;
	for (int hop = 0;; hop++) {
		char *shown = url_shown(at);
		if (!urlenc_allows_credentials(at)) {
			err_set(err,
				"refusing to fetch %s: a spec comes over https (plain http only "
				"from this machine)",
				hop ? shown : "it");
			free(shown);
			goto out;
		}
		struct http_request req = {.method = "GET",
					   .url = at,
					   .headers = headers,
					   .timeout_ms = FETCH_TIMEOUT_MS,
					   .max_body = IMPORT_SPEC_MAX,
					   .idempotent = 1};
		struct http_response resp = {0};
		struct err e;
		err_init(&e);
		int got = http_perform(hc, &req, &resp, &e);
		const char *loc = json_string_value(json_object_get(resp.headers, "location"));
		const char *ctype =
			json_string_value(json_object_get(resp.headers, "content-type"));
		char *next = got == 0 && resp.status / 100 == 3 && loc ? url_next(at, loc) : NULL;
		/* The URL is named once it is not the one given (a redirect's). */
		const char *via = hop ? " at " : "";
		if (got < 0 && resp.error == HTTP_ETLS && !cacert)
			err_set(err,
				"cannot fetch%s%s: %s (a server with a private CA: --cacert FILE, "
				"or "
				"SSL_CERT_FILE)",
				via, hop ? shown : "", e.msg);
		else if (got < 0)
			err_set(err, "cannot fetch%s%s: %s", via, hop ? shown : "", e.msg);
		else if (next && hop + 1 >= FETCH_MAX_HOPS)
			err_set(err, "more than %d redirects", FETCH_MAX_HOPS);
		else if (!next && resp.status != 200)
			err_set(err, "HTTP %ld%s%s", resp.status, via, hop ? shown : "");
		else if (!next && resp.truncated)
			err_set(err, "the spec%s%s is larger than %u MiB", via, hop ? shown : "",
				IMPORT_SPEC_MAX >> 20);
		else if (!next) {
			enum import_syntax syn =
				ctype && strstr(ctype, "json") ? IMPORT_JSON
				: ctype && (strstr(ctype, "yaml") || strstr(ctype, "yml"))
					? IMPORT_YAML
					: IMPORT_SNIFF;
			doc = import_parse(resp.body ? resp.body : "", resp.body_len, syn, err);
			if (doc)
				fprintf(stderr, "fetched %s (%zu bytes%s%s)\n", shown,
					resp.body_len, ctype ? ", " : "", ctype ? ctype : "");
		}
		http_response_release(&resp);
		free(shown);
		if (!next || err_is_set(err)) {
			free(next);
			break;
		}
		free(at);
		at = next;
	}
out:
	free(at);
	http_free(hc);
	return doc;
}

int cli_import(struct cli *cli, int argc, char **argv)
{
	const char *spec_path = NULL, *out = NULL, *merge = NULL, *only = NULL, *cacert = NULL;
	struct import_opts o = {.exclude = cli->filter.exclude};
	int dump = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--slug") == 0 && more)
			o.slug = argv[++i];
		else if (strcmp(a, "--only") == 0 && more)
			only = argv[++i];
		else if (strcmp(a, "--out") == 0 && more)
			out = argv[++i];
		else if (strcmp(a, "--merge") == 0 && more)
			merge = argv[++i];
		else if (strcmp(a, "--cacert") == 0 && more)
			cacert = argv[++i];
		else if (strcmp(a, "--dump-spec") == 0)
			dump = 1;
		else if (a[0] != '-' && !spec_path)
			spec_path = a;
		else {
			usage();
			return 2;
		}
	}
	if (!spec_path) {
		usage();
		return 2;
	}
	if (o.slug && (strlen(o.slug) > 20 || o.slug[0] < 'a' || o.slug[0] > 'z' ||
		       strspn(o.slug, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(o.slug))) {
		fprintf(stderr,
			"switchboard: --slug takes lowercase letters and digits (at most 20)\n");
		return 2;
	}
	int ret = 1;
	struct err e;
	err_init(&e);
	int remote =
		strncmp(spec_path, "http://", 7) == 0 || strncmp(spec_path, "https://", 8) == 0;
	char *shown = remote ? url_shown(spec_path) : xstrdup(spec_path);
	json_t *spec = remote ? fetch_spec(spec_path, cacert, &e) : import_load(spec_path, &e);
	json_t *conn = NULL, *existing = NULL;
	json_t *report = json_array();
	if (!spec)
		goto fail;
	if (json_object_get(spec, "item") && json_object_get(spec, "info") &&
	    !json_object_get(spec, "paths")) {
		json_t *conv = import_postman(spec, &e);
		json_decref(spec);
		spec = conv;
		if (!spec)
			goto fail;
	}
	if (dump) {
		ret = write_out(out, spec) < 0 ? 1 : 0;
		goto done;
	}
	if (only)
		o.only = strv_split(only);
	conn = import_connector(spec, &o, report, &e);
	if (!conn)
		goto fail;
	size_t total = import_count_operations(spec), made = 0;
	const char *en;
	json_t *ent;
	json_object_foreach(json_object_get(conn, "entities"), en, ent)
		made += json_object_size(json_object_get(ent, "actions"));
	size_t i;
	json_t *line;
	json_array_foreach(report, i, line)
		fprintf(stderr, "skipped: %s\n", json_string_value(line));
	fprintf(stderr, "imported %zu of %zu operations (%.1f%%) into %zu entities\n", made, total,
		total ? 100.0 * (double)made / (double)total : 0.0,
		json_object_size(json_object_get(conn, "entities")));
	if (merge) {
		existing = import_load(merge, &e);
		if (!existing)
			goto fail;
		size_t added = import_merge(existing, conn);
		fprintf(stderr, "merged: %zu operations added to %s\n", added, merge);
		ret = write_out(out, existing) < 0 ? 1 : 0;
	} else {
		ret = write_out(out, conn) < 0 ? 1 : 0;
	}
	goto done;
fail:
	fprintf(stderr, "switchboard: %s: %s\n", shown, e.msg);
done:
	free(shown);
	strv_free(o.only);
	json_decref(report);
	json_decref(existing);
	json_decref(conn);
	json_decref(spec);
	return ret;
}
