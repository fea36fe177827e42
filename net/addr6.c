/* addr6.c: IPv6 addresses and routes through libnl-route-3. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "net/addr6.h"
#include "net/inet.h"
#include "net/link.h"
#include "net/nl.h"
#include "net/pool6.h"

int net_addr6_add(struct nl_sock *sk, const char *ifname, const struct in6_addr *a, uint8_t prefix)
{
	return net_inet_addr_add(sk, ifname, AF_INET6, a, prefix, /* broadcast= */ NULL,
				 IFA_F_NODAD);
}

int net_route6_add(struct nl_sock *sk, const struct in6_addr *dst, uint8_t prefix,
		   const char *ifname, const struct in6_addr *gw)
{
	return net_inet_route_add(sk, AF_INET6, dst, prefix, ifname, gw);
}

int net_route6_del(struct nl_sock *sk, const struct in6_addr *dst, uint8_t prefix,
		   const char *ifname)
{
	return net_inet_route_del(sk, AF_INET6, dst, prefix, ifname);
}

int net_addr6_has(struct nl_sock *sk, const char *ifname, const struct in6_addr *a)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	int idx = net_link_index(sk, ifname), r;

	if (idx < 0)
		return idx;
	r = rtnl_addr_alloc_cache(sk, &cache);
	if (r < 0)
		return net_nl_errno(r);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);

		if (rtnl_addr_get_ifindex(ra) == idx && rtnl_addr_get_family(ra) == AF_INET6 &&
		    local && nl_addr_get_len(local) == sizeof(*a) &&
		    !memcmp(nl_addr_get_binary_addr(local), a, sizeof(*a)))
			return 1;
	}
	return 0;
}

int net_route6_find_overlap(struct nl_sock *sk, const struct net_pool6 *pool,
			    const char *except_ifname, char *ret, size_t size)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	int except = 0, r;

	except = net_link_index_or_none(sk, except_ifname);
	if (except < 0)
		return except;
	r = rtnl_route_alloc_cache(sk, AF_INET6, 0, &cache);
	if (r < 0)
		return net_nl_errno(r);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *d = rtnl_route_get_dst(rt);
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
		int idx = nh ? rtnl_route_nh_get_ifindex(nh) : 0;
		char text[NET_ADDR6_STRLEN], ifname[IFNAMSIZ] = "?";
		struct in6_addr dst;
		unsigned len;

		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || !d ||
		    nl_addr_get_len(d) != sizeof(dst) || (except && idx == except))
			continue;
		len = nl_addr_get_prefixlen(d);
		memcpy(&dst, nl_addr_get_binary_addr(d), sizeof(dst));
		if (len == 0 || !net_pool6_overlaps(pool, &dst, (uint8_t)len))
			continue;
		if (idx > 0)
			(void)if_indextoname((unsigned)idx, ifname);
		(void)snprintf(ret, size, "%s/%u dev %s", net_addr6_format(&dst, text), len,
			       ifname);
		return 1;
	}
	return 0;
}
