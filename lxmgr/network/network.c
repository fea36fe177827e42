/* network.c: a container's network: checks, the monitor's setup before init runs, teardown. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "net/addr.h"
#include "net/addr6.h"
#include "net/bridge.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/nl.h"
#include "net/routed.h"
#include "net/veth.h"
#include "network/dnsmasq.h"
#include "network/internal.h"
#include "network/network.h"
#include "network/pasta.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "net"

#define ALIAS_PREFIX "lxmgr:"
#define ALIAS_BRIDGE "lxmgr:bridge"

static int ensure_ip_forward(const struct lxmgr_ctx *ctx)
{
	return network_sysctl_enable(ctx, "ipv4/ip_forward", "ip_forward");
}

static bool dns_wanted(const struct container_config *cfg)
{
	return strcmp(cfg->net_dns, "off") != 0;
}

/* The bridge's dnsmasq (DHCP and NAME.lxmgr) and this container's entries in it. */
static int setup_dns(const struct lxmgr_ctx *ctx, const struct container *c,
		     struct runtime_state *rs, const char *bridge, const struct net_pool *pool)
{
	_cleanup_free_ char *entry = NULL;
	struct dnsmasq_conf conf = {
		.bridge = bridge, .pool = *pool, .forward = strcmp(c->cfg.net_dns, "local") != 0};
	uint8_t m[6];
	char mac[18];
	int r;

	if (!dns_wanted(&c->cfg))
		return 0;
	r = dnsmasq_ensure(ctx, &conf);
	if (r < 0)
		return r;
	network_container_mac(&c->cfg, m);
	net_mac_format(m, mac);
	/* "NAME MAC": what teardown needs to find its lines again. */
	if (xasprintf(&entry, "%s %s", c->name, mac) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = network_record(ctx, c, rs, &rs->net_dns, entry);
	if (r < 0)
		return r;
	r = dnsmasq_set_host(bridge, c->name, mac, c->cfg.net_ip,
			     network_ipv6_wanted(&c->cfg) ? c->cfg.net_ip6 : NULL);
	if (r == -EINVAL)
		lx_warn(ctx, LX_SYNTHETIC(r), "'%s' is not a DNS name: no %s.lxmgr, no DHCP entry",
			c->name, c->name);
	else if (r < 0)
		return lx_fail(ctx, r, "add %s to the dnsmasq of %s", c->name, bridge);
	return 0;
}

/* IPv6 of the bridge: PREFIX::1 on it (only on a bridge lxmgr made: another's address
 * plan is not lxmgr's to change), NAT66 in table ip6 TABLE, and IPv6 forwarding. */
static int setup_bridge6(const struct lxmgr_ctx *ctx, const struct container *c, struct nl_sock *sk,
			 const char *bridge, const char *table)
{
	char a[NET_ADDR6_STRLEN], alias[64] = "";
	struct net_pool6 pool;
	struct in6_addr gw;
	int r;

	if (!network_ipv6_wanted(&c->cfg))
		return 0;
	if (net_pool6_parse(c->cfg.net_pool6, &pool) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "net.pool6 '%s' is not an IPv6 /64",
			       c->cfg.net_pool6);
	net_pool6_gateway(&pool, &gw);
	r = net_addr6_has(sk, bridge, &gw);
	if (r == 0) {
		(void)net_link_get_alias(sk, bridge, alias, sizeof(alias));
		if (strcmp(alias, ALIAS_BRIDGE) != 0)
			return lx_fail(
				ctx, LX_SYNTHETIC(-EADDRNOTAVAIL),
				"bridge %s is not lxmgr's and has no address %s of net.pool6 "
				"%s: give it that address or set net.ipv6 = no",
				bridge, net_addr6_format(&gw, a), c->cfg.net_pool6);
		r = net_addr6_add(sk, bridge, &gw, 64);
	}
	if (r < 0 && r != -EEXIST)
		return lx_fail(ctx, r, "add the IPv6 gateway of %s to %s", c->cfg.net_pool6,
			       bridge);
	r = net_nat6_add(table, &pool);
	if (r < 0)
		return lx_fail(ctx, r, "add the masquerade rule of %s to nft table ip6 %s",
			       c->cfg.net_pool6, table);
	return network_sysctl_enable(ctx, "ipv6/conf/all/forwarding", "ipv6_forwarding");
}

/* The bridge (made on demand, with the gateway) and its masquerade rule. */
static int setup_bridge_host(const struct lxmgr_ctx *ctx, struct container *c,
			     struct runtime_state *rs, struct nl_sock *sk, struct net_pool *ret)
{
	char bridge[IFNAMSIZ], table[64], p[NET_POOL_STRLEN];
	int r;

