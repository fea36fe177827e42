/* addr.c: IPv4 addresses and routes through libnl-route-3. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "net/addr.h"
#include "net/inet.h"
#include "net/link.h"
#include "net/nl.h"
#include "net/pool.h"

int net_addr_add(struct nl_sock *sk, const char *ifname, uint32_t a, uint8_t prefix)
{
	uint32_t be = htonl(a), bcast = htonl(a | ~net_pool_mask(prefix));

	/* /31 and /32 have no broadcast address (RFC 3021). */
	return net_inet_addr_add(sk, ifname, AF_INET, &be, prefix, prefix < 31 ? &bcast : NULL,
				 /* flags= */ 0);
}

int net_route_add(struct nl_sock *sk, uint32_t dst, uint8_t prefix, const char *ifname, uint32_t gw)
{
	uint32_t dst_be = htonl(dst), gw_be = htonl(gw);

	return net_inet_route_add(sk, AF_INET, &dst_be, prefix, ifname, gw ? &gw_be : NULL);
}

int net_route_del(struct nl_sock *sk, uint32_t dst, uint8_t prefix, const char *ifname)
{
	uint32_t dst_be = htonl(dst);

	return net_inet_route_del(sk, AF_INET, &dst_be, prefix, ifname);
}

/* The ifindex of the first nexthop of rt, 0 when none. */
static int route_ifindex(struct rtnl_route *rt)
{
	struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);

	return nh ? rtnl_route_nh_get_ifindex(nh) : 0;
}

int net_route_list(struct nl_sock *sk, const char *except_ifname, struct net_pool **ret,
		   size_t *ret_n)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	struct net_pool *v = NULL;
	size_t n = 0;
	int except = 0, r;

	except = net_link_index_or_none(sk, except_ifname);
	if (except < 0)
		return except;
	r = rtnl_route_alloc_cache(sk, AF_INET, 0, &cache);
	if (r < 0)
		return net_nl_errno(r);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *d = rtnl_route_get_dst(rt);
		struct net_pool *nv;
		uint32_t be = 0;

		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || !d ||
		    nl_addr_get_prefixlen(d) == 0 || (except && route_ifindex(rt) == except))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		memcpy(&be, nl_addr_get_binary_addr(d),
		       nl_addr_get_len(d) < sizeof(be) ? nl_addr_get_len(d) : sizeof(be));
		v[n].prefix = (uint8_t)nl_addr_get_prefixlen(d);
		v[n].net = ntohl(be) & net_pool_mask(v[n].prefix);
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int net_addr_first(struct nl_sock *sk, const char *ifname, uint32_t *ret, uint8_t *ret_prefix)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	int idx = net_link_index(sk, ifname), r;

	if (idx < 0)
		return idx;
	r = rtnl_addr_alloc_cache(sk, &cache);
	if (r < 0)
		return net_nl_errno(r);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		uint32_t be;

		if (rtnl_addr_get_ifindex(a) != idx || rtnl_addr_get_family(a) != AF_INET ||
		    !local || nl_addr_get_len(local) != sizeof(be))
			continue;
		memcpy(&be, nl_addr_get_binary_addr(local), sizeof(be));
		*ret = ntohl(be);
		*ret_prefix = (uint8_t)rtnl_addr_get_prefixlen(a);
		return 0;
	}
	return -EADDRNOTAVAIL;
}
