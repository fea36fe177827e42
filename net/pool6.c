/* pool6.c: IPv6 addresses and the /64 of a bridge. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pool6.h"

int net_addr6_parse(const char *s, struct in6_addr *ret)
{
	if (!s || strlen(s) >= NET_ADDR6_STRLEN || inet_pton(AF_INET6, s, ret) != 1)
		return -EINVAL;
	return 0;
}

const char *net_addr6_format(const struct in6_addr *a, char buf[static NET_ADDR6_STRLEN])
{
	if (!inet_ntop(AF_INET6, a, buf, NET_ADDR6_STRLEN))
		buf[0] = '\0';
	return buf;
}

int net_pool6_parse(const char *s, struct net_pool6 *ret)
{
	char a[NET_ADDR6_STRLEN];
	const char *slash = s ? strchr(s, '/') : NULL;
	struct in6_addr n;

	if (!slash || (size_t)(slash - s) >= sizeof(a) || strcmp(slash, "/64") != 0)
		return -EINVAL;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (net_addr6_parse(a, &n) < 0)
		return -EINVAL;
	for (int i = 8; i < 16; i++)
		if (n.s6_addr[i])
			return -EINVAL;
	if (IN6_IS_ADDR_MULTICAST(&n) || IN6_IS_ADDR_LINKLOCAL(&n) || IN6_IS_ADDR_UNSPECIFIED(&n))
		return -EINVAL;
	ret->net = n;
	return 0;
}

const char *net_pool6_format(const struct net_pool6 *p, char buf[static NET_POOL6_STRLEN])
{
	char a[NET_ADDR6_STRLEN];

	(void)snprintf(buf, NET_POOL6_STRLEN, "%s/64", net_addr6_format(&p->net, a));
	return buf;
}

void net_pool6_derive(const char *seed, struct net_pool6 *ret)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *c = (const unsigned char *)seed; *c; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	memset(ret, 0, sizeof(*ret));
	ret->net.s6_addr[0] = 0xfd; /* RFC 4193: fc00::/7 with L = 1 */
	for (int i = 0; i < 5; i++)
		ret->net.s6_addr[1 + i] = (uint8_t)(h >> (8 * i));
}

bool net_pool6_overlaps(const struct net_pool6 *p, const struct in6_addr *dst, uint8_t len)
{
	/* Two prefixes overlap when they agree on the shorter one's bits. */
	unsigned bits = len < 64 ? len : 64;

	for (unsigned i = 0; i < bits / 8; i++)
		if (p->net.s6_addr[i] != dst->s6_addr[i])
			return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

		if ((p->net.s6_addr[bits / 8] ^ dst->s6_addr[bits / 8]) & mask)
			return false;
	}
	return true;
}

void net_pool6_gateway(const struct net_pool6 *p, struct in6_addr *ret)
{
	*ret = p->net;
	ret->s6_addr[15] = 1;
}

bool net_pool6_contains(const struct net_pool6 *p, const struct in6_addr *a)
{
	return memcmp(p->net.s6_addr, a->s6_addr, 8) == 0;
}

/* The host part's low 64 bits as a number (the pool is a /64). */
static uint64_t host_id(const struct in6_addr *a)
{
	uint64_t v = 0;

	for (int i = 8; i < 16; i++)
		v = v << 8 | a->s6_addr[i];
	return v;
}

int net_pool6_check(const struct net_pool6 *p, const struct in6_addr *a,
		    const struct in6_addr *used, size_t n_used)
{
	if (!net_pool6_contains(p, a) || host_id(a) <= 1)
		return -EDOM;
	for (size_t i = 0; i < n_used; i++)
		if (!memcmp(&used[i], a, sizeof(*a)))
			return -EADDRINUSE;
	return 0;
}

int net_pool6_lease(const struct net_pool6 *p, const struct in6_addr *used, size_t n_used,
		    struct in6_addr *ret)
{
	for (unsigned n = 2; n <= 0xffff; n++) {
		struct in6_addr a = p->net;

		a.s6_addr[14] = (uint8_t)(n >> 8);
		a.s6_addr[15] = (uint8_t)n;
		if (net_pool6_check(p, &a, used, n_used) == 0) {
			*ret = a;
			return 0;
		}
	}
	return -ENOSPC;
}
