/* test_netaddr.c - the special-purpose ranges of netaddr.c, built and run in
 * the plain -O2 build as well as under the sanitizers: the IPv4 inside an
 * IPv6 address was once read through a cast between sockaddr types, which
 * gcc -O2 compiled to "public". */
#include "netaddr.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "t.h"

static const struct {
	const char *addr;
	const char *range; /* a piece of the range's name, or NULL: public */
} cases[] = {
	{"0.0.0.0", "this network"},
	{"0.1.2.3", "this network"},
	{"10.1.2.3", "private 10."},
	{"100.64.0.1", "shared"},
	{"100.127.255.255", "shared"},
	{"100.128.0.1", NULL},
	{"127.0.0.1", "loopback"},
	{"127.1", "loopback"}, /* the short numeric forms getaddrinfo and curl take */
	{"2130706433", "loopback"},
	{"169.254.169.254", "link-local"},
	{"172.16.0.1", "private 172.16"},
	{"172.31.255.255", "private 172.16"},
	{"172.32.0.1", NULL},
	{"192.0.0.8", "IETF"},
	{"192.0.2.1", "documentation"},
	{"192.88.99.1", "6to4 relay"},
	{"192.168.1.1", "private 192.168"},
	{"198.18.0.1", "benchmarking"},
	{"198.19.255.255", "benchmarking"},
	{"198.20.0.1", NULL},
	{"198.51.100.7", "documentation"},
	{"203.0.113.9", "documentation"},
	{"224.0.0.1", "multicast"},
	{"239.255.255.250", "multicast"},
	{"240.0.0.1", "reserved"},
	{"255.255.255.255", "broadcast"},
	{"8.8.8.8", NULL},
	{"1.1.1.1", NULL},
	{"93.184.216.34", NULL},

	{"::", "unspecified"},
	{"::1", "loopback"},
	{"::127.0.0.1", "IPv4-compatible"},
	{"::8.8.8.8", "IPv4-compatible"},
	{"::ffff:127.0.0.1", "loopback"},
	{"::ffff:a9fe:a9fe", "link-local"},
	{"::ffff:10.0.0.1", "private 10."},
	{"::ffff:8.8.8.8", NULL},
	{"64:ff9b::7f00:1", "loopback"},
	{"64:ff9b::169.254.169.254", "link-local"},
	{"64:ff9b::8.8.8.8", NULL}, /* NAT64 of a public address: an IPv6-only network */
	{"64:ff9b:1::1", "local NAT64"},
	{"100::1", "discard"},
	{"2001::1", "Teredo"},
	{"2001:db8::1", "documentation"},
	{"2002:7f00:1::1", "loopback"},
	{"2002:a9fe:a9fe::", "link-local"},
	{"2002:c0a8:101::1", "private 192.168"},
	{"2002:808:808::1", NULL},
	{"3fff::1", "documentation"},
	{"5f00::1", "segment routing"},
	{"fc00::1", "unique local"},
	{"fd12:3456::1", "unique local"},
	{"fe80::1", "link-local"},
	{"febf::1", "link-local"},
	{"fec0::1", "site-local"},
	{"feff::1", "site-local"},
	{"ff02::1", "multicast"},
	{"2606:4700::1111", NULL},
	{"2a00:1450:4001::1", NULL},
};

static void test_ranges(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netaddr a;
		int parsed = netaddr_parse(cases[i].addr, &a);
		CHECK(parsed);
		if (!parsed)
			continue;
		const char *got = netaddr_private(&a);
		int ok = cases[i].range ? got && strstr(got, cases[i].range) != NULL : got == NULL;
		if (!ok)
			fprintf(stderr, "%s: expected %s, got %s\n", cases[i].addr,
				cases[i].range ? cases[i].range : "public", got ? got : "public");
		CHECK(ok);
	}
}

/* Names are not literals: they are resolved (and then checked). */
static void test_parse(void)
{
	struct netaddr a;
	CHECK(!netaddr_parse("localhost", &a));
	CHECK(!netaddr_parse("example.com", &a));
	CHECK(!netaddr_parse("[::1]", &a));
	CHECK(!netaddr_parse("", &a));
	CHECK(netaddr_parse("::1", &a) && a.family == AF_INET6);
	char text[64];
	CHECK(netaddr_parse("::ffff:a9fe:a9fe", &a));
	netaddr_text(&a, text, sizeof(text));
	CHECK_STR(text, "::ffff:169.254.169.254");
	CHECK(netaddr_parse("127.1", &a) && a.family == AF_INET);
	netaddr_text(&a, text, sizeof(text));
	CHECK_STR(text, "127.0.0.1");
}

/* getaddrinfo's answers are read as bytes, whichever sockaddr they hold. */
static void test_from_addrinfo(void)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST}, *res = NULL;
	struct netaddr a;
	CHECK(getaddrinfo("::ffff:127.0.0.1", NULL, &hints, &res) == 0);
	CHECK(res && netaddr_from_addrinfo(res, &a) == 0);
	CHECK(netaddr_private(&a) && strstr(netaddr_private(&a), "loopback"));
	freeaddrinfo(res);
	res = NULL;
	CHECK(getaddrinfo("169.254.169.254", NULL, &hints, &res) == 0);
	CHECK(res && netaddr_from_addrinfo(res, &a) == 0 && a.family == AF_INET);
	CHECK(netaddr_private(&a) && strstr(netaddr_private(&a), "link-local"));
	freeaddrinfo(res);
}

int main(void)
{
	test_ranges();
	test_parse();
	test_from_addrinfo();
	return t_done();
}
