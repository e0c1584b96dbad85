/* test_search.c - search.c: stemming, stop words, synonyms, typos, the
 * connector/entity/action boosts and a deterministic order; and how long a
 * query takes over the real registry and over a synthetic 10,000-tool one
 * (printed, not asserted: the machine is shared). */
#include "search.h"

#include <stdlib.h>
#include <time.h>

#include "registry.h"
#include "t.h"
#include "tools.h"
#include "util.h"

static void check_stem(const char *word, const char *want)
{
	char *s = search_stem(word);
	CHECK_STR(s, want);
	free(s);
}

/* One tool-like document. */
static size_t doc(struct search_index *ix, const char *connector, const char *entity,
		  const char *action, const char *text)
{
	size_t d = search_add_doc(ix);
	search_add_text(ix, d, SEARCH_CONNECTOR, connector);
	search_add_text(ix, d, SEARCH_ENTITY, entity);
	search_add_text(ix, d, SEARCH_ACTION, action);
	search_add_text(ix, d, SEARCH_TEXT, text);
	return d;
}

/* The best document for query, or -1 when nothing matches. */
static long top(const struct search_index *ix, const char *query)
{
	size_t out[1];
	return search_query(ix, query, NULL, NULL, out, 1) ? (long)out[0] : -1;
}

