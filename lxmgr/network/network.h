/* network.h: a container's network (DESIGN §7): the checks before start, the setup the monitor
 * does between clone3 and SYNC_IDMAP_DONE, and its undo. Built on net/ (libnl, libnftables). */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/pool.h"
#include "store/config.h"

struct lxmgr_ctx;
struct container;
struct runtime_state;

/* What create was asked for: NULL fields were not given. */
struct network_request {
	const char *mode;
	const char *ip;
	const char *ip6; /* --ip6: bridge (implies net.ipv6) or routed */
	const char *uplink;
	const char *forward; /* net.forward: "tcp:8080:80 udp:5353:53" */
};

/* create: applies the request to cfg (mode default: lxmgr.conf's net.mode, else bridge),
 * validates it against the host and the store, and allocates net.ip from the pool. Reports
 * every error itself (one line, before anything is created); 0 or -errno. */
int network_prepare_create(const struct lxmgr_ctx *ctx, const char *name,
			   struct container_config *cfg, const struct network_request *req);

/* start, before anything is made: the same checks; a bridged container without net.ip gets
 * one now, written to its config. Reports errors itself. */
int network_check(const struct lxmgr_ctx *ctx, struct container *c);

/* The monitor, once init's pid exists and before init runs: host objects (bridge, nft table,
 * ip_forward, veth pair; each recorded in rs and written to RUN/NAME/state first), then eth0,
 * its address, routes and lo inside the container's netns. Reports errors itself. */
int network_setup(const struct lxmgr_ctx *ctx, struct container *c, pid_t pid,
		  struct runtime_state *rs);

/* Removes what rs records (veth, proxy ARP entry, and the bridge and its nft table when the
 * last of their ports is gone and lxmgr made them; restores ip_forward when the last lxmgr
 * link is gone). Failures are warnings; returns the first error or 0. Clears the fields. */
int network_teardown(const struct lxmgr_ctx *ctx, struct runtime_state *rs);

/* Whether cfg asks for IPv6 (net.ipv6 = yes, or a net.ip6). */
bool network_ipv6_wanted(const struct container_config *cfg);

/* Names and values for info and net show. */
void network_bridge_name(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
			 char ret[static IFNAMSIZ]);
void network_veth_name(const struct lxmgr_ctx *ctx, const char *name, char ret[static IFNAMSIZ]);
void network_container_mac(const struct container_config *cfg, uint8_t ret[static 6]);
/* The pool of a bridge as the store knows it: net.pool, the store's record, or the bridge's
 * own address. -ENOENT when none is known yet. */
int network_known_pool(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
		       const char *bridge, struct net_pool *ret);
