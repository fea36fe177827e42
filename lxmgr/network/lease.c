/* network-pool.c: the address pool of a bridge (its subnet, recorded per store), the address
 * of each container (allocated, checked for uniqueness) and the checks before create and
 * start. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/rootless.h"
#include "net/addr.h"
#include "net/bridge.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/nl.h"
#include "network/internal.h"
#include "network/network.h"
#include "store/store.h"

#define LOG_STEP "net"
#define DEFAULT_POOL ((10u << 24) | (77u << 16)) /* 10.77.0.0/24 */

struct pool_query {
	const struct lxmgr_ctx *ctx;
	const char *bridge;
	struct net_pool *pool;
	bool found;
};

bool network_config_may_bridge(void *userdata _unused_, const char *text)
{
	char mode[16];
	int r = config_peek(text, "net", "mode", mode, sizeof(mode));

	return r < 0 || (r > 0 && !strcmp(mode, "bridge"));
}

static int visit_pool(void *userdata, const char *name _unused_, const struct container_config *c)
{
	struct pool_query *q = userdata;
	char br[IFNAMSIZ];

	network_bridge_name(q->ctx, c, br);
	if (!q->found && c->net_mode == NET_MODE_BRIDGE && !strcmp(br, q->bridge) &&
	    net_pool_parse(c->net_pool, q->pool) >= 0)
		q->found = true;
	return 0;
}

/* The pool another container of the store on bridge recorded (net.pool), a create in
 * progress's reservation included. */
static int store_pool(const struct lxmgr_ctx *ctx, const char *bridge, struct net_pool *ret)
{
	struct pool_query q = {.ctx = ctx, .bridge = bridge, .pool = ret};

	int r = store_foreach_config_where(ctx, network_config_may_bridge, visit_pool, &q);

	return r < 0 ? r : q.found ? 0 : -ENOENT;
}

int network_known_pool(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
		       const char *bridge, struct net_pool *ret)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	uint32_t a;
	uint8_t prefix;

	if (cfg->net_pool[0])
		return net_pool_parse(cfg->net_pool, ret);
	/* A bridge that exists with an address of its own (made by lxmgr or someone else). */
	if (net_nl_open(&sk) >= 0 && net_addr_first(sk, bridge, &a, &prefix) >= 0 && prefix >= 8 &&
	    prefix <= 30) {
		*ret = (struct net_pool){.net = a & net_pool_mask(prefix), .prefix = prefix};
		return 0;
	}
	return store_pool(ctx, bridge, ret);
}

/* The first /24 in 10/8 that no host route covers, from 10.77.0.0 in the default store and
 * from a place derived from the store's tag in others. The caller records it (net.pool). */
static int pick_pool(const struct lxmgr_ctx *ctx, struct nl_sock *sk, const char *bridge,
		     struct net_pool *ret)
{
	_cleanup_free_ struct net_pool *routes = NULL;
	struct net_pool want = {.net = DEFAULT_POOL, .prefix = 24};
	const char *tag = ctx->paths.cgroup_tag;
	char text[NET_POOL_STRLEN];
	size_t n = 0;
	int r;

	if (tag && *tag)
		want.net = (10u << 24) | ((uint32_t)strtoul(tag, NULL, 16) & 0xffff) << 8;
	r = net_route_list(sk, bridge, &routes, &n);
	if (r < 0)
		return lx_fail(ctx, r, "list the host's routes");
	r = net_pool_pick_subnet(&want, routes, n, ret);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "every 10.x.y.0/24 collides with a host route: set net.pool in %s",
			       ctx->paths.conf);
	lx_info(ctx, "bridge %s will use the pool %s", bridge, net_pool_format(ret, text));
	return 0;
}

int network_resolve_pool(const struct lxmgr_ctx *ctx, struct nl_sock *sk,
			 const struct container_config *cfg, const char *bridge,
			 struct net_pool *ret)
{
	if (network_known_pool(ctx, cfg, bridge, ret) >= 0)
		return 0;
	return pick_pool(ctx, sk, bridge, ret);
}

