/* search.c - BM25 over weighted fields for tool discovery. Built once, then
 * each query touches only the postings of its own words, so it stays fast
 * at thousands of documents. */
#include "search.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BM25_K1 1.2f
#define BM25_B 0.4f
#define SYNONYM_WEIGHT 0.6f /* a word the query implies, not one it says */
#define TYPO_WEIGHT 0.7f
#define MAX_WORD 48 /* longer words are cut; nobody types them */
#define MAX_QUERY_WORDS 64

/* Per field: how much one occurrence counts, and the boost a document gets
 * when the query names one of the field's texts in full. */
static const struct {
	float weight, boost;
} fields[SEARCH_NFIELDS] = {
	[SEARCH_ACTION] = {3.0f, 1.6f},    [SEARCH_ENTITY] = {2.0f, 1.5f},
	[SEARCH_CONNECTOR] = {1.5f, 2.5f}, [SEARCH_TITLE] = {1.5f, 1.0f},
	[SEARCH_TEXT] = {1.0f, 1.0f},      [SEARCH_OPERATION] = {1.0f, 1.0f},
	[SEARCH_CONTEXT] = {0.4f, 1.0f},   [SEARCH_FIELDS] = {0.2f, 1.0f},
};

/* Words that carry no meaning in a request, sorted (for bsearch). Verbs
 * and question words that say what to do ("find", "which", "new") are not
 * here: they matter. */
static const char *stop_words[] = {
	"a",    "about", "after", "all",  "also", "am",    "an",   "and",    "any",   "are",
	"as",   "at",    "be",    "been", "but",  "by",    "can",  "could",  "did",   "do",
	"does", "for",   "from",  "had",  "has",  "have",  "he",   "her",    "his",   "how",
	"i",    "if",    "in",    "into", "is",   "it",    "its",  "just",   "let",   "me",
	"my",   "no",    "not",   "of",   "on",   "or",    "our",  "please", "she",   "should",
	"so",   "some",  "than",  "that", "the",  "their", "them", "then",   "there", "these",
	"they", "this",  "those", "to",   "up",   "us",    "via",  "was",    "we",    "were",
	"will", "with",  "would", "you",  "your"};

struct posting {
	uint32_t doc;
	float tf; /* weighted: the sum of the field weights of each occurrence */
};

struct term {
	char *s;
	size_t len;
	struct posting *p;
	size_t n, alloc;
};

/* Open-addressing map from a string to an index (+1; 0 is empty). */
struct strmap {
	uint32_t *slot;
	size_t cap, n;
};

struct phrase {
	uint32_t *terms;
	size_t n;
	enum search_field field;
	size_t ndocs; /* documents that have it */
	float boost;  /* when named; set by search_finish */
};

struct doc {
	float len;
	uint32_t *phrases;
	size_t nphrases;
};

struct synonym {
	char *word;
	char *expansion;
};

