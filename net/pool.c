/* pool.c: IPv4 subnets and addresses: parsing, the address pool of a bridge, subnet choice. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/pool.h"

static int parse_octets(const char *s, const char **ret_end, uint32_t *ret)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		if (i > 0 && *s++ != '.')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			v = v * 10 + (unsigned)(*s - '0');
		/* No empty octet, no leading zero (inet_aton would read it as octal). */
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[-(int)digits] == '0'))
			return -EINVAL;
		a = a << 8 | v;
	}
	*ret_end = s;
	*ret = a;
	return 0;
}

int net_addr_parse(const char *s, uint32_t *ret)
{
	const char *end;
	uint32_t a;

	if (!s || parse_octets(s, &end, &a) < 0 || *end)
		return -EINVAL;
	*ret = a;
	return 0;
}

const char *net_addr_format(uint32_t a, char buf[static NET_ADDR_STRLEN])
{
	(void)snprintf(buf, NET_ADDR_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		       (a >> 8) & 0xff, a & 0xff);
	return buf;
}

uint32_t net_pool_mask(uint8_t prefix)
{
	return prefix == 0 ? 0 : prefix >= 32 ? UINT32_MAX : ~(UINT32_MAX >> prefix);
}

int net_pool_parse(const char *s, struct net_pool *ret)
{
	const char *end;
	unsigned prefix = 0, digits = 0;
	uint32_t a;

	if (!s || parse_octets(s, &end, &a) < 0 || *end != '/')
		return -EINVAL;
	for (end++; *end >= '0' && *end <= '9' && digits < 3; end++, digits++)
		prefix = prefix * 10 + (unsigned)(*end - '0');
	if (*end || digits == 0 || prefix < 8 || prefix > 30)
		return -EINVAL;
	if (a & ~net_pool_mask((uint8_t)prefix))
		return -EINVAL;
	*ret = (struct net_pool){.net = a, .prefix = (uint8_t)prefix};
	return 0;
}

const char *net_pool_format(const struct net_pool *p, char buf[static NET_POOL_STRLEN])
{
	char a[NET_ADDR_STRLEN];

	(void)snprintf(buf, NET_POOL_STRLEN, "%s/%u", net_addr_format(p->net, a), p->prefix);
	return buf;
}

uint32_t net_pool_gateway(const struct net_pool *p)
{
	return p->net + 1;
}

static uint32_t broadcast(const struct net_pool *p)
{
	return p->net | ~net_pool_mask(p->prefix);
}

bool net_pool_contains(const struct net_pool *p, uint32_t a)
{
	return (a & net_pool_mask(p->prefix)) == p->net;
}

bool net_pool_overlaps(const struct net_pool *a, const struct net_pool *b)
{
	uint8_t shorter = a->prefix < b->prefix ? a->prefix : b->prefix;
	uint32_t m = net_pool_mask(shorter);

	return (a->net & m) == (b->net & m);
}

static bool in_use(uint32_t a, const uint32_t *used, size_t n_used)
{
	for (size_t i = 0; i < n_used; i++)
		if (used[i] == a)
			return true;
	return false;
}

int net_pool_check(const struct net_pool *p, uint32_t a, const uint32_t *used, size_t n_used)
{
	if (!net_pool_contains(p, a) || a == p->net || a == net_pool_gateway(p) ||
	    a == broadcast(p))
		return -EDOM;
	return in_use(a, used, n_used) ? -EADDRINUSE : 0;
}

int net_pool_lease(const struct net_pool *p, const uint32_t *used, size_t n_used, uint32_t *ret)
{
	for (uint32_t a = net_pool_gateway(p) + 1; a < broadcast(p); a++)
		if (!in_use(a, used, n_used)) {
			*ret = a;
			return 0;
		}
	return -ENOSPC;
}

int net_pool_pick_subnet(const struct net_pool *preferred, const struct net_pool *taken,
			 size_t n_taken, struct net_pool *ret)
{
	/* 10.0.0.0/8 holds 65536 /24s; walk them from the preferred one. */
	uint32_t start = (preferred->net >> 8) & 0xffff;

	for (uint32_t i = 0; i < 65536; i++) {
		struct net_pool c = {.net = (10u << 24) | (((start + i) & 0xffff) << 8),
				     .prefix = 24};
		bool free_ = true;

		for (size_t t = 0; t < n_taken && free_; t++)
			free_ = !net_pool_overlaps(&c, &taken[t]);
		if (free_) {
			*ret = c;
			return 0;
		}
	}
	return -ENOSPC;
}
