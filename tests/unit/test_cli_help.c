/* test_cli_help.c - the edit distance behind "did you mean", and which
 * candidates are close enough to suggest. */
#include "cli_help.h"
#include "t.h"

static const char *closest(const char *word, const char *const *cands)
{
	static char kept[64];
	struct cli_closest c;
	cli_closest_init(&c, word);
	for (int i = 0; cands[i]; i++)
		cli_closest_add(&c, cands[i]);
	const char *best = cli_closest_get(&c);
	snprintf(kept, sizeof(kept), "%s", best ? best : "(none)");
	cli_closest_release(&c);
	return kept;
}

int main(void)
{
	CHECK(cli_edit_distance("", "") == 0);
	CHECK(cli_edit_distance("abc", "") == 3);
	CHECK(cli_edit_distance("", "abc") == 3);
	CHECK(cli_edit_distance("kitten", "sitting") == 3);
	CHECK(cli_edit_distance("lsit", "list") == 1); /* a swap is one edit */
	CHECK(cli_edit_distance("conections", "connections") == 1);
	CHECK(cli_edit_distance("same", "same") == 0);

	const char *const cmds[] = {"serve",   "tools", "call",   "connectors", "connections",
				    "connect", "check", "events", NULL};
	CHECK_STR(closest("conections", cmds), "connections");
	CHECK_STR(closest("tols", cmds), "tools");
	CHECK_STR(closest("conect", cmds), "connect");
	CHECK_STR(closest("evnets", cmds), "events");
	CHECK_STR(closest("frobnicate", cmds), "(none)");
	CHECK_STR(closest("x", cmds), "(none)");
	CHECK_STR(closest("serve", cmds), "(none)"); /* the word itself is not a hint */
	const char *const tools[] = {"stripe_customers_list", "stripe_customers_read",
				     "github_issues_list", NULL};
	CHECK_STR(closest("stripe_customer_list", tools), "stripe_customers_list");
	CHECK_STR(closest("github_issue_list", tools), "github_issues_list");
	CHECK_STR(closest("hubspot_deals_list", tools), "(none)");
	return t_done();
}