struct search_index {
	struct term *terms;
	size_t nterms, aterms;
	struct strmap term_map;
	struct phrase *phrases;
	size_t nphrases, aphrases;
	char **phrase_keys; /* parallel to phrases, for phrase_map */
	struct strmap phrase_map;
	struct synonym *syns;
	size_t nsyns, asyns;
	struct strmap syn_map;
	struct doc *docs;
	size_t ndocs, adocs;
	float avglen;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Find s; key_at(i) gives the string of index i. Returns the slot. */
static size_t map_slot(const struct strmap *m, const char *s,
		       const char *(*key_at)(const void *, size_t), const void *ctx)
{
	size_t i = hash_str(s) & (m->cap - 1);
	while (m->slot[i] && strcmp(key_at(ctx, m->slot[i] - 1), s) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static long map_get(const struct strmap *m, const char *s,
		    const char *(*key_at)(const void *, size_t), const void *ctx)
{
	if (!m->cap)
		return -1;
	size_t i = map_slot(m, s, key_at, ctx);
	return m->slot[i] ? (long)m->slot[i] - 1 : -1;
}

static void map_put(struct strmap *m, const char *s, size_t idx,
		    const char *(*key_at)(const void *, size_t), const void *ctx)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct strmap bigger = {0};
		bigger.cap = m->cap ? m->cap * 2 : 64;
		bigger.slot = xcalloc(bigger.cap, sizeof(*bigger.slot));
		for (size_t i = 0; i < m->cap; i++)
			if (m->slot[i])
				bigger.slot[map_slot(&bigger, key_at(ctx, m->slot[i] - 1), key_at,
						     ctx)] = m->slot[i];
		bigger.n = m->n;
		free(m->slot);
		*m = bigger;
	}
	m->slot[map_slot(m, s, key_at, ctx)] = (uint32_t)idx + 1;
	m->n++;
}

static const char *term_key(const void *ctx, size_t i)
{
	return ((const struct search_index *)ctx)->terms[i].s;
}

static const char *phrase_key(const void *ctx, size_t i)
{
	return ((const struct search_index *)ctx)->phrase_keys[i];
}

static const char *syn_key(const void *ctx, size_t i)
{
	return ((const struct search_index *)ctx)->syns[i].word;
}

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int is_stop_word(const char *w)
{
	return bsearch(w, stop_words, sizeof(stop_words) / sizeof(*stop_words), sizeof(*stop_words),
		       cmp_word) != NULL;
}

static int vowel(char c)
{
	return strchr("aeiou", c) != NULL;
}

/* The stem of word (at most MAX_WORD bytes) into w. */
static void stem_into(const char *word, char w[MAX_WORD + 1])
{
	size_t n = strlen(word);
	if (n > MAX_WORD)
		n = MAX_WORD;
	memcpy(w, word, n);
	w[n] = '\0';
	if (n <= 3)
		return;
	/* Plurals: companies -> company, boxes -> box, refunds -> refund. */
	if (n > 4 && strcmp(w + n - 3, "ies") == 0) {
		w[n - 3] = 'y';
		n -= 2;
	} else if (n > 4 && (strcmp(w + n - 4, "sses") == 0 || strcmp(w + n - 4, "ches") == 0 ||
			     strcmp(w + n - 4, "shes") == 0 || strcmp(w + n - 3, "xes") == 0 ||
			     strcmp(w + n - 3, "ses") == 0)) {
		n -= 2;
	} else if (w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i') {
		n -= 1;
	}
	w[n] = '\0';
	/* -ing and -ed, when a vowel is left: refunding, shipped -> ship. */
	size_t cut = 0;
	if (n > 5 && strcmp(w + n - 3, "ing") == 0)
		cut = 3;
	else if (n > 4 && strcmp(w + n - 2, "ed") == 0)
		cut = 2;
	if (cut) {
		int has_vowel = 0;
		for (size_t i = 0; i < n - cut; i++)
			has_vowel |= vowel(w[i]);
		if (has_vowel) {
			n -= cut;
			if (n > 2 && w[n - 1] == w[n - 2] && !vowel(w[n - 1]) &&
			    !strchr("lsz", w[n - 1]))
				n--;
			w[n] = '\0';
		}
	}
	/* A final e: create, created and creating meet at "creat". */
	if (n > 3 && w[n - 1] == 'e')
		w[--n] = '\0';
}

char *search_stem(const char *word)
{
	char w[MAX_WORD + 1];
	stem_into(word, w);
	return xstrdup(w);
}

/* Split text into lowercase words: at anything not a letter or digit, and
 * at camelCase humps (postMessage -> post message). Pure numbers, single
 * letters and stop words are dropped. Calls fn(word, ctx) for each. */
static void words_each(const char *text, void (*fn)(const char *word, void *ctx), void *ctx)
{
	char w[MAX_WORD + 1];
	size_t n = 0;
	int digits = 1;
	for (const char *p = text;; p++) {
		unsigned char c = (unsigned char)*p;
		int alnum = c && (isalnum(c) || c >= 0x80);
		int hump = alnum && n > 0 && isupper(c) && islower((unsigned char)p[-1]);
		if ((!alnum || hump) && n > 0) {
			w[n] = '\0';
			if (!digits && n > 1 && !is_stop_word(w))
				fn(w, ctx);
			n = 0;
			digits = 1;
		}
		if (!c)
			break;
		if (!alnum)
			continue;
		if (n < MAX_WORD)
			w[n++] = (char)tolower(c);
		digits &= isdigit(c) != 0;
	}
}

struct search_index *search_index_new(void)
{
	return xcalloc(1, sizeof(struct search_index));
}

void search_index_free(struct search_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nterms; i++) {
		free(ix->terms[i].s);
		free(ix->terms[i].p);
	}
	for (size_t i = 0; i < ix->nphrases; i++) {
		free(ix->phrases[i].terms);
		free(ix->phrase_keys[i]);
	}
	for (size_t i = 0; i < ix->nsyns; i++) {
		free(ix->syns[i].word);
		free(ix->syns[i].expansion);
	}
	for (size_t i = 0; i < ix->ndocs; i++)
		free(ix->docs[i].phrases);
	free(ix->terms);
	free(ix->term_map.slot);
	free(ix->phrases);
	free(ix->phrase_keys);
	free(ix->phrase_map.slot);
	free(ix->syns);
	free(ix->syn_map.slot);
	free(ix->docs);
	free(ix);
}

