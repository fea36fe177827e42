/* network-forward.c: port forwards (net.forward) and other firewalls (nft, iptables-legacy)
 * dropping forwarded traffic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "net/legacy.h"
#include "net/nat.h"
#include "network/internal.h"
#include "network/network.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "net"

static int forward_table(const struct lxmgr_ctx *ctx, const struct container *c, char *buf,
			 size_t size)
{
	char veth[IFNAMSIZ];
	int r;

	network_veth_name(ctx, c->name, veth);
	r = net_forward_table_name(veth, buf, size);
	return r < 0 ? lx_fail(ctx, r, "name the forward table of %s", veth) : 0;
}

int network_forward_check(const struct lxmgr_ctx *ctx, const struct container *c)
{
	struct net_forward f[NET_FORWARD_MAX];
	char own[64], other[128];
	int n, r;

	n = net_forward_parse(c->cfg.net_forward, f, NET_FORWARD_MAX);
	if (n < 0)
		return lx_fail(ctx, LX_SYNTHETIC(n), "net.forward '%s' is not valid",
			       c->cfg.net_forward);
	if (n == 0)
		return 0;
	if (c->cfg.net_mode != NET_MODE_BRIDGE)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "net.forward needs net.mode bridge");
	r = forward_table(ctx, c, own, sizeof(own));
	for (int i = 0; r >= 0 && i < n; i++) {
		r = net_forward_find(&f[i], own, other, sizeof(other));
		if (r < 0)
			return lx_fail(ctx, r, "read lxmgr's nft forward tables");
		if (r > 0)
			return lx_fail(ctx, LX_SYNTHETIC(-EADDRINUSE),
				       "%s port %u is already forwarded to another container (nft "
				       "table ip %s)",
				       f[i].udp ? "udp" : "tcp", f[i].host_port, other);
	}
	return r < 0 ? r : 0;
}

static int localnet_key(const char *bridge, char *key, size_t key_size, char *saved,
			size_t saved_size)
{
	if ((size_t)snprintf(key, key_size, "ipv4/conf/%s/route_localnet", bridge) >= key_size ||
	    (size_t)snprintf(saved, saved_size, "route_localnet-%s", bridge) >= saved_size)
		return -ENAMETOOLONG;
	return 0;
}

void network_forward_release_bridge(const struct lxmgr_ctx *ctx, const char *bridge)
{
	char key[64], saved[64];

	if (localnet_key(bridge, key, sizeof(key), saved, sizeof(saved)) >= 0)
		network_sysctl_restore(ctx, key, saved);
}

int network_forward_localnet(const struct lxmgr_ctx *ctx, const char *bridge)
{
	char key[64], saved[64];
	int r = localnet_key(bridge, key, sizeof(key), saved, sizeof(saved));

	return r < 0 ? lx_fail(ctx, r, "name route_localnet of %s", bridge)
		     : network_sysctl_enable(ctx, key, saved);
}

int network_forward_setup(const struct lxmgr_ctx *ctx, const struct container *c,
			  struct runtime_state *rs, const struct net_pool *pool)
{
	struct net_forward f[NET_FORWARD_MAX];
	char table[64], key[64], saved[64];
	int n, r;

	n = net_forward_parse(c->cfg.net_forward, f, NET_FORWARD_MAX);
	if (n <= 0)
		return n < 0 ? lx_fail(ctx, LX_SYNTHETIC(n), "net.forward is not valid") : 0;
	/* Checked again under the host lock: another start may have come in between. */
	r = network_forward_check(ctx, c);
	if (r >= 0)
		r = forward_table(ctx, c, table, sizeof(table));
	if (r >= 0)
		r = network_record(ctx, c, rs, &rs->net_forward, table);
	if (r < 0)
		return r;
	r = localnet_key(rs->net_bridge, key, sizeof(key), saved, sizeof(saved));
	if (r < 0)
		return lx_fail(ctx, r, "name route_localnet of %s", rs->net_bridge);
	/* 127.0.0.1 of the host: its packets leave on the bridge with source 127.0.0.1. */
	r = network_sysctl_enable(ctx, key, saved);
	if (r < 0)
		return r;
	r = net_forward_add(table, pool, c->cfg.net_ip, f, (size_t)n);
	if (r < 0)
		return lx_fail(ctx, r, "add the port forwards %s to nft table ip %s",
			       c->cfg.net_forward, table);
	lx_debug(ctx, "forwarding %s to %s in nft table ip %s", c->cfg.net_forward, c->cfg.net_ip,
		 table);
	return 0;
}

