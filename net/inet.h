/* inet.h: address and route requests of either IP family (AF_INET or AF_INET6), on which
 * addr.c and addr6.c build. Addresses are in network byte order, 4 or 16 bytes by family.
 * Every function acts in the namespace of sk and returns 0 or -errno. */
#pragma once

#include <stdint.h>

struct nl_sock;

/* Adds local/prefix of family to the link ifname, with the broadcast address broadcast when
 * it is not NULL and the IFA_F_* flags; -EEXIST when it is there already. */
int net_inet_addr_add(struct nl_sock *sk, const char *ifname, int family, const void *local,
		      uint8_t prefix, const void *broadcast, unsigned flags);

/* Adds a route to dst/prefix of family in the main table, on ifname, through gw when gw is
 * not NULL. ifname may be NULL when gw is given. An IPv4 route without gw has link scope. */
int net_inet_route_add(struct nl_sock *sk, int family, const void *dst, uint8_t prefix,
		       const char *ifname, const void *gw);
/* Deletes the route to dst/prefix of family on ifname from the main table; -ESRCH when none. */
int net_inet_route_del(struct nl_sock *sk, int family, const void *dst, uint8_t prefix,
		       const char *ifname);