static void grow(void **arr, size_t *alloc, size_t need, size_t size)
{
	if (need <= *alloc)
		return;
	*alloc = *alloc ? *alloc * 2 : 16;
	if (*alloc < need)
		*alloc = need;
	*arr = xrealloc(*arr, *alloc * size);
}

/* The id of a stemmed word, added when new. */
static uint32_t term_intern(struct search_index *ix, const char *stem)
{
	long id = map_get(&ix->term_map, stem, term_key, ix);
	if (id >= 0)
		return (uint32_t)id;
	grow((void **)&ix->terms, &ix->aterms, ix->nterms + 1, sizeof(*ix->terms));
	struct term *t = &ix->terms[ix->nterms];
	memset(t, 0, sizeof(*t));
	t->s = xstrdup(stem);
	t->len = strlen(stem);
	map_put(&ix->term_map, stem, ix->nterms, term_key, ix);
	return (uint32_t)ix->nterms++;
}

void search_add_synonym(struct search_index *ix, const char *word, const char *expansion)
{
	/* Keyed by stem, so "quote" also stands for "quotes" and "quoted". */
	char lower[MAX_WORD + 1], stem[MAX_WORD + 1];
	size_t n = 0;
	for (; n < MAX_WORD && word[n]; n++)
		lower[n] = (char)tolower((unsigned char)word[n]);
	lower[n] = '\0';
	stem_into(lower, stem);
	char *w = xstrdup(stem);
	long i = map_get(&ix->syn_map, w, syn_key, ix);
	if (i >= 0) { /* a second expansion of the same word adds to the first */
		char *both = xasprintf("%s %s", ix->syns[i].expansion, expansion);
		free(ix->syns[i].expansion);
		ix->syns[i].expansion = both;
		free(w);
		return;
	}
	grow((void **)&ix->syns, &ix->asyns, ix->nsyns + 1, sizeof(*ix->syns));
	ix->syns[ix->nsyns].word = w;
	ix->syns[ix->nsyns].expansion = xstrdup(expansion);
	map_put(&ix->syn_map, w, ix->nsyns, syn_key, ix);
	ix->nsyns++;
}

size_t search_add_doc(struct search_index *ix)
{
	grow((void **)&ix->docs, &ix->adocs, ix->ndocs + 1, sizeof(*ix->docs));
	memset(&ix->docs[ix->ndocs], 0, sizeof(*ix->docs));
	return ix->ndocs++;
}

struct adding {
	struct search_index *ix;
	size_t doc;
	float weight;
	uint32_t ids[MAX_QUERY_WORDS];
	size_t nids;
};

static void add_word(const char *word, void *ctx)
{
	struct adding *a = ctx;
	char stem[MAX_WORD + 1];
	stem_into(word, stem);
	uint32_t id = term_intern(a->ix, stem);
	struct term *t = &a->ix->terms[id];
	/* Documents are filled in order, so this doc's posting is the last. */
	if (t->n && t->p[t->n - 1].doc == a->doc) {
		t->p[t->n - 1].tf += a->weight;
	} else {
		grow((void **)&t->p, &t->alloc, t->n + 1, sizeof(*t->p));
		t->p[t->n++] = (struct posting){(uint32_t)a->doc, a->weight};
	}
	a->ix->docs[a->doc].len += a->weight;
	if (a->nids < MAX_QUERY_WORDS)
		a->ids[a->nids++] = id;
}

/* Register the words of a key text as a phrase of doc. */
static void add_phrase(struct search_index *ix, size_t doc, const uint32_t *ids, size_t n,
		       enum search_field f)
{
	struct buf key;
	buf_init(&key, 0);
	buf_addf(&key, "%d", (int)f);
	for (size_t i = 0; i < n; i++)
		buf_addf(&key, " %u", ids[i]);
	long id = map_get(&ix->phrase_map, key.data, phrase_key, ix);
	if (id < 0) {
		grow((void **)&ix->phrases, &ix->aphrases, ix->nphrases + 1, sizeof(*ix->phrases));
		ix->phrase_keys =
			xrealloc(ix->phrase_keys, ix->aphrases * sizeof(*ix->phrase_keys));
		struct phrase *p = &ix->phrases[ix->nphrases];
		p->terms = xmalloc(n * sizeof(*p->terms));
		memcpy(p->terms, ids, n * sizeof(*ids));
		p->n = n;
		p->field = f;
		p->ndocs = 0;
		p->boost = fields[f].boost;
		ix->phrase_keys[ix->nphrases] = buf_detach(&key);
		map_put(&ix->phrase_map, ix->phrase_keys[ix->nphrases], ix->nphrases, phrase_key,
			ix);
		id = (long)ix->nphrases++;
	} else {
		buf_release(&key);
	}
	struct doc *d = &ix->docs[doc];
	for (size_t i = 0; i < d->nphrases; i++)
		if (d->phrases[i] == (uint32_t)id)
			return;
	d->phrases = xrealloc(d->phrases, (d->nphrases + 1) * sizeof(*d->phrases));
	d->phrases[d->nphrases++] = (uint32_t)id;
	ix->phrases[id].ndocs++;
}

