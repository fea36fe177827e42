/* network-internal.h: what network.c and network-pool.c share. */
#pragma once

#include "config.h"
#include "pool.h"

struct lxmgr_ctx;
struct nl_sock;

/* Host-wide, whatever the store: the bridges, ip_forward and nft tables are the host's. The
 * lock orders every change of them (and the address allocation) between lxmgr processes. */
#define NET_HOST_DIR "/run/lxmgr-net"
#define NET_HOST_LOCK NET_HOST_DIR "/lock"

/* Takes the host lock (an fd to close), or reports and returns -errno. */
int network_host_lock(const struct lxmgr_ctx *ctx);
/* A netlink socket in the host's netns, or reports and returns -errno. */
int network_open_host_nl(const struct lxmgr_ctx *ctx, struct nl_sock **ret);
/* The bridge's pool: known (network_known_pool), else picked clear of the host's routes and
 * recorded. Reports errors itself. */
int network_resolve_pool(const struct lxmgr_ctx *ctx, struct nl_sock *sk,
			 const struct container_config *cfg, const char *bridge,
			 struct net_pool *ret);