struct holders {
	uint32_t *addr;
	char **name; /* strv, parallel to addr */
	size_t n;
};

static void holders_done(struct holders *h)
{
	free(h->addr);
	for (size_t i = 0; i < h->n; i++)
		free(h->name[i]);
	free(h->name);
}

static int holders_push(struct holders *h, uint32_t a, const char *name)
{
	return network_holders_append((void **)&h->addr, sizeof(a), &h->name, &h->n, &a, name);
}

struct holder_query {
	const struct lxmgr_ctx *ctx;
	const char *self, *bridge;
	struct holders *h;
};

static int push_holder(void *userdata, const char *name, const struct container_config *c)
{
	struct holder_query *q = userdata;
	char br[IFNAMSIZ];
	uint32_t a;

	if (!strcmp(name, q->self) || c->net_mode != NET_MODE_BRIDGE)
		return 0;
	network_bridge_name(q->ctx, c, br);
	if (strcmp(br, q->bridge) != 0 || net_addr_parse(c->net_ip, &a) < 0)
		return 0;
	return holders_push(q->h, a, name) == -ENOMEM ? -ENOMEM : 0;
}

/* Addresses the other containers of the store hold on bridge. */
static int collect_holders(const struct lxmgr_ctx *ctx, const char *self, const char *bridge,
			   struct holders *ret)
{
	struct holder_query q = {.ctx = ctx, .self = self, .bridge = bridge, .h = ret};

	return store_foreach_config_where(ctx, network_config_may_bridge, push_holder, &q);
}

/* net.ip of a bridged container: in the pool, not the gateway, held by no one else; or, when
 * unset and allocate is true, the lowest free address (written into cfg). */
static int check_bridge_ip(const struct lxmgr_ctx *ctx, const char *name,
			   struct container_config *cfg, const char *bridge,
			   const struct net_pool *pool, bool allocate)
{
	__attribute__((cleanup(holders_done))) struct holders h = {0};
	char p[NET_POOL_STRLEN], a_text[NET_ADDR_STRLEN];
	uint32_t a;
	int r;

	r = collect_holders(ctx, name, bridge, &h);
	if (r < 0)
		return lx_fail(ctx, r, "read the addresses of the store's containers");
	net_pool_format(pool, p);
	if (!cfg->net_ip[0]) {
		if (!allocate)
			return 0;
		r = net_pool_lease(pool, h.addr, h.n, &a);
		if (r < 0)
			return lx_fail(ctx, LX_SYNTHETIC(r),
				       "the pool %s of %s has no free address", p, bridge);
		(void)snprintf(cfg->net_ip, sizeof(cfg->net_ip), "%s", net_addr_format(a, a_text));
		return 0;
	}
	if (net_addr_parse(cfg->net_ip, &a) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "net.ip '%s' is not an IPv4 address",
			       cfg->net_ip);
	r = net_pool_check(pool, a, h.addr, h.n);
	if (r == -EDOM)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "net.ip %s is outside the pool %s of bridge %s (or is its network, "
			       "gateway or broadcast address)",
			       cfg->net_ip, p, bridge);
	for (size_t i = 0; r == -EADDRINUSE && i < h.n; i++)
		if (h.addr[i] == a)
			return lx_fail(ctx, LX_SYNTHETIC(r), "net.ip %s is in use by container %s",
				       cfg->net_ip, h.name[i]);
	return 0;
}

static int check_bridge(const struct lxmgr_ctx *ctx, struct nl_sock *sk, const char *name,
			struct container_config *cfg, bool allocate)
{
	struct net_pool pool;
	char bridge[IFNAMSIZ];
	int r;

