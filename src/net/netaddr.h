/* netaddr.h - which IP addresses a model may not reach through the generic
 * HTTP connector: the IANA special-purpose ranges (loopback, private,
 * link-local and cloud metadata, shared, reserved, multicast, ...), as one
 * table. Addresses are handled as bytes, never through casts between
 * sockaddr types. */
#ifndef SB_NETADDR_H
#define SB_NETADDR_H

#include <stddef.h>

struct addrinfo;

/* An address as bytes in network order: 4 of them for IPv4, 16 for IPv6. */
struct netaddr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char b[16];
};

/* The name of the special-purpose range addr is in ("loopback",
 * "link-local", ...; static), or NULL when it is an ordinary public
 * address. An IPv6 form that carries an IPv4 address (IPv4-mapped, NAT64
 * 64:ff9b::/96, 6to4) is judged by the IPv4 address inside. */
const char *netaddr_private(const struct netaddr *addr);

/* Parse an address literal ("192.0.2.1", "::1", and the other numeric
 * forms getaddrinfo takes, such as "127.1"); no DNS. 1 when host is one
 * (*out set), else 0. */
int netaddr_parse(const char *host, struct netaddr *out);

/* The address of one getaddrinfo() answer, copied out as bytes. 0, or -1
 * when it is neither IPv4 nor IPv6. */
int netaddr_from_addrinfo(const struct addrinfo *ai, struct netaddr *out);

/* The text form of addr (inet_ntop) into buf; size of at least 46 bytes
 * (INET6_ADDRSTRLEN) holds any. */
void netaddr_text(const struct netaddr *addr, char *buf, size_t size);

#endif
