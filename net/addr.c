/* addr.c: IPv4 addresses and routes through libnl-route-3. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "addr.h"
#include "link.h"
#include "nl.h"
#include "pool.h"

static struct nl_addr *build_v4(uint32_t a, uint8_t prefix)
{
	uint32_t be = htonl(a);
	struct nl_addr *n = nl_addr_build(AF_INET, &be, sizeof(be));

	if (n)
		nl_addr_set_prefixlen(n, prefix);
	return n;
}

int net_addr_add(struct nl_sock *sk, const char *ifname, uint32_t a, uint8_t prefix)
{
	struct rtnl_addr *ra;
	struct nl_addr *local;
	int idx = net_link_index(sk, ifname), r;

	if (idx < 0)
		return idx;
	ra = rtnl_addr_alloc();
	local = build_v4(a, prefix);
	if (!ra || !local) {
		r = -ENOMEM;
		goto out;
	}
	rtnl_addr_set_ifindex(ra, idx);
	rtnl_addr_set_family(ra, AF_INET);
	r = rtnl_addr_set_local(ra, local);
	if (r >= 0 && prefix < 31) {
		struct nl_addr *bcast = build_v4(a | ~net_pool_mask(prefix), 32);

		if (bcast) {
			(void)rtnl_addr_set_broadcast(ra, bcast);
			nl_addr_put(bcast);
		}
	}
	if (r >= 0)
		r = rtnl_addr_add(sk, ra, NLM_F_CREATE | NLM_F_EXCL);
	r = r < 0 ? net_nl_errno(r) : 0;
out:
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	return r;
}

static int route_build(struct nl_sock *sk, uint32_t dst, uint8_t prefix, const char *ifname,
		       uint32_t gw, struct rtnl_route **ret)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = NULL;
	struct nl_addr *d = build_v4(dst, prefix);
	int idx = 0, r;

	if (!rt || !d || !(nh = rtnl_route_nh_alloc())) {
		r = -ENOMEM;
		goto fail;
	}
	if (ifname) {
		idx = net_link_index(sk, ifname);
		if (idx < 0) {
			r = idx;
			goto fail;
		}
	}
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_set_scope(rt, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	(void)rtnl_route_set_dst(rt, d);
	nl_addr_put(d);
	if (idx > 0)
		rtnl_route_nh_set_ifindex(nh, idx);
	if (gw) {
		struct nl_addr *g = build_v4(gw, 32);

		if (g) {
			rtnl_route_nh_set_gateway(nh, g);
			nl_addr_put(g);
		}
	}
	rtnl_route_add_nexthop(rt, nh);
	*ret = rt;
	return 0;
fail:
	if (nh)
		rtnl_route_nh_free(nh);
	if (d)
		nl_addr_put(d);
	if (rt)
		rtnl_route_put(rt);
	return r;
}

int net_route_add(struct nl_sock *sk, uint32_t dst, uint8_t prefix, const char *ifname, uint32_t gw)
{
	struct rtnl_route *rt = NULL;
	int r = route_build(sk, dst, prefix, ifname, gw, &rt);

	if (r < 0)
		return r;
	r = rtnl_route_add(sk, rt, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_route_put(rt);
	return r < 0 ? net_nl_errno(r) : 0;
}

int net_route_del(struct nl_sock *sk, uint32_t dst, uint8_t prefix, const char *ifname)
{
	struct rtnl_route *rt = NULL;
	int r = route_build(sk, dst, prefix, ifname, 0, &rt);

	if (r < 0)
		return r;
	r = rtnl_route_delete(sk, rt, 0);
	rtnl_route_put(rt);
	if (r == -NLE_OBJ_NOTFOUND)
		return -ESRCH;
	return r < 0 ? net_nl_errno(r) : 0;
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
