/* netaddr.c - the special-purpose address ranges a model may not reach, as
 * one table after IANA's IPv4 and IPv6 Special-Purpose Address Registries
 * (the entries not globally reachable) and the multicast ranges. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

struct range {
	int family;
	unsigned bits;         /* prefix length */
	unsigned char net[16]; /* the prefix, network order */
	unsigned v4_at;        /* 0: the whole range is refused; else an IPv4
				* address sits at this byte and decides */
	const char *name;
};

/* A new range is one line. The first match wins, so the narrow names come
 * before the ranges that hold them. */
static const struct range ranges[] = {
	{AF_INET, 8, {0}, 0, "\"this network\" 0.0.0.0/8"},
	{AF_INET, 8, {10}, 0, "private 10.0.0.0/8"},
	{AF_INET, 10, {100, 64}, 0, "shared address space 100.64.0.0/10"},
	{AF_INET, 8, {127}, 0, "loopback 127.0.0.0/8"},
	{AF_INET, 16, {169, 254}, 0, "link-local (cloud metadata) 169.254.0.0/16"},
	{AF_INET, 12, {172, 16}, 0, "private 172.16.0.0/12"},
	{AF_INET, 24, {192, 0, 0}, 0, "IETF protocol assignments 192.0.0.0/24"},
	{AF_INET, 24, {192, 0, 2}, 0, "documentation 192.0.2.0/24"},
	{AF_INET, 24, {192, 88, 99}, 0, "6to4 relay anycast 192.88.99.0/24"},
	{AF_INET, 16, {192, 168}, 0, "private 192.168.0.0/16"},
	{AF_INET, 15, {198, 18}, 0, "benchmarking 198.18.0.0/15"},
	{AF_INET, 24, {198, 51, 100}, 0, "documentation 198.51.100.0/24"},
	{AF_INET, 24, {203, 0, 113}, 0, "documentation 203.0.113.0/24"},
	{AF_INET, 4, {224}, 0, "multicast 224.0.0.0/4"},
	{AF_INET, 32, {255, 255, 255, 255}, 0, "broadcast 255.255.255.255"},
	{AF_INET, 4, {240}, 0, "reserved 240.0.0.0/4"},

	{AF_INET6, 128, {[15] = 1}, 0, "loopback ::1"},
	{AF_INET6, 128, {0}, 0, "unspecified ::"},
	{AF_INET6, 96, {0}, 0, "IPv4-compatible ::/96 (deprecated)"},
	{AF_INET6, 96, {[10] = 0xff, [11] = 0xff}, 12, "IPv4-mapped ::ffff:0:0/96"},
	{AF_INET6, 96, {0, 0x64, 0xff, 0x9b}, 12, "NAT64 64:ff9b::/96"},
	{AF_INET6, 48, {0, 0x64, 0xff, 0x9b, 0, 1}, 0, "local NAT64 64:ff9b:1::/48"},
	{AF_INET6, 64, {1}, 0, "discard-only 100::/64"},
	{AF_INET6, 32, {0x20, 0x01, 0x0d, 0xb8}, 0, "documentation 2001:db8::/32"},
	{AF_INET6, 23, {0x20, 0x01}, 0, "IETF protocol assignments and Teredo 2001::/23"},
	{AF_INET6, 16, {0x20, 0x02}, 2, "6to4 2002::/16"},
	{AF_INET6, 20, {0x3f, 0xff}, 0, "documentation 3fff::/20"},
	{AF_INET6, 16, {0x5f}, 0, "segment routing 5f00::/16"},
	{AF_INET6, 7, {0xfc}, 0, "unique local fc00::/7"},
	{AF_INET6, 10, {0xfe, 0x80}, 0, "link-local fe80::/10"},
	{AF_INET6, 10, {0xfe, 0xc0}, 0, "site-local fec0::/10 (deprecated)"},
	{AF_INET6, 8, {0xff}, 0, "multicast ff00::/8"},
};

static int in_range(const unsigned char *b, const struct range *r)
{
	unsigned full = r->bits / 8, rest = r->bits % 8;
	if (memcmp(b, r->net, full) != 0)
		return 0;
	if (!rest)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (b[full] & mask) == r->net[full];
}

const char *netaddr_private(const struct netaddr *addr)
{
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range *r = &ranges[i];
		if (r->family != addr->family || !in_range(addr->b, r))
			continue;
		if (!r->v4_at)
			return r->name;
		struct netaddr v4 = {.family = AF_INET};
		memcpy(v4.b, addr->b + r->v4_at, 4);
		return netaddr_private(&v4);
	}
	return NULL;
}

int netaddr_from_addrinfo(const struct addrinfo *ai, struct netaddr *out)
{
	/* Bytes copied from where the C library put them: ai_addr points at
	 * a sockaddr_in or a sockaddr_in6, read here as neither. */
	const unsigned char *sa = (const unsigned char *)ai->ai_addr;
	memset(out, 0, sizeof(*out));
	out->family = ai->ai_family;
	if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in))
		memcpy(out->b, sa + offsetof(struct sockaddr_in, sin_addr), 4);
	else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6))
		memcpy(out->b, sa + offsetof(struct sockaddr_in6, sin6_addr), 16);
	else
		return -1;
	return 0;
}

int netaddr_parse(const char *host, struct netaddr *out)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST}, *res = NULL;
	int ok = 0;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res)
		ok = netaddr_from_addrinfo(res, out) == 0;
	if (res)
		freeaddrinfo(res);
	return ok;
}

void netaddr_text(const struct netaddr *addr, char *buf, size_t size)
{
	if (!inet_ntop(addr->family, addr->b, buf, (socklen_t)size) && size)
		buf[0] = '\0';
}
