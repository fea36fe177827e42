/* dnsmasq.h: one dnsmasq per bridge, started by lxmgr: DHCP that hands each container its
 * recorded address (by MAC), and DNS for NAME.lxmgr on the bridge's gateway address only.
 * Its files live in /run/lxmgr-net/dnsmasq-BRIDGE.{pid,hosts,dhcp,leases}. The callers hold
 * network.c's host lock. */
#pragma once

#include <stdbool.h>

#include "net/pool.h"

struct lxmgr_ctx;

struct dnsmasq_conf {
	const char *bridge;
	struct net_pool pool; /* DHCP range (static leases only) and the gateway it listens on */
	bool forward;         /* forward other names to the host's resolvers; false: none */
};

/* Starts the bridge's dnsmasq unless it runs. Reports errors itself (a port held by another
 * process among them). */
int dnsmasq_ensure(const struct lxmgr_ctx *ctx, const struct dnsmasq_conf *c);
/* Adds or replaces the DHCP reservation and the NAME.lxmgr entries of name (A, and AAAA when
 * ip6 is not NULL), and makes dnsmasq read them again. -EINVAL when name is not a DNS label
 * (nothing is added). */
int dnsmasq_set_host(const char *bridge, const char *name, const char *mac, const char *ip,
		     const char *ip6);
int dnsmasq_remove_host(const char *bridge, const char *name, const char *mac);
/* Stops the bridge's dnsmasq and removes its files; 1 if one ran. */
int dnsmasq_stop(const char *bridge);