void search_add_text(struct search_index *ix, size_t doc, enum search_field f, const char *text)
{
	assert(doc + 1 == ix->ndocs); /* text goes to the newest document */
	if (!text)
		return;
	struct adding a = {ix, doc, fields[f].weight, {0}, 0};
	words_each(text, add_word, &a);
	if (fields[f].boost > 1.0f && a.nids)
		add_phrase(ix, doc, a.ids, a.nids, f);
}

void search_finish(struct search_index *ix)
{
	double total = 0;
	for (size_t i = 0; i < ix->ndocs; i++)
		total += ix->docs[i].len;
	ix->avglen = ix->ndocs ? (float)(total / (double)ix->ndocs) : 1.0f;
	if (ix->avglen <= 0)
		ix->avglen = 1.0f;
	/* A connector named by a word many other tools use too ("email": a
	 * field of half the registry) says less than one named by its own
	 * word ("stripe"): scale its boost by how much the word is its own. */
	for (size_t i = 0; i < ix->nphrases; i++) {
		struct phrase *p = &ix->phrases[i];
		if (p->field != SEARCH_CONNECTOR)
			continue;
		float own = 0;
		for (size_t j = 0; j < p->n; j++) {
			float f = (float)p->ndocs / (float)ix->terms[p->terms[j]].n;
			if (f > own)
				own = f;
		}
		p->boost = 1.0f + (fields[SEARCH_CONNECTOR].boost - 1.0f) * (own > 1 ? 1 : own);
	}
}

static size_t letter_slot(char c)
{
	if (c >= 'a' && c <= 'z')
		return (size_t)(c - 'a');
	if (c >= '0' && c <= '9')
		return 26 + (size_t)(c - '0');
	return 36;
}

/* At most max edits (insert, delete, substitute, swap) between a and b
 * (of lengths la and lb)? Cheap tests first: the lengths, then how many
 * letters one has that the other lacks, which no fewer edits can fix. */
static int near(const char *a, size_t la, const char *b, size_t lb, int max)
{
	if (la > MAX_WORD || lb > MAX_WORD || (la > lb ? la - lb : lb - la) > (size_t)max)
		return 0;
	int count[37] = {0}, more = 0, fewer = 0; /* a-z, 0-9, anything else */
	for (size_t i = 0; i < la; i++)
		count[letter_slot(a[i])]++;
	for (size_t i = 0; i < lb; i++)
		count[letter_slot(b[i])]--;
	for (size_t i = 0; i < 37; i++) {
		if (count[i] > 0)
			more += count[i];
		else
			fewer -= count[i];
	}
	if ((more > fewer ? more : fewer) > max)
		return 0;
	int d[MAX_WORD + 1][MAX_WORD + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int row_min = max + 1;
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > max)
			return 0;
	}
	return d[la][lb] <= max;
}

/* The query's terms: term id, weight, and group: a word of the query with
 * its synonyms and near misses is one group, which scores its best match
 * only, so a word with many synonyms does not count several times. */
struct qterms {
	const struct search_index *ix;
	uint32_t id[MAX_QUERY_WORDS];
	float w[MAX_QUERY_WORDS];
	unsigned group[MAX_QUERY_WORDS];
	size_t n;
	unsigned ngroups;
	float weight; /* for the word being added */
	int expand;   /* look the word up among the synonyms */
};

static void q_add_id(struct qterms *q, uint32_t id, float w)
{
	unsigned g = q->ngroups - 1;
	for (size_t i = 0; i < q->n; i++) {
		if (q->id[i] == id && q->group[i] == g) {
			if (w > q->w[i])
				q->w[i] = w;
			return;
		}
	}
	if (q->n < MAX_QUERY_WORDS) {
		q->id[q->n] = id;
		q->w[q->n] = w;
		q->group[q->n++] = g;
	}
}

static void q_word(const char *word, void *ctx);

