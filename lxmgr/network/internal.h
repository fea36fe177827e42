/* network-internal.h: what network.c and network-pool.c share. */
#pragma once

#include "net/pool.h"
#include "net/pool6.h"
#include "network/netdir.h"
#include "store/config.h"

struct container;
struct lxmgr_ctx;
struct runtime_state;
struct nl_sock;

/* Host-wide, whatever the store: the bridges, ip_forward and nft tables are the host's. The
 * lock orders every change of them (and the address allocation) between lxmgr processes. */
#define NET_HOST_DIR LXMGR_NET_DIR
#define NET_HOST_LOCK NET_HOST_DIR "/lock"

/* Takes the host lock (an fd to close) and opens a netlink socket in the host's netns into
 * *ret_sk (to free), or reports and returns -errno. */
int network_host_lock(const struct lxmgr_ctx *ctx, struct nl_sock **ret_sk);
/* The bridge's pool: known (network_known_pool), else picked clear of the host's routes and
 * recorded. Reports errors itself. */
int network_resolve_pool(const struct lxmgr_ctx *ctx, struct nl_sock *sk,
			 const struct container_config *cfg, const char *bridge,
			 struct net_pool *ret);

/* For store_foreach_config_where: false only for a config that says at a glance that it is
 * not bridged (net.mode absent, which is none, or another mode). */
bool network_config_may_bridge(void *userdata, const char *text);

/* Appends addr (size bytes) and a copy of name to the parallel arrays *addrs and *names of
 * *n entries: the addresses the other containers of a bridge hold, and who holds them. */
int network_holders_append(void **addrs, size_t size, char ***names, size_t *n, const void *addr,
			   const char *name);
/* Writes value into *field of rs and rs into RUN/NAME/state (before the object is made). */
int network_record(const struct lxmgr_ctx *ctx, const struct container *c, struct runtime_state *rs,
		   char **field, const char *value);

/* network-pool6.c. */
/* Bridge: the bridge's /64 (net.pool6, else the one another container of the store on the
 * bridge recorded, else derived), written into cfg->net_pool6 when unset, checked against the
 * host's IPv6 routes (through sk), and net.ip6 checked or allocated. No-op without IPv6. 0, or
 * -errno reported. */
int network_check_bridge6(const struct lxmgr_ctx *ctx, struct nl_sock *sk, const char *name,
			  struct container_config *cfg, const char *bridge);
/* Routed: net.ip6, if set, is a unicast address. 0, or -errno reported. */
int network_check_routed6(const struct lxmgr_ctx *ctx, const struct container_config *cfg);

/* network-sysctl.c (host lock held). Turns /proc/sys/net/KEY on if it is off, after recording
 * that in NET_HOST_DIR/SAVED.saved; 0 or -errno reported. */
int network_sysctl_enable(const struct lxmgr_ctx *ctx, const char *key, const char *saved);
/* Turns KEY off again if SAVED.saved records that lxmgr turned it on; warns on failure. */
void network_sysctl_restore(const struct lxmgr_ctx *ctx, const char *key, const char *saved);
/* No lxmgr link is left on the host: every host-wide switch lxmgr turned on goes back off
 * (ip_forward, IPv6 forwarding, proxy_ndp of each uplink). */
void network_sysctl_restore_host(const struct lxmgr_ctx *ctx);

/* network-forward.c. net.forward is valid, needs bridge mode, and no other container's
 * table forwards one of its host ports: 0, or -errno reported. */
int network_forward_check(const struct lxmgr_ctx *ctx, const struct container *c);
/* Records, then makes table ip lxmgr-fwd-VETH with the DNAT rules (host lock held). */
int network_forward_setup(const struct lxmgr_ctx *ctx, const struct container *c,
			  struct runtime_state *rs, const struct net_pool *pool);
/* route_localnet on for bridge (127.0.0.1 of the host forwarded), recorded to be turned off
 * with the bridge's last container (host lock held); 0 or -errno reported. */
int network_forward_localnet(const struct lxmgr_ctx *ctx, const char *bridge);
/* The bridge's last container is gone: route_localnet goes back off if lxmgr turned it on. */
void network_forward_release_bridge(const struct lxmgr_ctx *ctx, const char *bridge);
/* Deletes the recorded forward table; warns on failure. */
void network_forward_teardown(const struct lxmgr_ctx *ctx, struct runtime_state *rs);
/* One warning line per chain of another table whose forward policy drops (start). */
void network_forward_warn_drops(const struct lxmgr_ctx *ctx, const char *bridge);
/* The same on stdout (net check): the count, or -errno reported. */
int network_forward_print_drops(const struct lxmgr_ctx *ctx, const char *bridge);