void network_forward_teardown(const struct lxmgr_ctx *ctx, struct runtime_state *rs)
{
	int r;

	if (!rs->net_forward)
		return;
	r = net_forward_remove(rs->net_forward);
	if (r < 0)
		lx_warn(ctx, r, "delete nft table ip %s, ignoring", rs->net_forward);
	free(rs->net_forward);
	rs->net_forward = NULL;
}

/* One line: a warning at start, stdout for net check. */
static void say(const struct lxmgr_ctx *ctx, bool warn, const char *line)
{
	if (warn)
		lx_warn(ctx, LX_SYNTHETIC(-EPERM), "%s", line);
	else
		printf("%s\n", line);
}

/* iptables-legacy's FORWARD policy DROP (Docker on a host without nft), which nft does not
 * list: the count of families whose policy drops, or -errno. */
static int legacy_drops(const struct lxmgr_ctx *ctx, const char *bridge, bool warn)
{
	int n = 0;

	for (size_t i = 0; i < ELEMENTSOF(net_legacy_families); i++) {
		const struct net_legacy_family *f = &net_legacy_families[i];
		_cleanup_free_ char *line = NULL;
		int r = net_legacy_forward_drops(f->family);

		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (xasprintf(&line,
			      "forwarded traffic of containers is dropped by %1$s table filter "
			      "chain FORWARD policy DROP; fix: %1$s -I FORWARD -i %2$s -j ACCEPT; "
			      "%1$s -I FORWARD -o %2$s -j ACCEPT",
			      f->tool, bridge) < 0)
			return -ENOMEM;
		say(ctx, warn, line);
		n++;
	}
	return n;
}

/* One line (a warning, or stdout) for each chain of another table that drops forwarded
 * traffic by policy, nft's and iptables-legacy's; the number of them, or -errno. */
static int for_each_drop(const struct lxmgr_ctx *ctx, const char *bridge, bool warn)
{
	_cleanup_free_ char *list = NULL;
	int n = net_forward_policy_drops(&list), legacy;

	if (n < 0)
		return n;
	for (char *save = NULL, *line = strtok_r(list, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *text = NULL;
		char family[16], table[128], chain[128];

		if (sscanf(line, "%15s %127s %127s", family, table, chain) != 3)
			continue;
		if (xasprintf(&text,
			      "forwarded traffic of containers is dropped by table %1$s %2$s chain "
			      "%3$s policy drop; fix: nft insert rule %1$s %2$s %3$s iifname %4$s "
			      "accept; nft insert rule %1$s %2$s %3$s oifname %4$s accept",
			      family, table, chain, bridge) < 0)
			return -ENOMEM;
		say(ctx, warn, text);
	}
	legacy = legacy_drops(ctx, bridge, warn);
	return legacy < 0 ? legacy : n + legacy;
}

void network_forward_warn_drops(const struct lxmgr_ctx *ctx, const char *bridge)
{
	(void)for_each_drop(ctx, bridge, /* warn= */ true);
}

int network_forward_print_drops(const struct lxmgr_ctx *ctx, const char *bridge)
{
	int n = for_each_drop(ctx, bridge, /* warn= */ false);

	return n < 0 ? lx_fail(ctx, n, "read the firewall's forward policies") : n;
}
