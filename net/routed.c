/* routed.c: the host side of a routed container: its route and its proxy ARP entry. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>

#include <netlink/route/neighbour.h>

#include "net/addr.h"
#include "net/addr6.h"
#include "net/link.h"
#include "net/nl.h"
#include "net/routed.h"

/* A proxy neighbour entry (ip neigh add proxy ADDR dev UPLINK): the kernel answers ARP
 * requests for addr that arrive on uplink, when forwarding is on. */
static int proxy_neigh_bytes(struct nl_sock *sk, const char *uplink, int family, const void *addr,
			     size_t len, bool add)
{
	struct rtnl_neigh *n;
	struct nl_addr *dst;
	int idx = net_link_index(sk, uplink), r;

	if (idx < 0)
		return idx;
	n = rtnl_neigh_alloc();
	dst = nl_addr_build(family, addr, len);
	if (!n || !dst) {
		r = -ENOMEM;
		goto out;
	}
	rtnl_neigh_set_ifindex(n, idx);
	rtnl_neigh_set_family(n, family);
	rtnl_neigh_set_flags(n, NTF_PROXY);
	r = rtnl_neigh_set_dst(n, dst);
	if (r >= 0)
		r = add ? rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE)
			: rtnl_neigh_delete(sk, n, 0);
	r = r < 0 ? net_nl_errno(r) : 0;
out:
	if (dst)
		nl_addr_put(dst);
	if (n)
		rtnl_neigh_put(n);
	return r;
}

static int proxy_neigh(struct nl_sock *sk, const char *uplink, uint32_t addr, bool add)
{
	uint32_t be = htonl(addr);

	return proxy_neigh_bytes(sk, uplink, AF_INET, &be, sizeof(be), add);
}

int net_routed_add(struct nl_sock *sk, const char *veth, const char *uplink, uint32_t addr)
{
	int r;

	r = net_addr_add(sk, veth, NET_ROUTED_GATEWAY, 32);
	if (r >= 0)
		r = net_link_up(sk, veth);
	if (r >= 0)
		r = net_route_add(sk, addr, 32, veth, 0);
	if (r >= 0)
		r = proxy_neigh(sk, uplink, addr, true);
	return r;
}

int net_routed_remove(struct nl_sock *sk, const char *veth, const char *uplink, uint32_t addr)
{
	int r = proxy_neigh(sk, uplink, addr, false);

	if (r == -ENODEV)
		r = 0;
	if (veth) {
		int q = net_route_del(sk, addr, 32, veth);

		if (q < 0 && q != -ESRCH && q != -ENODEV && r >= 0)
			r = q;
	}
	return r;
}

void net_routed_gateway6(struct in6_addr *ret)
{
	*ret = (struct in6_addr){.s6_addr = {0xfe, 0x80, [15] = 1}};
}

int net_routed6_add(struct nl_sock *sk, const char *veth, const char *uplink,
		    const struct in6_addr *addr)
{
	struct in6_addr gw;
	int r;

	net_routed_gateway6(&gw);
	r = net_addr6_add(sk, veth, &gw, 64);
	if (r >= 0)
		r = net_route6_add(sk, addr, 128, veth, NULL);
	if (r >= 0)
		r = proxy_neigh_bytes(sk, uplink, AF_INET6, addr, sizeof(*addr), true);
	return r;
}

int net_routed6_remove(struct nl_sock *sk, const char *uplink, const struct in6_addr *addr)
{
	int r = proxy_neigh_bytes(sk, uplink, AF_INET6, addr, sizeof(*addr), false);

	return r == -ENODEV || r == -ENOENT ? 0 : r;
}
