/* inet.c: address and route requests of either IP family through libnl-route-3. */
#include <errno.h>
#include <netinet/in.h>

#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "net/inet.h"
#include "net/link.h"
#include "net/nl.h"

/* a (4 or 16 bytes by family) with prefix; NULL when out of memory. */
static struct nl_addr *build_addr(int family, const void *a, uint8_t prefix)
{
	size_t len = family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
	struct nl_addr *n = nl_addr_build(family, a, len);

	if (n)
		nl_addr_set_prefixlen(n, prefix);
	return n;
}

static uint8_t full_prefix(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

int net_inet_addr_add(struct nl_sock *sk, const char *ifname, int family, const void *local,
		      uint8_t prefix, const void *broadcast, unsigned flags)
{
	struct rtnl_addr *ra;
	struct nl_addr *l;
	int idx = net_link_index(sk, ifname), r;

	if (idx < 0)
		return idx;
	ra = rtnl_addr_alloc();
	l = build_addr(family, local, prefix);
	if (!ra || !l) {
		r = -ENOMEM;
		goto out;
	}
	rtnl_addr_set_ifindex(ra, idx);
	rtnl_addr_set_family(ra, family);
	if (flags)
		rtnl_addr_set_flags(ra, flags);
	r = rtnl_addr_set_local(ra, l);
	if (r >= 0 && broadcast) {
		/* The broadcast address is a convenience; the address works without it. */
		struct nl_addr *b = build_addr(family, broadcast, full_prefix(family));

		if (b) {
			(void)rtnl_addr_set_broadcast(ra, b);
			nl_addr_put(b);
		}
	}
	if (r >= 0)
		r = rtnl_addr_add(sk, ra, NLM_F_CREATE | NLM_F_EXCL);
	r = r < 0 ? net_nl_errno(r) : 0;
out:
	if (l)
		nl_addr_put(l);
	if (ra)
		rtnl_addr_put(ra);
	return r;
}

static int route_build(struct nl_sock *sk, int family, const void *dst, uint8_t prefix,
		       const char *ifname, const void *gw, struct rtnl_route **ret)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = NULL;
	struct nl_addr *d = build_addr(family, dst, prefix);
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
	rtnl_route_set_family(rt, family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_set_scope(rt, family == AF_INET && !gw ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
	(void)rtnl_route_set_dst(rt, d);
	nl_addr_put(d);
	d = NULL;
	if (idx > 0)
		rtnl_route_nh_set_ifindex(nh, idx);
	if (gw) {
		struct nl_addr *g = build_addr(family, gw, full_prefix(family));

		if (!g) {
			r = -ENOMEM;
			goto fail;
		}
		rtnl_route_nh_set_gateway(nh, g);
		nl_addr_put(g);
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

int net_inet_route_add(struct nl_sock *sk, int family, const void *dst, uint8_t prefix,
		       const char *ifname, const void *gw)
{
	struct rtnl_route *rt = NULL;
	int r = route_build(sk, family, dst, prefix, ifname, gw, &rt);

	if (r < 0)
		return r;
	r = rtnl_route_add(sk, rt, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_route_put(rt);
	return r < 0 ? net_nl_errno(r) : 0;
}

int net_inet_route_del(struct nl_sock *sk, int family, const void *dst, uint8_t prefix,
		       const char *ifname)
{
	struct rtnl_route *rt = NULL;
	int r = route_build(sk, family, dst, prefix, ifname, /* gw= */ NULL, &rt);

	if (r < 0)
		return r;
	r = rtnl_route_delete(sk, rt, 0);
	rtnl_route_put(rt);
	if (r == -NLE_OBJ_NOTFOUND)
		return -ESRCH;
	return r < 0 ? net_nl_errno(r) : 0;
}
