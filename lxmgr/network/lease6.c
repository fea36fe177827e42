/* network-pool6.c: a container's IPv6 (net.ipv6, net.pool6, net.ip6): the bridge's /64 (a
 * ULA derived from the host and the bridge unless net.pool6 says otherwise), each
 * container's address (allocated, unique in the store), and their checks before create and
 * start. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "net/addr6.h"
#include "network/internal.h"
#include "network/network.h"
#include "store/store.h"

#define LOG_STEP "net"

bool network_ipv6_wanted(const struct container_config *cfg)
{
	return !strcmp(cfg->net_ipv6, "yes") || cfg->net_ip6[0];
}

struct pool6_query {
	const struct lxmgr_ctx *ctx;
	const char *self, *bridge;
	struct net_pool6 *pool; /* a pool recorded by another container, if found */
	bool found;
	struct in6_addr *addr; /* the addresses the others hold */
	char **name;
	size_t n;
};

static int visit(void *userdata, const char *name, const struct container_config *c)
{
	struct pool6_query *q = userdata;
	struct in6_addr a;
	char br[IFNAMSIZ];

	if (!strcmp(name, q->self) || c->net_mode != NET_MODE_BRIDGE)
		return 0;
	network_bridge_name(q->ctx, c, br);
	if (strcmp(br, q->bridge) != 0)
		return 0;
	if (!q->found && net_pool6_parse(c->net_pool6, q->pool) >= 0)
		q->found = true;
	if (net_addr6_parse(c->net_ip6, &a) < 0)
		return 0;
	return network_holders_append((void **)&q->addr, sizeof(a), &q->name, &q->n, &a, name);
}

static void query_done(struct pool6_query *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->name[i]);
	free(q->name);
	free(q->addr);
}

/* RFC 4193 §3.2.2 asks for a global id that is unlikely to repeat: a hash of the host's
 * machine-id and the bridge's name, stable across restarts and reboots. */
static void derive_pool6(const char *bridge, struct net_pool6 *ret)
{
	_cleanup_free_ char *id = NULL, *seed = NULL;

	if (read_file_at(AT_FDCWD, "/etc/machine-id", 256, &id, NULL) >= 0)
		id[strcspn(id, "\n")] = '\0';
	if (xasprintf(&seed, "%s:%s", id ? id : "", bridge) < 0) {
		net_pool6_derive(bridge, ret);
		return;
	}
	net_pool6_derive(seed, ret);
}

/* net.ip6 of a bridged container: in the pool, not PREFIX:: or the gateway, held by no one
 * else; or, when unset, the lowest free address (written into cfg). */
static int check_ip6(const struct lxmgr_ctx *ctx, struct container_config *cfg,
		     const struct pool6_query *q, const struct net_pool6 *pool, const char *bridge)
{
	char p[NET_POOL6_STRLEN], text[NET_ADDR6_STRLEN];
	struct in6_addr a;
	int r;

	net_pool6_format(pool, p);
	if (!cfg->net_ip6[0]) {
		r = net_pool6_lease(pool, q->addr, q->n, &a);
		if (r < 0)
			return lx_fail(ctx, LX_SYNTHETIC(r),
				       "the pool %s of %s has no free address", p, bridge);
		(void)snprintf(cfg->net_ip6, sizeof(cfg->net_ip6), "%s",
			       net_addr6_format(&a, text));
		return 0;
	}
	if (net_addr6_parse(cfg->net_ip6, &a) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "net.ip6 '%s' is not an IPv6 address",
			       cfg->net_ip6);
	r = net_pool6_check(pool, &a, q->addr, q->n);
	if (r == -EDOM)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "net.ip6 %s is outside the pool %s of bridge %s (or is its "
			       "PREFIX:: or gateway PREFIX::1)",
			       cfg->net_ip6, p, bridge);
	for (size_t i = 0; r == -EADDRINUSE && i < q->n; i++)
		if (!memcmp(&q->addr[i], &a, sizeof(a)))
			return lx_fail(ctx, LX_SYNTHETIC(r), "net.ip6 %s is in use by container %s",
				       cfg->net_ip6, q->name[i]);
	return 0;
}

/* The /64 must not be routed elsewhere on the host: the bridge's PREFIX::1/64 would take
 * those destinations over. */
static int check_pool6_free(const struct lxmgr_ctx *ctx, struct nl_sock *sk,
			    const struct net_pool6 *pool, const char *bridge)
{
	char p[NET_POOL6_STRLEN], route[128];
	int r = net_route6_find_overlap(sk, pool, bridge, route, sizeof(route));

	if (r < 0)
		return lx_fail(ctx, r, "list the host's IPv6 routes");
	if (r > 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EADDRINUSE),
			       "net.pool6 %s overlaps the host's route %s: set another net.pool6",
			       net_pool6_format(pool, p), route);
	return 0;
}

int network_check_bridge6(const struct lxmgr_ctx *ctx, struct nl_sock *sk, const char *name,
			  struct container_config *cfg, const char *bridge)
{
	__attribute__((cleanup(query_done))) struct pool6_query q = {0};
	struct net_pool6 pool;
	int r;

	if (!network_ipv6_wanted(cfg))
		return 0;
	q = (struct pool6_query){.ctx = ctx, .self = name, .bridge = bridge, .pool = &pool};
	r = store_foreach_config_where(ctx, network_config_may_bridge, visit, &q);
	if (r < 0)
		return lx_fail(ctx, r, "read the IPv6 addresses of the store's containers");
	if (cfg->net_pool6[0]) {
		if (net_pool6_parse(cfg->net_pool6, &pool) < 0)
			return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
				       "net.pool6 '%s' is not an IPv6 /64", cfg->net_pool6);
	} else {
		if (!q.found)
			derive_pool6(bridge, &pool);
		/* Recorded in the container's config, as net.pool is. */
		net_pool6_format(&pool, cfg->net_pool6);
	}
	r = check_pool6_free(ctx, sk, &pool, bridge);
	return r < 0 ? r : check_ip6(ctx, cfg, &q, &pool, bridge);
}

int network_check_routed6(const struct lxmgr_ctx *ctx, const struct container_config *cfg)
{
	struct in6_addr a;

	if (!cfg->net_ip6[0])
		return 0;
	if (net_addr6_parse(cfg->net_ip6, &a) < 0 || IN6_IS_ADDR_LINKLOCAL(&a) ||
	    IN6_IS_ADDR_MULTICAST(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "net.ip6 '%s' is not a unicast IPv6 address a host can route",
			       cfg->net_ip6);
	return 0;
}
