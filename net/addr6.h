/* addr6.h: IPv6 addresses and routes through libnl-route-3, in the namespace of sk; 0 or
 * -errno. */
#pragma once

#include <netinet/in.h>
#include <stdint.h>

struct nl_sock;
struct net_pool6;

/* Adds a/prefix to ifname without duplicate address detection (lxmgr keeps the addresses
 * of a pool unique itself, and an address under DAD is not usable for a second or two);
 * -EEXIST when it is there already. */
int net_addr6_add(struct nl_sock *sk, const char *ifname, const struct in6_addr *a, uint8_t prefix);
/* Adds a route to dst/prefix (the default route for prefix 0) on ifname, through gw when gw
 * is not NULL. */
int net_route6_add(struct nl_sock *sk, const struct in6_addr *dst, uint8_t prefix,
		   const char *ifname, const struct in6_addr *gw);
/* Deletes the route to dst/prefix on ifname; -ESRCH when none. */
int net_route6_del(struct nl_sock *sk, const struct in6_addr *dst, uint8_t prefix,
		   const char *ifname);
/* The first main-table IPv6 route, other than the default route and routes through
 * except_ifname (may be NULL), whose destination overlaps pool: 1 and its text
 * ("DST/LEN dev IF") in ret, 0 when none, or -errno. */
int net_route6_find_overlap(struct nl_sock *sk, const struct net_pool6 *pool,
			    const char *except_ifname, char *ret, size_t size);
/* Whether ifname holds a (0 no, 1 yes, or -errno). */
int net_addr6_has(struct nl_sock *sk, const char *ifname, const struct in6_addr *a);