	network_bridge_name(ctx, &c->cfg, bridge);
	r = network_resolve_pool(ctx, sk, &c->cfg, bridge, ret);
	if (r < 0)
		return r;
	r = network_record(ctx, c, rs, &rs->net_bridge, bridge);
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
		r = network_record(ctx, c, rs, &rs->net_nat, table);
	if (r < 0)
		return r;
	r = net_nat_add(table, bridge, ret);
	if (r < 0)
		return lx_fail(ctx, r, "add the masquerade rule of %s to nft table ip %s",
			       net_pool_format(ret, p), table);
	r = ensure_ip_forward(ctx);
	if (r >= 0)
		r = setup_bridge6(ctx, c, sk, bridge, table);
	if (r < 0)
		return r;
	network_forward_warn_drops(ctx, bridge);
	return setup_dns(ctx, c, rs, bridge, ret);
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
	r = network_record(ctx, c, rs, &rs->net_veth, veth);
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

/* Routed IPv6: journalled address, IPv6 forwarding and proxy_ndp on the uplink (the kernel
 * answers a proxy NDP entry only with both on). */
static int setup_routed6_switches(const struct lxmgr_ctx *ctx, const struct container *c,
				  struct runtime_state *rs)
{
	char key[64], saved[64];
	int r;

	if (!c->cfg.net_ip6[0])
		return 0;
	r = network_record(ctx, c, rs, &rs->net_ip6, c->cfg.net_ip6);
	if (r >= 0)
		r = network_sysctl_enable(ctx, "ipv6/conf/all/forwarding", "ipv6_forwarding");
	if (r < 0)
		return r;
	(void)snprintf(key, sizeof(key), "ipv6/conf/%s/proxy_ndp", c->cfg.net_uplink);
	(void)snprintf(saved, sizeof(saved), "proxy_ndp-%s", c->cfg.net_uplink);
	return network_sysctl_enable(ctx, key, saved);
}

static int setup_host(const struct lxmgr_ctx *ctx, struct container *c, pid_t pid,
		      struct runtime_state *rs, struct net_pool *ret_pool)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_close_ int lock = network_host_lock(ctx, &sk);
	struct in6_addr a6;
	uint32_t a = 0;
	int r;