	network_bridge_name(ctx, cfg, bridge);
	r = net_bridge_check(sk, bridge);
	if (r == -EMEDIUMTYPE)
		return lx_fail(ctx, LX_SYNTHETIC(r), "net.bridge %s exists and is not a bridge",
			       bridge);
	if (r < 0 && r != -ENODEV)
		return lx_fail(ctx, r, "look up the bridge %s", bridge);
	r = network_resolve_pool(ctx, sk, cfg, bridge, &pool);
	if (r < 0)
		return r;
	/* Recorded in the container's config: its address stays valid whatever the host's
	 * routes or lxmgr.conf say later. */
	if (!cfg->net_pool[0])
		net_pool_format(&pool, cfg->net_pool);
	r = check_bridge_ip(ctx, name, cfg, bridge, &pool, allocate);
	return r < 0 ? r : network_check_bridge6(ctx, sk, name, cfg, bridge);
}

static int check_routed(const struct lxmgr_ctx *ctx, struct nl_sock *sk,
			const struct container_config *cfg)
{
	uint32_t a;
	int r;

	if (!cfg->net_ip[0] || net_addr_parse(cfg->net_ip, &a) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "routed mode needs the container's address (--ip or net.ip)");
	if (!cfg->net_uplink[0])
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "routed mode needs the host interface that reaches the network "
			       "(--uplink or net.uplink)");
	r = net_link_index(sk, cfg->net_uplink);
	if (r == -ENODEV)
		return lx_fail(ctx, LX_SYNTHETIC(r), "net.uplink %s: no such interface on the host",
			       cfg->net_uplink);
	if (r < 0)
		return lx_fail(ctx, r, "look up %s", cfg->net_uplink);
	return network_check_routed6(ctx, cfg);
}

/* Runs the checks of cfg's mode under the host lock. */
static int check_config(const struct lxmgr_ctx *ctx, const char *name, struct container_config *cfg,
			bool allocate)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_close_ int lock = -EBADF;

	if (cfg->net_mode != NET_MODE_BRIDGE && cfg->net_mode != NET_MODE_ROUTED)
		return 0;
	lock = network_host_lock(ctx, &sk);
	if (lock < 0)
		return lock;
	if (cfg->net_mode == NET_MODE_ROUTED)
		return check_routed(ctx, sk, cfg);
	return check_bridge(ctx, sk, name, cfg, allocate);
}

/* lxmgr.conf's net.mode when it sets one, else bridge: the built-in default stays none so
 * that configs written before bridge mode existed keep the network they had. */
static enum net_mode default_mode(const struct lxmgr_ctx *ctx)
{
	_cleanup_(config_done) struct container_config scratch;

	config_init_defaults(&scratch);
	scratch.net_mode = _NET_MODE_MAX;
	if (config_parse_file(ctx->paths.conf, true, &scratch, NULL) < 0 ||
	    scratch.net_mode == _NET_MODE_MAX)
		return rootless_active() ? NET_MODE_PASTA : NET_MODE_BRIDGE;
	return scratch.net_mode;
}

