/* routed.h: the host side of a routed container: its route and its proxy ARP entry. */
#pragma once

#include <netinet/in.h>
#include <stdint.h>

struct nl_sock;

/* The link-local address the host end of every routed veth holds; the container's default
 * route points at it. */
#define NET_ROUTED_GATEWAY ((169u << 24) | (254u << 16) | 1u) /* 169.254.0.1 */

/* On the host: NET_ROUTED_GATEWAY/32 on veth, veth up, a /32 route to addr through veth, and
 * a proxy ARP entry for addr on uplink so that hosts on the uplink's network reach it. */
int net_routed_add(struct nl_sock *sk, const char *veth, const char *uplink, uint32_t addr);
/* Removes the proxy ARP entry and the route (the route also goes with the veth). Missing
 * entries are not an error. */
int net_routed_remove(struct nl_sock *sk, const char *veth, const char *uplink, uint32_t addr);

/* IPv6: the link-local address the host end holds (fe80::1), the container's gateway. */
void net_routed_gateway6(struct in6_addr *ret);
/* On the host (after net_routed_add made the veth up): fe80::1/64 on veth, a /128 route to
 * addr through it, and a proxy NDP entry for addr on uplink (answered when proxy_ndp and
 * forwarding are on for uplink). */
int net_routed6_add(struct nl_sock *sk, const char *veth, const char *uplink,
		    const struct in6_addr *addr);
/* Removes the proxy NDP entry (the route goes with the veth); missing is not an error. */
int net_routed6_remove(struct nl_sock *sk, const char *uplink, const struct in6_addr *addr);
