/* test_util.c - util.c: glob_match, the tool and host globs (fnmatch). */
#include "util.h"

#include "t.h"

static void test_glob(void)
{
	CHECK(glob_match("*", "stripe_refunds_create"));
	CHECK(glob_match("stripe_*", "stripe_refunds_create"));
	CHECK(!glob_match("stripe_*", "shopify_orders_list"));
	CHECK(glob_match("*_list", "shopify_orders_list"));
	CHECK(glob_match("*_refunds_*", "stripe_refunds_create"));
	CHECK(glob_match("github_issue?_list", "github_issues_list"));
	CHECK(!glob_match("github_issue?_list", "github_issue_list"));
	CHECK(glob_match("stripe_[cr]*", "stripe_refunds_create"));
	CHECK(!glob_match("stripe_[!cr]*", "stripe_refunds_create"));
	CHECK(glob_match("*.example.com", "api.example.com"));
	CHECK(!glob_match("*.example.com", "example.com"));
	CHECK(glob_match("a\\*", "a*"));
	CHECK(!glob_match("a\\*", "ab"));
	CHECK(glob_match("", ""));
	CHECK(!glob_match("", "x"));
	CHECK(glob_match("**", ""));
}

int main(void)
{
	test_glob();
	return t_done();
}
