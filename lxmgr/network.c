/* network.c: a container's network: checks, the monitor's setup before init runs, teardown. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "bridge.h"
#include "cleanup.h"
#include "link.h"
#include "log.h"
#include "lxmgr.h"
#include "nat.h"
#include "network.h"
#include "nl.h"
#include "routed.h"
#include "runtime.h"
#include "store.h"
#include "util.h"
#include "veth.h"

#define LOG_STEP "net"

/* Host-wide, whatever the store: the bridges, ip_forward and nft tables are the host's. The
 * lock orders every change of them (and the address allocation) between lxmgr processes. */
#define NET_HOST_DIR "/run/lxmgr-net"
#define NET_HOST_LOCK NET_HOST_DIR "/lock"
/* Present while lxmgr holds ip_forward at 1 after finding it at 0. */
#define NET_IP_FORWARD_SAVED NET_HOST_DIR "/ip_forward.saved"
#define ALIAS_PREFIX "lxmgr:"
#define ALIAS_BRIDGE "lxmgr:bridge"
#define DEFAULT_BRIDGE "lxmgrbr0"
#define DEFAULT_POOL ((10u << 24) | (77u << 16)) /* 10.77.0.0/24 */

static int host_lock(const struct lxmgr_ctx *ctx)
{
	int fd, r;

	r = mkdir_p(NET_HOST_DIR, 0755);
	if (r < 0)
		return lx_fail(ctx, r, "create %s", NET_HOST_DIR);
	fd = open(NET_HOST_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return lx_fail(ctx, -errno, "open %s", NET_HOST_LOCK);
	if (flock(fd, LOCK_EX) < 0) {
		r = -errno;
		(void)close(fd);
		return lx_fail(ctx, r, "lock %s", NET_HOST_LOCK);
	}
	return fd;
}

static int open_host_nl(const struct lxmgr_ctx *ctx, struct nl_sock **ret)
{
	int r = net_nl_open(ret);

	return r < 0 ? lx_fail(ctx, r, "open a netlink socket") : 0;
}

void network_bridge_name(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
			 char ret[static IFNAMSIZ])
{
	const char *tag = ctx->paths.cgroup_tag;

	/* A store of its own (--root) gets a bridge of its own: two stores never hand out the
	 * same address on one bridge. */
	if (cfg->net_bridge[0])
		(void)snprintf(ret, IFNAMSIZ, "%s", cfg->net_bridge);
	else if (tag && *tag)
		(void)snprintf(ret, IFNAMSIZ, "lxbr-%.8s", tag);
	else
		(void)snprintf(ret, IFNAMSIZ, "%s", DEFAULT_BRIDGE);
}

void network_veth_name(const struct lxmgr_ctx *ctx, const char *name, char ret[static IFNAMSIZ])
{
	net_veth_name(ctx->paths.cgroup_tag, name, ret);
}

void network_container_mac(const struct container_config *cfg, uint8_t ret[static 6])
{
	if (!cfg->net_mac[0] || net_mac_parse(cfg->net_mac, ret) < 0)
		net_mac_from_uuid(cfg->uuid ? cfg->uuid : "", /* salt= */ 0, ret);
}

static int pool_record_path(const struct lxmgr_ctx *ctx, const char *bridge, char **ret)
{
	return xasprintf(ret, "%s/.net/pool-%s", ctx->paths.lib, bridge);
}

static int read_pool_record(const struct lxmgr_ctx *ctx, const char *bridge, struct net_pool *ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	r = pool_record_path(ctx, bridge, &path);
	if (r >= 0)
		r = read_file_at(AT_FDCWD, path, 64, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	return net_pool_parse(text, ret);
}

static int write_pool_record(const struct lxmgr_ctx *ctx, const char *bridge,
			     const struct net_pool *p)
{
	_cleanup_free_ char *path = NULL, *dir = NULL;
	char text[NET_POOL_STRLEN + 1];
	int r;

	r = xasprintf(&dir, "%s/.net", ctx->paths.lib);
	if (r >= 0)
		r = mkdir_p(dir, 0755);
	if (r >= 0)
		r = pool_record_path(ctx, bridge, &path);
	if (r < 0)
		return r;
	net_pool_format(p, text);
	strcat(text, "\n");
	return write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0644);
}

int network_known_pool(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
		       const char *bridge, struct net_pool *ret)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	uint32_t a;
	uint8_t prefix;

	if (cfg->net_pool[0])
		return net_pool_parse(cfg->net_pool, ret);
	if (read_pool_record(ctx, bridge, ret) >= 0)
		return 0;
	/* A bridge that exists with an address of its own (made by lxmgr or someone else). */
	if (net_nl_open(&sk) < 0 || net_addr_first(sk, bridge, &a, &prefix) < 0 || prefix < 8 ||
	    prefix > 30)
		return -ENOENT;
	*ret = (struct net_pool){.net = a & net_pool_mask(prefix), .prefix = prefix};
	return 0;
}