static void q_expand(struct qterms *q, const char *key)
{
	long s = map_get(&q->ix->syn_map, key, syn_key, q->ix);
	if (s < 0)
		return;
	float saved = q->weight;
	q->weight = saved * SYNONYM_WEIGHT;
	q->expand = 0; /* one level: a synonym's synonyms are not the query's */
	words_each(q->ix->syns[s].expansion, q_word, q);
	q->expand = 1;
	q->weight = saved;
}

static void q_word(const char *word, void *ctx)
{
	struct qterms *q = ctx;
	const struct search_index *ix = q->ix;
	if (q->expand) /* a word of the query itself starts a group */
		q->ngroups++;
	char stem[MAX_WORD + 1];
	stem_into(word, stem);
	long id = map_get(&ix->term_map, stem, term_key, ix);
	if (id >= 0) {
		q_add_id(q, (uint32_t)id, q->weight);
	} else if (q->expand && strlen(stem) >= 4) {
		/* Not a word of any tool: maybe the user's typo of one. */
		size_t len = strlen(stem);
		int max = len >= 8 ? 2 : 1;
		for (size_t i = 0; i < ix->nterms; i++)
			if (near(stem, len, ix->terms[i].s, ix->terms[i].len, max))
				q_add_id(q, (uint32_t)i, q->weight * TYPO_WEIGHT);
	}
	if (q->expand)
		q_expand(q, stem);
}

static int phrase_named(const struct phrase *p, const struct qterms *q)
{
	for (size_t i = 0; i < p->n; i++) {
		size_t j = 0;
		while (j < q->n && q->id[j] != p->terms[i])
			j++;
		if (j == q->n)
			return 0;
	}
	return 1;
}

size_t search_query(const struct search_index *ix, const char *query,
		    int (*keep)(size_t doc, void *ctx), void *ctx, size_t *out, size_t k)
{
	struct qterms q = {.ix = ix, .weight = 1.0f, .expand = 1};
	if (!query || !ix->ndocs || !k)
		return 0;
	words_each(query, q_word, &q);
	if (!q.n)
		return 0;

	float *score = xcalloc(ix->ndocs, sizeof(*score));
	float *best = xcalloc(ix->ndocs, sizeof(*best)); /* of the current group */
	for (unsigned g = 0; g < q.ngroups; g++) {
		for (int pass = 0; pass < 2; pass++) {
			for (size_t i = 0; i < q.n; i++) {
				if (q.group[i] != g)
					continue;
				const struct term *t = &ix->terms[q.id[i]];
				float idf = logf(1.0f + ((float)ix->ndocs - (float)t->n + 0.5f) /
								((float)t->n + 0.5f));
				for (size_t j = 0; j < t->n; j++) {
					const struct posting *p = &t->p[j];
					if (pass) { /* add the group's best, once per document */
						score[p->doc] += best[p->doc];
						best[p->doc] = 0;
						continue;
					}
					float norm = 1.0f - BM25_B +
						     BM25_B * ix->docs[p->doc].len / ix->avglen;
					float v = q.w[i] * idf * p->tf * (BM25_K1 + 1.0f) /
						  (p->tf + BM25_K1 * norm);
					if (v > best[p->doc])
						best[p->doc] = v;
				}
			}
		}
	}
	free(best);
	/* Which key phrases does the query name? */
	unsigned char *named = xcalloc(ix->nphrases ? ix->nphrases : 1, 1);
	for (size_t i = 0; i < ix->nphrases; i++)
		named[i] = (unsigned char)phrase_named(&ix->phrases[i], &q);
	size_t n = 0;
	for (size_t d = 0; d < ix->ndocs; d++) {
		if (score[d] <= 0 || (keep && !keep(d, ctx)))
			continue;
		/* One boost per key field, its strongest: connector x entity x action. */
		float by[SEARCH_NFIELDS], s = score[d];
		for (size_t f = 0; f < SEARCH_NFIELDS; f++)
			by[f] = 1.0f;
		for (size_t i = 0; i < ix->docs[d].nphrases; i++) {
			const struct phrase *p = &ix->phrases[ix->docs[d].phrases[i]];
			if (named[ix->docs[d].phrases[i]] && p->boost > by[p->field])
				by[p->field] = p->boost;
		}
		for (size_t f = 0; f < SEARCH_NFIELDS; f++)
			s *= by[f];
		score[d] = s;
		/* Insert into the top k, kept sorted; ties keep document order. */
		size_t at = n < k ? n : k;
		while (at > 0 && score[out[at - 1]] < s)
			at--;
		if (at >= k)
			continue;
		size_t last = n < k ? n : k - 1;
		memmove(&out[at + 1], &out[at], (last - at) * sizeof(*out));
		out[at] = d;
		if (n < k)
			n++;
	}
	free(named);
	free(score);
	return n;
}