	if (lock < 0)
		return lock;
	if (c->cfg.net_mode == NET_MODE_BRIDGE) {
		r = setup_bridge_host(ctx, c, rs, sk, ret_pool);
	} else {
		r = network_record(ctx, c, rs, &rs->net_uplink, c->cfg.net_uplink);
		if (r >= 0)
			r = network_record(ctx, c, rs, &rs->net_ip, c->cfg.net_ip);
		if (r >= 0)
			r = ensure_ip_forward(ctx);
		if (r >= 0)
			r = setup_routed6_switches(ctx, c, rs);
	}
	if (r >= 0)
		r = make_veth(ctx, c, rs, sk, pid);
	if (r < 0)
		return r;
	if (c->cfg.net_mode == NET_MODE_BRIDGE) {
		r = net_link_set_master(sk, rs->net_veth, rs->net_bridge);
		if (r < 0)
			return lx_fail(ctx, r, "attach %s to %s", rs->net_veth, rs->net_bridge);
		/* A forward's hairpin: br_netfilter bridges the DNAT'd packet back out of its
		 * own port. */
		r = c->cfg.net_forward[0] ? net_link_set_hairpin(sk, rs->net_veth) : 0;
		if (r < 0)
			return lx_fail(ctx, r, "turn hairpin mode on for %s", rs->net_veth);
		return network_forward_setup(ctx, c, rs, ret_pool);
	}
	(void)net_addr_parse(c->cfg.net_ip, &a);
	r = net_routed_add(sk, rs->net_veth, c->cfg.net_uplink, a);
	if (r < 0)
		return lx_fail(ctx, r, "route %s to %s and proxy it on %s", c->cfg.net_ip,
			       rs->net_veth, c->cfg.net_uplink);
	if (!c->cfg.net_ip6[0])
		return 0;
	(void)net_addr6_parse(c->cfg.net_ip6, &a6);
	r = net_routed6_add(sk, rs->net_veth, c->cfg.net_uplink, &a6);
	return r < 0 ? lx_fail(ctx, r, "route %s to %s and proxy it (NDP) on %s", c->cfg.net_ip6,
			       rs->net_veth, c->cfg.net_uplink)
		     : 0;
}

/* IPv6 on eth0: the address (a /64 of the bridge, or a /128 when routed) and the default
 * route via the bridge's PREFIX::1, or via the host end's fe80::1 when routed. */
static int setup_inside6(const struct lxmgr_ctx *ctx, const struct container *c, struct nl_sock *sk)
{
	bool routed = c->cfg.net_mode == NET_MODE_ROUTED;
	struct in6_addr a, gw, any = IN6ADDR_ANY_INIT;
	struct net_pool6 pool;
	int r;

	if (!c->cfg.net_ip6[0] || (!routed && !network_ipv6_wanted(&c->cfg)))
		return 0;
	if (net_addr6_parse(c->cfg.net_ip6, &a) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "net.ip6 '%s' is not an IPv6 address",
			       c->cfg.net_ip6);
	net_routed_gateway6(&gw);
	if (!routed) {
		if (net_pool6_parse(c->cfg.net_pool6, &pool) < 0)
			return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
				       "net.pool6 '%s' is not an IPv6 /64", c->cfg.net_pool6);
		net_pool6_gateway(&pool, &gw);
	}
	r = net_addr6_add(sk, "eth0", &a, routed ? 128 : 64);
	if (r >= 0)
		r = net_route6_add(sk, &any, 0, "eth0", &gw);
	return r < 0 ? lx_fail(ctx, r, "set up IPv6 on eth0 (%s) in the container", c->cfg.net_ip6)
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
	if (r < 0)
		return lx_fail(ctx, r, "set up eth0 (%s) in the container", c->cfg.net_ip);
	return setup_inside6(ctx, c, sk);
}

#define RESOLV_MARK "# lxmgr:"

/* /etc/resolv.conf inside points at the bridge's dnsmasq: a file lxmgr owns and rewrites at
 * every start; the guest's own is kept once as resolv.conf.lxmgr-orig. A symlink (a resolver
 * the guest manages, e.g. systemd-resolved) is left alone. */
