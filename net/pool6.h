/* pool6.h: IPv6 addresses and the /64 of a bridge (a ULA by default): parsing, the
 * derived prefix, allocation. Pure functions, checked by tests/test-pool.c. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ADDR6_STRLEN 46 /* INET6_ADDRSTRLEN */
#define NET_POOL6_STRLEN 50 /* address + "/64" */

/* A bridge's IPv6 subnet: always a /64 (what SLAAC-free static addressing and every guest
 * expect of a LAN). */
struct net_pool6 {
	struct in6_addr net; /* the low 64 bits are zero */
};

/* "fd12::5" -> address: -EINVAL unless inet_pton accepts it. */
int net_addr6_parse(const char *s, struct in6_addr *ret);
const char *net_addr6_format(const struct in6_addr *a, char buf[static NET_ADDR6_STRLEN]);
/* "fd12:3456:789a:1::/64" -> pool: -EINVAL unless a /64 with zero host bits, and neither
 * multicast, link-local nor loopback. */
int net_pool6_parse(const char *s, struct net_pool6 *ret);
const char *net_pool6_format(const struct net_pool6 *p, char buf[static NET_POOL6_STRLEN]);
/* The ULA prefix fdXX:XXXX:XXXX:0::/64 whose 40-bit global id is a stable hash (FNV-1a 64)
 * of seed (the host's machine-id and the bridge's name): the same bridge on the same host
 * gets the same prefix, different hosts and bridges almost surely different ones. */
void net_pool6_derive(const char *seed, struct net_pool6 *ret);
/* Whether the route dst/len covers part of the /64 p, or lies inside it. */
bool net_pool6_overlaps(const struct net_pool6 *p, const struct in6_addr *dst, uint8_t len);
/* PREFIX::1, the bridge's address. */
void net_pool6_gateway(const struct net_pool6 *p, struct in6_addr *ret);
bool net_pool6_contains(const struct net_pool6 *p, const struct in6_addr *a);
/* -EDOM outside the pool or for PREFIX:: (subnet-router anycast) and PREFIX::1 (the
 * gateway); -EADDRINUSE when one of used[] holds it; 0 when free. */
int net_pool6_check(const struct net_pool6 *p, const struct in6_addr *a,
		    const struct in6_addr *used, size_t n_used);
/* The lowest free PREFIX::N, N from 2: -ENOSPC after 65535. */
int net_pool6_lease(const struct net_pool6 *p, const struct in6_addr *used, size_t n_used,
		    struct in6_addr *ret);