/* The first /24 in 10/8 that no host route covers, from 10.77.0.0 in the default store and
 * from a place derived from the store's tag in others. Recorded: addresses stay valid. */
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
	r = write_pool_record(ctx, bridge, ret);
	if (r < 0)
		return lx_fail(ctx, r, "record the pool of %s", bridge);
	lx_info(ctx, "bridge %s will use the pool %s", bridge, net_pool_format(ret, text));
	return 0;
}

static int resolve_pool(const struct lxmgr_ctx *ctx, struct nl_sock *sk,
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
	uint32_t *na = realloc(h->addr, (h->n + 1) * sizeof(*na));
	char **nn;

	if (!na)
		return -ENOMEM;
	h->addr = na;
	nn = realloc(h->name, (h->n + 1) * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	h->name = nn;
	h->name[h->n] = strdup(name);
	if (!h->name[h->n])
		return -ENOMEM;
	h->addr[h->n++] = a;
	return 0;
}

/* Addresses the other containers of the store hold on bridge. */
static int collect_holders(const struct lxmgr_ctx *ctx, const char *self, const char *bridge,
			   struct holders *ret)
{
	_cleanup_strv_ char **names = NULL;
	int r;

	r = store_list_names(ctx, &names);
	if (r < 0)
		return r;
	STRV_FOREACH(name, names) {
		_cleanup_free_ char *path = NULL;
		struct container_config c;
		char br[IFNAMSIZ];
		uint32_t a;

		if (!strcmp(*name, self) ||
		    xasprintf(&path, "%s/%s/config", ctx->paths.lib, *name) < 0)
			continue;
		config_init_defaults(&c);
		r = config_parse_file(path, false, &c, NULL);
		network_bridge_name(ctx, &c, br);
		if (r >= 0 && c.net_mode == NET_MODE_BRIDGE && !strcmp(br, bridge) &&
		    net_addr_parse(c.net_ip, &a) >= 0)
			r = holders_push(ret, a, *name);
		config_done(&c);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
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
	r = resolve_pool(ctx, sk, cfg, bridge, &pool);
	if (r < 0)
		return r;
	return check_bridge_ip(ctx, name, cfg, bridge, &pool, allocate);
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
	return r < 0 ? lx_fail(ctx, r, "look up %s", cfg->net_uplink) : 0;
}

/* Runs the checks of cfg's mode under the host lock. */
static int check_config(const struct lxmgr_ctx *ctx, const char *name, struct container_config *cfg,
			bool allocate)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_close_ int lock = -EBADF;
	int r;

	if (cfg->net_mode != NET_MODE_BRIDGE && cfg->net_mode != NET_MODE_ROUTED)
		return 0;
	lock = host_lock(ctx);
	if (lock < 0)
		return lock;
	r = open_host_nl(ctx, &sk);
	if (r < 0)
		return r;
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
		return NET_MODE_BRIDGE;
	return scratch.net_mode;
}

static int apply_request(const struct lxmgr_ctx *ctx, struct container_config *cfg,
			 const struct network_request *req)
{
	uint32_t a;

	cfg->net_mode = default_mode(ctx);
	if (req->mode && net_mode_from_string(req->mode, &cfg->net_mode) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "unknown network mode '%s' (none, host, bridge or routed)",
			       req->mode);
	if (req->ip && net_addr_parse(req->ip, &a) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--ip %s is not an IPv4 address",
			       req->ip);
	if (req->uplink && !net_link_name_is_valid(req->uplink))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--uplink %s is not an interface name",
			       req->uplink);
	if (req->ip)
		(void)snprintf(cfg->net_ip, sizeof(cfg->net_ip), "%s", req->ip);
	if (req->uplink)
		(void)snprintf(cfg->net_uplink, sizeof(cfg->net_uplink), "%s", req->uplink);
	if ((req->ip || req->uplink) && cfg->net_mode != NET_MODE_BRIDGE &&
	    cfg->net_mode != NET_MODE_ROUTED)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--ip and --uplink need --net %s",
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

int network_check(const struct lxmgr_ctx *ctx, struct container *c)
{
	struct config_error e = {0};
	bool had_ip = c->cfg.net_ip[0] != '\0';
	int r;

	r = check_config(ctx, c->name, &c->cfg, /* allocate= */ true);
	if (r < 0 || had_ip || !c->cfg.net_ip[0])
		return r;
	/* Kept across restarts: the address goes into the config. */
	r = config_edit_file(c->config_path, "net.ip", c->cfg.net_ip, &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	lx_info(ctx, "allocated %s", c->cfg.net_ip);
	return 0;
}

static int record(const struct lxmgr_ctx *ctx, const struct container *c, struct runtime_state *rs,
		  char **field, const char *value)
{
	int r;

	free(*field);
	*field = strdup(value);
	if (!*field)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	/* The journal of host objects: written before the object exists. */
	r = runtime_state_write(c->rundir, rs);
	return r < 0 ? lx_fail(ctx, r, "write %s/state", c->rundir) : 0;
}

static int ensure_ip_forward(const struct lxmgr_ctx *ctx)
{
	bool on;
	int r;

	r = net_ip_forward_get(&on);
	if (r < 0)
		return lx_fail(ctx, r, "read net.ipv4.ip_forward");
	if (on)
		return 0;
	r = write_file_atomic_at(AT_FDCWD, NET_IP_FORWARD_SAVED, "0\n", 2, 0644);
	if (r >= 0)
		r = net_ip_forward_set(true);
	if (r < 0)
		return lx_fail(ctx, r, "turn net.ipv4.ip_forward on");
	lx_info(ctx, "turned net.ipv4.ip_forward on (it is turned off again with the last "
		     "container)");
	return 0;
}

/* The bridge (made on demand, with the gateway) and its masquerade rule. */
static int setup_bridge_host(const struct lxmgr_ctx *ctx, struct container *c,
			     struct runtime_state *rs, struct nl_sock *sk, struct net_pool *ret)
{
	char bridge[IFNAMSIZ], table[64], p[NET_POOL_STRLEN];
	int r;

	network_bridge_name(ctx, &c->cfg, bridge);
	r = resolve_pool(ctx, sk, &c->cfg, bridge, ret);
	if (r < 0)
		return r;
	r = record(ctx, c, rs, &rs->net_bridge, bridge);
	if (r < 0)
		return r;
	r = net_bridge_check(sk, bridge);
	if (r == -ENODEV) {
		r = net_bridge_create(sk, bridge, ALIAS_BRIDGE, net_pool_gateway(ret), ret->prefix);
		if (r < 0)
			return lx_fail(ctx, r, "create the bridge %s", bridge);
		lx_info(ctx, "created the bridge %s (%s)", bridge, net_pool_format(ret, p));
	} else if (r < 0) {
		return lx_fail(ctx, r == -EMEDIUMTYPE ? LX_SYNTHETIC(r) : r,
			       "%s is not a usable bridge", bridge);
	}
	r = net_nat_table_name(bridge, table, sizeof(table));
	if (r >= 0)
		r = record(ctx, c, rs, &rs->net_nat, table);
	if (r < 0)
		return r;
	r = net_nat_add(table, ret);
	if (r < 0)
		return lx_fail(ctx, r, "add the masquerade rule of %s to nft table ip %s",
			       net_pool_format(ret, p), table);
	return ensure_ip_forward(ctx);
}

/* A veth of this container that a killed monitor left is removed; a link of that name that
 * is not ours is refused, never touched. */
static int remove_stale_veth(const struct lxmgr_ctx *ctx, struct nl_sock *sk, const char *veth,
			     const char *alias)
{
	char have[256];
	int r = net_link_get_alias(sk, veth, have, sizeof(have));

	if (r == -ENODEV)
		return 0;
	if (r < 0 && r != -ENAMETOOLONG)
		return lx_fail(ctx, r, "look up %s", veth);
	if (r < 0 || strcmp(have, alias))
		return lx_fail(ctx, LX_SYNTHETIC(-EEXIST),
			       "the host already has an interface %s that lxmgr did not make for "
			       "this container",
			       veth);
	r = net_link_delete(sk, veth);
	if (r < 0 && r != -ENODEV)
		return lx_fail(ctx, r, "delete the stale veth %s", veth);
	lx_info(ctx, "removed the stale veth %s", veth);
	return 0;
}

static int make_veth(const struct lxmgr_ctx *ctx, struct container *c, struct runtime_state *rs,
		     struct nl_sock *sk, pid_t pid)
{
	_cleanup_free_ char *alias = NULL;
	uint8_t host_mac[6], mac[6];
	char veth[IFNAMSIZ];
	int r;

	network_veth_name(ctx, c->name, veth);
	r = record(ctx, c, rs, &rs->net_veth, veth);
	if (r < 0)
		return r;
	if (xasprintf(&alias, ALIAS_PREFIX "veth:%s", c->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	network_container_mac(&c->cfg, mac);
	net_mac_from_uuid(c->cfg.uuid, /* salt= */ 1, host_mac);
	r = remove_stale_veth(ctx, sk, veth, alias);
	if (r < 0)
		return r;
	r = net_veth_create(sk, veth, host_mac, alias, "eth0", mac, pid);
	if (r < 0)
		return lx_fail(ctx, r, "create the veth pair %s/eth0", veth);
	return 0;
}

static int setup_host(const struct lxmgr_ctx *ctx, struct container *c, pid_t pid,
		      struct runtime_state *rs, struct net_pool *ret_pool)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_close_ int lock = host_lock(ctx);
	uint32_t a = 0;
	int r;

	if (lock < 0)
		return lock;
	r = open_host_nl(ctx, &sk);
	if (r < 0)
		return r;
	if (c->cfg.net_mode == NET_MODE_BRIDGE) {
		r = setup_bridge_host(ctx, c, rs, sk, ret_pool);
	} else {
		r = record(ctx, c, rs, &rs->net_uplink, c->cfg.net_uplink);
		if (r >= 0)
			r = record(ctx, c, rs, &rs->net_ip, c->cfg.net_ip);
		if (r >= 0)
			r = ensure_ip_forward(ctx);
	}
	if (r >= 0)
		r = make_veth(ctx, c, rs, sk, pid);
	if (r < 0)
		return r;
	if (c->cfg.net_mode == NET_MODE_BRIDGE) {
		r = net_link_set_master(sk, rs->net_veth, rs->net_bridge);
		return r < 0 ? lx_fail(ctx, r, "attach %s to %s", rs->net_veth, rs->net_bridge) : 0;
	}
	(void)net_addr_parse(c->cfg.net_ip, &a);
	r = net_routed_add(sk, rs->net_veth, c->cfg.net_uplink, a);
	return r < 0 ? lx_fail(ctx, r, "route %s to %s and proxy it on %s", c->cfg.net_ip,
			       rs->net_veth, c->cfg.net_uplink)
		     : 0;
}

/* Inside the container's netns (a netlink socket created there, used from here). */
static int setup_inside(const struct lxmgr_ctx *ctx, const struct container *c, pid_t pid,
			const struct net_pool *pool)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_close_ int netns = -EBADF;
	enum net_mode mode = c->cfg.net_mode;
	uint32_t a = 0, gw = mode == NET_MODE_ROUTED ? NET_ROUTED_GATEWAY : net_pool_gateway(pool);
	char path[64];
	int r;

	(void)snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return lx_fail(ctx, -errno, "open %s", path);
	r = net_nl_open_in_netns(netns, &sk);
	if (r < 0)
		return lx_fail(ctx, r, "open a netlink socket in the container's netns");
	r = net_link_up(sk, "lo");
	if (r < 0)
		return lx_fail(ctx, r, "set lo up in the container");
	if (mode != NET_MODE_BRIDGE && mode != NET_MODE_ROUTED)
		return 0;
	(void)net_addr_parse(c->cfg.net_ip, &a);
	r = net_addr_add(sk, "eth0", a, mode == NET_MODE_ROUTED ? 32 : pool->prefix);
	if (r >= 0)
		r = net_link_up(sk, "eth0");
	if (r >= 0 && mode == NET_MODE_ROUTED)
		r = net_route_add(sk, gw, 32, "eth0", 0);
	if (r >= 0)
		r = net_route_add(sk, 0, 0, "eth0", gw);
	return r < 0 ? lx_fail(ctx, r, "set up eth0 (%s) in the container", c->cfg.net_ip) : 0;
}

int network_setup(const struct lxmgr_ctx *ctx, struct container *c, pid_t pid,
		  struct runtime_state *rs)
{
	struct net_pool pool = {0};
	int r;

	if (c->cfg.net_mode == NET_MODE_HOST)
		return 0;
	if (c->cfg.net_mode == NET_MODE_BRIDGE || c->cfg.net_mode == NET_MODE_ROUTED) {
		r = setup_host(ctx, c, pid, rs, &pool);
		if (r < 0)
			return r;
	}
	r = setup_inside(ctx, c, pid, &pool);
	if (r >= 0)
		lx_debug(ctx, "network %s ready%s%s", net_mode_to_string(c->cfg.net_mode),
			 c->cfg.net_ip[0] ? ": " : "", c->cfg.net_ip);
	return r;
}

/* The bridge and its table go with their last port, if they are lxmgr's. */
static int release_bridge(const struct lxmgr_ctx *ctx, struct nl_sock *sk, const char *bridge,
			  const char *table)
{
	char alias[64] = "";
	int ours = net_link_count_ports(sk, bridge, ALIAS_PREFIX), all, r = 0;

	all = net_link_count_ports(sk, bridge, NULL);
	if (table && (ours == -ENODEV || ours == 0)) {
		r = net_nat_remove(table);
		if (r < 0)
			lx_warn(ctx, r, "delete nft table ip %s, ignoring", table);
	}
	if (all != 0 || net_link_get_alias(sk, bridge, alias, sizeof(alias)) < 0 ||
	    strcmp(alias, ALIAS_BRIDGE))
		return r;
	r = net_link_delete(sk, bridge);
	if (r < 0 && r != -ENODEV) {
		lx_warn(ctx, r, "delete the bridge %s, ignoring", bridge);
		return r;
	}
	lx_info(ctx, "removed the bridge %s with its last container", bridge);
	return 0;
}

static void restore_ip_forward(const struct lxmgr_ctx *ctx, struct nl_sock *sk)
{
	int r;

	if (access(NET_IP_FORWARD_SAVED, F_OK) < 0 || net_link_count_alias(sk, ALIAS_PREFIX) != 0)
		return;
	r = net_ip_forward_set(false);
	if (r < 0) {
		lx_warn(ctx, r, "turn net.ipv4.ip_forward off again, ignoring");
		return;
	}
	(void)unlink(NET_IP_FORWARD_SAVED);
	lx_info(ctx, "turned net.ipv4.ip_forward off again");
}

static void clear(char **field)
{
	free(*field);
	*field = NULL;
}

int network_teardown(const struct lxmgr_ctx *ctx, struct runtime_state *rs)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_close_ int lock = -EBADF;
	uint32_t a;
	int r, first = 0;

	if (!rs->net_veth && !rs->net_bridge && !rs->net_nat && !rs->net_uplink)
		return 0;
	lock = host_lock(ctx);
	if (lock < 0)
		return lock;
	r = open_host_nl(ctx, &sk);
	if (r < 0)
		return r;
	if (rs->net_uplink && rs->net_ip && net_addr_parse(rs->net_ip, &a) >= 0) {
		first = net_routed_remove(sk, rs->net_veth, rs->net_uplink, a);
		if (first < 0)
			lx_warn(ctx, first, "remove the proxy ARP entry of %s on %s, ignoring",
				rs->net_ip, rs->net_uplink);
	}
	r = rs->net_veth ? net_link_delete(sk, rs->net_veth) : 0;
	if (r < 0 && r != -ENODEV) {
		lx_warn(ctx, r, "delete the veth %s, ignoring", rs->net_veth);
		first = first < 0 ? first : r;
	}
	if (rs->net_bridge) {
		r = release_bridge(ctx, sk, rs->net_bridge, rs->net_nat);
		first = first < 0 ? first : r;
	} else if (rs->net_nat) {
		(void)net_nat_remove(rs->net_nat);
	}
	restore_ip_forward(ctx, sk);
	clear(&rs->net_veth);
	clear(&rs->net_bridge);
	clear(&rs->net_nat);
	clear(&rs->net_uplink);
	clear(&rs->net_ip);
	return first;
}