static int apply_request(const struct lxmgr_ctx *ctx, struct container_config *cfg,
			 const struct network_request *req)
{
	struct in6_addr a6;
	uint32_t a;

	cfg->net_mode = default_mode(ctx);
	if (req->mode && net_mode_from_string(req->mode, &cfg->net_mode) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "unknown network mode '%s' (none, host, bridge, routed or pasta)",
			       req->mode);
	/* A bridge, a veth and nft need root; so does the host's own network namespace. */
	if (rootless_active() && cfg->net_mode != NET_MODE_NONE && cfg->net_mode != NET_MODE_PASTA)
		return lx_fail(ctx, LX_SYNTHETIC(-EPERM),
			       "net.mode %s needs root: a rootless container takes pasta or none",
			       net_mode_to_string(cfg->net_mode));
	if (req->ip && net_addr_parse(req->ip, &a) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--ip %s is not an IPv4 address",
			       req->ip);
	if (req->ip6 && net_addr6_parse(req->ip6, &a6) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--ip6 %s is not an IPv6 address",
			       req->ip6);
	if (req->ip6)
		(void)snprintf(cfg->net_ip6, sizeof(cfg->net_ip6), "%s", req->ip6);
	if (req->uplink && !net_link_name_is_valid(req->uplink))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--uplink %s is not an interface name",
			       req->uplink);
	if (req->ip)
		(void)snprintf(cfg->net_ip, sizeof(cfg->net_ip), "%s", req->ip);
	if (req->forward && req->forward[0]) {
		struct net_forward f[NET_FORWARD_MAX];

		if (net_forward_parse(req->forward, f, NET_FORWARD_MAX) < 0 ||
		    strlen(req->forward) >= sizeof(cfg->net_forward))
			return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
				       "--forward %s is not PROTO:HOSTPORT:PORT (tcp or udp, ports "
				       "1-65535, each host port once)",
				       req->forward);
		if (cfg->net_mode != NET_MODE_BRIDGE && cfg->net_mode != NET_MODE_PASTA)
			return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
				       "--forward needs --net bridge or pasta");
		(void)snprintf(cfg->net_forward, sizeof(cfg->net_forward), "%s", req->forward);
	}
	if (req->uplink)
		(void)snprintf(cfg->net_uplink, sizeof(cfg->net_uplink), "%s", req->uplink);
	if ((req->ip || req->ip6 || req->uplink) && cfg->net_mode != NET_MODE_BRIDGE &&
	    cfg->net_mode != NET_MODE_ROUTED)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--ip, --ip6 and --uplink need --net %s",
			       req->uplink ? "routed" : "bridge or routed");
	if (req->uplink && cfg->net_mode != NET_MODE_ROUTED)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--uplink needs --net routed");
	return 0;
}

int network_prepare_create(const struct lxmgr_ctx *ctx, const char *name,
			   struct container_config *cfg, const struct network_request *req)
{
	int r = apply_request(ctx, cfg, req);

	return r < 0 ? r : check_config(ctx, name, cfg, /* allocate= */ true);
}

/* Writes key = value into c's config if it was unset before the checks. */
static int persist(const struct lxmgr_ctx *ctx, const struct container *c, const char *key,
		   bool was_set, const char *value)
{
	struct config_error e = {0};
	int r;

	if (was_set || !value[0])
		return 0;
	r = config_edit_file(c->config_path, key, value, &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	lx_info(ctx, "recorded %s = %s", key, value);
	return 0;
}

int network_check(const struct lxmgr_ctx *ctx, struct container *c)
{
	bool had_ip = c->cfg.net_ip[0] != '\0', had_pool = c->cfg.net_pool[0] != '\0';
	bool had_ip6 = c->cfg.net_ip6[0] != '\0', had_pool6 = c->cfg.net_pool6[0] != '\0';
	_cleanup_close_ int lock = -EBADF;
	int r;

	/* An address chosen here is another create's or start's to see only once persisted:
	 * the store's allocation lock is held from the check until then. */
	if (c->cfg.net_mode == NET_MODE_BRIDGE) {
		lock = store_lock_alloc(ctx);
		if (lock < 0)
			return log_fail_full(ctx, "store", lock, "lock %s/" STORE_ALLOC_LOCK,
					     ctx->paths.run);
	}
	r = check_config(ctx, c->name, &c->cfg, /* allocate= */ true);
	/* Kept across restarts: the address and the pool go into the config. */
	if (r >= 0 && c->cfg.net_mode == NET_MODE_BRIDGE)
		r = persist(ctx, c, "net.pool", had_pool, c->cfg.net_pool);
	if (r >= 0 && c->cfg.net_mode == NET_MODE_BRIDGE)
		r = persist(ctx, c, "net.ip", had_ip, c->cfg.net_ip);
	if (r >= 0 && c->cfg.net_mode == NET_MODE_BRIDGE)
		r = persist(ctx, c, "net.pool6", had_pool6, c->cfg.net_pool6);
	if (r >= 0 && c->cfg.net_mode == NET_MODE_BRIDGE)
		r = persist(ctx, c, "net.ip6", had_ip6, c->cfg.net_ip6);
	return r < 0 ? r : network_forward_check(ctx, c);
}