static int only_stripe(size_t d, void *ctx)
{
	(void)ctx;
	return d <= 2;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be busy */
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static const char *queries[] = {"refund the last charge of customer X",
				"send a slack message to #general",
				"list open GitHub issues assigned to me",
				"check stock level of a product in cin7",
				"find a hubspot contact by email",
				"create an estimate in quickbooks",
				"merge PR 42",
				"xyzzy invoicse overdue",
				NULL};

static void bench_registry(void)
{
	setenv("SWITCHBOARD_DATADIR", ".", 0); /* run from the checkout (make test does) */
	struct registry *r = registry_new();
	CHECK(registry_load_dir(r, "capabilities", 0, NULL, NULL) == 0);
	struct tools_filter f = {.all = 1, .mode = TOOLS_DISCOVER};
	struct err e;
	err_init(&e);
	struct toolset *ts = tools_build(r, &f, NULL, NULL, &e);
	CHECK(ts && ts->n > 300);
	if (!ts) {
		registry_free(r);
		return;
	}
	double t0 = now_us();
	struct search_index *ix = tools_index_new(r, ts);
	double built = now_us() - t0;
	size_t runs = 0, out[5];
	t0 = now_us();
	for (int rep = 0; rep < 200; rep++)
		for (size_t q = 0; queries[q]; q++, runs++)
			search_query(ix, queries[q], NULL, NULL, out, 5);
	fprintf(stderr, "registry: %zu tools, index built in %.0f us, %.1f us per query\n", ts->n,
		built, (now_us() - t0) / (double)runs);
	/* The synonyms of _canonical.json are loaded: "PR" reaches the merge. */
	CHECK(search_query(ix, "merge PR 42", NULL, NULL, out, 1) == 1);
	CHECK_STR(ts->tools[out[0]].name, "github_pull_requests_merge");
	search_index_free(ix);
	tools_free(ts);
	registry_free(r);
}

/* 100 connectors x 20 entities x 5 actions, each with a description of 30
 * words from a 3,000-word vocabulary: the size of a registry imported from
 * full OpenAPI specs. */
static void bench_10k(void)
{
	static const char *actions[] = {"list", "read", "create", "update", "delete"};
	struct search_index *ix = search_index_new();
	search_add_synonym(ix, "add", "create");
	unsigned seed = 12345;
	char word[16];
	double t0 = now_us();
	for (int c = 0; c < 100; c++) {
		for (int e = 0; e < 20; e++) {
			for (int a = 0; a < 5; a++) {
				char conn[16], ent[16];
				snprintf(conn, sizeof(conn), "vendor%d", c);
				snprintf(ent, sizeof(ent), "thing%d", e * 7 + c % 7);
				struct buf text;
				buf_init(&text, 0);
				for (int w = 0; w < 30; w++) {
					seed = seed * 1103515245u + 12345u;
					snprintf(word, sizeof(word), "w%u", (seed >> 8) % 3000);
					buf_addf(&text, "%s ", word);
				}
				doc(ix, conn, ent, actions[a], text.data);
				buf_release(&text);
			}
		}
	}
	search_finish(ix);
	double built = now_us() - t0;
	static const char *q10k[] = {
		"add a thing42 in vendor17",   "list thing3",    "w17 w2999 w5",
		"delete vendor99 thing70 w12", "vendr5 thinng9", NULL};
	size_t out[5], runs = 0;
	t0 = now_us();
	for (int rep = 0; rep < 100; rep++)
		for (size_t q = 0; q10k[q]; q++, runs++)
			search_query(ix, q10k[q], NULL, NULL, out, 5);
	fprintf(stderr, "synthetic: 10000 tools, index built in %.0f ms, %.1f us per query\n",
		built / 1000, (now_us() - t0) / (double)runs);
	/* Right at this size too: vendor17's thing42 create (doc 17*100 + e*5 + 2). */
	CHECK(search_query(ix, "add a thing42 in vendor17", NULL, NULL, out, 1) == 1);
	CHECK(out[0] / 100 == 17 && out[0] % 5 == 2);
	search_index_free(ix);
}

int main(void)
{
	/* Plurals, -ing, -ed and a final e meet at one stem. */
	check_stem("refunds", "refund");
	check_stem("refunding", "refund");
	check_stem("refunded", "refund");
	check_stem("companies", "company");
	check_stem("boxes", "box");
	check_stem("shipped", "ship");
	check_stem("create", "creat");
	check_stem("created", "creat");
	check_stem("creating", "creat");
	check_stem("invoices", "invoic");
	check_stem("status", "status");
	check_stem("pr", "pr");

	struct search_index *ix = search_index_new();
	search_add_synonym(ix, "pr", "pull request");
	search_add_synonym(ix, "add", "create");
	search_add_synonym(ix, "customer", "contact");
	search_add_synonym(ix, "customer", "client"); /* a second list adds to the first */
	doc(ix, "stripe", "refunds", "create", "Refund a payment.");                         /* 0 */
	doc(ix, "stripe", "refunds", "list", "List refunds, newest first.");                 /* 1 */
	doc(ix, "stripe", "customers", "create", "Create a customer.");                      /* 2 */
	doc(ix, "shopify", "orders", "cancel", "Cancel an order, optionally refunding it."); /* 3 */
	doc(ix, "github", "pull_requests", "merge", "Merge a pull request.");                /* 4 */
	doc(ix, "xero", "contacts", "create", "Create a contact.");                          /* 5 */
	doc(ix, "hubspot", "contacts", "create", "Create a contact.");                       /* 6 */
	doc(ix, "Cin7 Core", "stock", "list", "Stock levels.");                              /* 7 */
	doc(ix, "Cin7 Omni", "stock", "list", "Stock levels.");                              /* 8 */
	search_finish(ix);

	CHECK(top(ix, "refunding") == 0);        /* stemming, the action's own text */
	CHECK(top(ix, "list refunds") == 1);     /* the entity and the verb */
	CHECK(top(ix, "cancel") == 3);           /* the verb reaches the action */
	CHECK(top(ix, "merge the PR") == 4);     /* a synonym, stop words */
	CHECK(top(ix, "adding customers") == 2); /* a synonym by stem */
	CHECK(top(ix, "refnud") == 0);           /* a typo */
	CHECK(top(ix, "the of and to") == -1);   /* only stop words: nothing */
	CHECK(top(ix, "") == -1);
	CHECK(top(ix, "add a customer") == 2);          /* a synonym of the verb */
	CHECK(top(ix, "add a client in hubspot") == 6); /* the named connector wins */
	CHECK(top(ix, "add a client in xero") == 5);
	CHECK(top(ix, "stock in cin7 omni") == 8); /* the whole name, not "cin7" */
	CHECK(top(ix, "stock in cin7 core") == 7);
	CHECK(top(ix, "stock in cin7") == 7); /* a tie: document order */
	size_t out[9];
	CHECK(search_query(ix, "refund", only_stripe, NULL, out, 9) == 2); /* keep() filters */
	CHECK(out[0] == 0 && out[1] == 1);
	CHECK(search_query(ix, "create", NULL, NULL, out, 2) == 2); /* k caps the answer */
	search_index_free(ix);

	bench_registry();
	bench_10k();
	return t_done();
}
