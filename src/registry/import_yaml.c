/* import_yaml.c - YAML specs (OpenAPI files are often YAML) read into
 * jansson values through libyaml's document API, and the spec loader. */
#include "import.h"

#include <errno.h>
#include <string.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 128

static json_t *scalar(yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, len);
	if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return json_false();
	/* A number only when the whole text is one, as YAML 1.2's core schema says. */
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	size_t digits = strspn(p, "0123456789");
	if (digits > 0 && p[digits] == '\0' && digits < 18 && !(digits > 1 && *p == '0')) {
		long v;
		if (parse_long(s[0] == '+' ? s + 1 : s, &v) == 0)
			return json_integer(v);
	}
	if (digits > 0 && (p[digits] == '.' || p[digits] == 'e' || p[digits] == 'E')) {
		json_error_t je;
		json_t *num = json_loadb(s, len, JSON_DECODE_ANY, &je);
		if (json_is_real(num) || json_is_integer(num))
			return num;
		json_decref(num);
	}
	return json_stringn(s, len);
}

static json_t *convert(yaml_document_t *doc, yaml_node_t *n, int depth, struct err *err)
{
	if (!n)
		return json_null();
	if (depth > YAML_MAX_DEPTH) {
		err_set(err, "yaml nested deeper than %d levels", YAML_MAX_DEPTH);
		return NULL;
	}
	if (n->type == YAML_SCALAR_NODE)
		return scalar(n);
	if (n->type == YAML_SEQUENCE_NODE) {
		json_t *a = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			json_t *v = convert(doc, yaml_document_get_node(doc, *it), depth + 1, err);
			if (!v) {
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, v);
		}
		return a;
	}
	json_t *o = json_object();
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		json_t *v = convert(doc, yaml_document_get_node(doc, pr->value), depth + 1, err);
		if (!v) {
			json_decref(o);
			return NULL;
		}
		if (k && k->type == YAML_SCALAR_NODE) {
			char *key =
				xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
			json_object_set_new(o, key, v);
			free(key);
		} else {
			json_decref(v);
		}
	}
	return o;
}

json_t *import_yaml_parse(const char *text, size_t len, struct err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		err_set(err, "cannot start the yaml parser");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err_set(err, "yaml line %zu: %s", parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "cannot parse");
		yaml_parser_delete(&parser);
		return NULL;
	}
	out = convert(&doc, yaml_document_get_root_node(&doc), 0, err);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

json_t *import_parse(const char *text, size_t len, enum import_syntax syntax, struct err *err)
{
	const char *p = text, *end = text + len;
	while (p < end && strchr(" \t\r\n", *p))
		p++;
	if (syntax == IMPORT_SNIFF)
		syntax = p < end && *p == '{' ? IMPORT_JSON : IMPORT_YAML;
	json_t *doc = NULL;
	if (syntax == IMPORT_JSON) {
		json_error_t je;
		doc = json_loadb(text, len, 0, &je);
		if (!doc)
			err_set(err, "json line %d column %d: %s", je.line, je.column, je.text);
	} else {
		doc = import_yaml_parse(text, len, err);
	}
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		err_set(err, "not a spec (the top level is not an object)");
	}
	return doc;
}

json_t *import_load(const char *path, struct err *err)
{
	size_t len = 0;
	char *text = read_file(path, IMPORT_SPEC_MAX, &len, err);
	if (!text)
		return NULL;
	json_t *doc = import_parse(text, len, IMPORT_SNIFF, err);
	free(text);
	return doc;
}
