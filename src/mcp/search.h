/* search.h - ranked text retrieval for tool discovery: BM25 over weighted
 * fields, with light stemming, stop words, synonyms given as data, typo
 * tolerance and a boost for documents whose key phrases (a connector's or
 * an entity's name) the query names. Knows nothing about tools: the caller
 * adds documents as text in fields, then queries. */
#ifndef SB_SEARCH_H
#define SB_SEARCH_H

#include <stddef.h>

/* Fields, strongest first. A "key" field also boosts a document when the
 * query holds every word of one of its texts (the query names it). */
enum search_field {
	SEARCH_ACTION,    /* the action's name and aliases (key): the verb matters */
	SEARCH_ENTITY,    /* entity name and aliases (key) */
	SEARCH_CONNECTOR, /* connector slug, name and aliases (key) */
	SEARCH_TITLE,
	SEARCH_TEXT,      /* description and notes */
	SEARCH_OPERATION, /* the vendor's own operation name and path */
	SEARCH_CONTEXT,   /* entity description, connector category */
	SEARCH_FIELDS,    /* parameter and field names */
	SEARCH_NFIELDS
};

struct search_index;

struct search_index *search_index_new(void);
void search_index_free(struct search_index *ix); /* accepts NULL */

/* A query word also stands for these words, at a lower weight:
 * search_add_synonym(ix, "pr", "pull request"). Matched by stem, so
 * "quote" covers "quotes" too; a second call for a word adds words. */
void search_add_synonym(struct search_index *ix, const char *word, const char *expansion);

/* Documents are numbered from 0 in the order they are added. */
size_t search_add_doc(struct search_index *ix);
/* Add text to a field of doc (any number of times). */
void search_add_text(struct search_index *ix, size_t doc, enum search_field f, const char *text);
/* Compute statistics; call once after the last document, before queries. */
void search_finish(struct search_index *ix);

/* Rank the documents for query, where keep(doc, ctx) is nonzero (keep may be
 * NULL). Writes up to k document numbers to out, best first, ties in
 * document order; returns how many. A query with no usable word finds
 * nothing. */
size_t search_query(const struct search_index *ix, const char *query,
		    int (*keep)(size_t doc, void *ctx), void *ctx, size_t *out /* OUT */, size_t k);

/* The stem of one lowercase word, as the index stores it (for tests):
 * "refunds", "refunding" and "refunded" all give "refund". New string. */
char *search_stem(const char *word);

#endif
