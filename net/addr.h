/* addr.h: IPv4 addresses and routes through libnl-route-3. Addresses are host byte order.
 * Every function acts in the namespace of sk and returns 0 or -errno. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct nl_sock;
struct net_pool;

/* Adds a/prefix to the link ifname (-EEXIST when it is there already). */
int net_addr_add(struct nl_sock *sk, const char *ifname, uint32_t a, uint8_t prefix);

/* Adds a route to dst/prefix in the main table: through gateway gw when gw != 0, else
 * directly on ifname (scope link). ifname may be NULL when gw is given. */
int net_route_add(struct nl_sock *sk, uint32_t dst, uint8_t prefix, const char *ifname,
		  uint32_t gw);
/* Deletes the route to dst/prefix on ifname from the main table; -ESRCH when none. */
int net_route_del(struct nl_sock *sk, uint32_t dst, uint8_t prefix, const char *ifname);

/* The IPv4 destinations of the main table, except default routes and routes through the
 * link except_ifname (may be NULL), as a malloc'd array. */
int net_route_list(struct nl_sock *sk, const char *except_ifname, struct net_pool **ret,
		   size_t *ret_n);

/* The first IPv4 address of ifname and its prefix; -EADDRNOTAVAIL when it has none. */
int net_addr_first(struct nl_sock *sk, const char *ifname, uint32_t *ret, uint8_t *ret_prefix);
