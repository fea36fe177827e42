/* pool.h: IPv4 subnets and addresses: parsing, the address pool of a bridge, subnet choice.
 * Pure functions (no I/O), so that tests/test-pool.c checks them exactly. Addresses and
 * networks are uint32_t in host byte order. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ADDR_STRLEN 16 /* "255.255.255.255" */
#define NET_POOL_STRLEN 19 /* "255.255.255.255/32" */

struct net_pool {
	uint32_t net;   /* network address (host bits zero) */
	uint8_t prefix; /* 8..30 for a pool; up to 32 for routes */
};

/* "10.77.0.5" -> address. -EINVAL unless four decimal octets. */
int net_addr_parse(const char *s, uint32_t *ret);
/* Address to text in buf. Returns buf. */
const char *net_addr_format(uint32_t a, char buf[static NET_ADDR_STRLEN]);
/* "10.77.0.0/24" -> pool. Host bits must be zero; prefix 8-30 (a pool holds at least one
 * address besides the gateway). -EINVAL otherwise. */
int net_pool_parse(const char *s, struct net_pool *ret);
const char *net_pool_format(const struct net_pool *p, char buf[static NET_POOL_STRLEN]);

uint32_t net_pool_mask(uint8_t prefix);
/* The gateway is the first host address (network + 1); the bridge holds it. */
uint32_t net_pool_gateway(const struct net_pool *p);
bool net_pool_contains(const struct net_pool *p, uint32_t a);
bool net_pool_overlaps(const struct net_pool *a, const struct net_pool *b);

/* Whether a can be given to a container: -EDOM when a is outside the pool or is its
 * network, gateway or broadcast address; -EADDRINUSE when one of used[] holds it; 0 free. */
int net_pool_check(const struct net_pool *p, uint32_t a, const uint32_t *used, size_t n_used);
/* The lowest free address of the pool (never the gateway): -ENOSPC when all are taken. */
int net_pool_lease(const struct net_pool *p, const uint32_t *used, size_t n_used, uint32_t *ret);

/* The first /24 in 10.0.0.0/8, starting at preferred and wrapping round, that overlaps
 * none of taken[] (the host's routes). -ENOSPC when every one does. */
int net_pool_pick_subnet(const struct net_pool *preferred, const struct net_pool *taken,
			 size_t n_taken, struct net_pool *ret);