static int write_resolv(const struct lxmgr_ctx *ctx, const struct container *c, uint32_t gw)
{
	_cleanup_close_ int root = -EBADF, etc = -EBADF;
	_cleanup_free_ char *old = NULL, *text = NULL;
	uid_t uid = c->cfg.rootfs_shifted ? c->cfg.uid_base : 0;
	gid_t gid = c->cfg.rootfs_shifted ? c->cfg.gid_base : 0;
	char a[NET_ADDR_STRLEN];
	struct stat st;
	int r;

	root = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	etc = root < 0 ? -errno : open_in_root(root, "/etc", O_PATH | O_DIRECTORY, 0);
	if (etc < 0)
		return lx_fail(ctx, etc, "open /etc of the rootfs");
	if (fstatat(etc, "resolv.conf", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			lx_debug(ctx, "/etc/resolv.conf is a symlink: left to the guest");
			return 0;
		}
		if (read_file_at(etc, "resolv.conf", 65536, &old, NULL) >= 0 &&
		    strncmp(old, RESOLV_MARK, strlen(RESOLV_MARK)) != 0 &&
		    faccessat(etc, "resolv.conf.lxmgr-orig", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			(void)renameat(etc, "resolv.conf", etc, "resolv.conf.lxmgr-orig");
	}
	r = xasprintf(&text,
		      RESOLV_MARK " written at every start (net.dns); the guest's own file is "
				  "resolv.conf.lxmgr-orig\nnameserver %s\nsearch lxmgr\n",
		      net_addr_format(gw, a));
	if (r >= 0)
		r = write_file_atomic_at(etc, "resolv.conf", text, strlen(text), 0644);
	if (r >= 0 && fchownat(etc, "resolv.conf", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	return r < 0 ? lx_fail(ctx, r, "write /etc/resolv.conf in the rootfs") : 0;
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
	if (c->cfg.net_mode == NET_MODE_BRIDGE && dns_wanted(&c->cfg)) {
		r = write_resolv(ctx, c, net_pool_gateway(&pool));
		if (r < 0)
			return r;
	}
	if (c->cfg.net_mode == NET_MODE_PASTA && dns_wanted(&c->cfg)) {
		r = write_resolv(ctx, c, network_pasta_dns());
		if (r < 0)
			return r;
	}
	r = setup_inside(ctx, c, pid, &pool);
	if (r >= 0 && c->cfg.net_mode == NET_MODE_PASTA)
		r = network_pasta_start(ctx, c, pid);
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
	if (ours == -ENODEV || ours == 0) {
		if (dnsmasq_stop(bridge) > 0)
			lx_info(ctx, "stopped the dnsmasq of %s", bridge);
	}
	if (ours == -ENODEV || ours == 0)
		network_forward_release_bridge(ctx, bridge);
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

/* FILE.tmp-PID of write_file_atomic_at(): a process killed between its write and its rename
 * leaves one. Every file of NET_HOST_DIR is written under the host lock, which the caller
 * holds, so any such file is stale. */
static void remove_stale_tmp(void)
{
	_cleanup_close_ int fd = open(NET_HOST_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		(void)remove_stale_atomic_tmp(fd, /* any_pid= */ true);
}

static void restore_ip_forward(const struct lxmgr_ctx *ctx, struct nl_sock *sk)
{
	if (net_link_count_alias(sk, ALIAS_PREFIX) != 0)
		return;
	network_sysctl_restore_host(ctx);
}

static void remove_dns_entry(const char *bridge, const char *entry)
{
	const char *mac = strchr(entry, ' ');
	char name[128];

	if (!mac || (size_t)(mac - entry) >= sizeof(name))
		return;
	memcpy(name, entry, (size_t)(mac - entry));
	name[mac - entry] = '\0';
	(void)dnsmasq_remove_host(bridge, name, mac + 1);
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
	struct in6_addr a6;
	uint32_t a;
	int r, first = 0;

	if (!rs->net_veth && !rs->net_bridge && !rs->net_nat && !rs->net_uplink && !rs->net_dns &&
	    !rs->net_forward)
		return 0;
	lock = network_host_lock(ctx, &sk);
	if (lock < 0)
		return lock;
	if (rs->net_uplink && rs->net_ip && net_addr_parse(rs->net_ip, &a) >= 0) {
		first = net_routed_remove(sk, rs->net_veth, rs->net_uplink, a);
		if (first < 0)
			lx_warn(ctx, first, "remove the proxy ARP entry of %s on %s, ignoring",
				rs->net_ip, rs->net_uplink);
	}
	if (rs->net_uplink && rs->net_ip6 && net_addr6_parse(rs->net_ip6, &a6) >= 0) {
		r = net_routed6_remove(sk, rs->net_uplink, &a6);
		if (r < 0)
			lx_warn(ctx, r, "remove the proxy NDP entry of %s on %s, ignoring",
				rs->net_ip6, rs->net_uplink);
		first = first < 0 ? first : r;
	}
	network_forward_teardown(ctx, rs);
	r = rs->net_veth ? net_link_delete(sk, rs->net_veth) : 0;
	if (r < 0 && r != -ENODEV) {
		lx_warn(ctx, r, "delete the veth %s, ignoring", rs->net_veth);
		first = first < 0 ? first : r;
	}
	if (rs->net_bridge && rs->net_dns)
		remove_dns_entry(rs->net_bridge, rs->net_dns);
	if (rs->net_bridge) {
		r = release_bridge(ctx, sk, rs->net_bridge, rs->net_nat);
		first = first < 0 ? first : r;
	} else if (rs->net_nat) {
		(void)net_nat_remove(rs->net_nat);
	}
	restore_ip_forward(ctx, sk);
	remove_stale_tmp();
	clear(&rs->net_veth);
	clear(&rs->net_bridge);
	clear(&rs->net_nat);
	clear(&rs->net_uplink);
	clear(&rs->net_ip);
	clear(&rs->net_ip6);
	clear(&rs->net_dns);
	return first;
}
