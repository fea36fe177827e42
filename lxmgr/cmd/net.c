/* cmd-net.c: lxmgr net show (bridges, pools, who holds which address) and net check. */
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "net/bridge.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/nl.h"
#include "net/veth.h"
#include "network/internal.h"
#include "network/network.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "net"

struct row {
	char name[65];
	enum net_mode mode;
	char ip[16], mac[18], bridge[IFNAMSIZ], uplink[IFNAMSIZ], veth[IFNAMSIZ];
	char ip6[46], pool6[50];
	char forward[256];
	bool running;
	struct net_pool pool;
	bool has_pool;
};

static void fill_row(const struct lxmgr_ctx *ctx, const struct container *c, struct row *r)
{
	struct runtime_state rs = {0};
	uint8_t m[6];

	*r = (struct row){.mode = c->cfg.net_mode};
	(void)snprintf(r->name, sizeof(r->name), "%s", c->name);
	(void)snprintf(r->ip, sizeof(r->ip), "%s", c->cfg.net_ip);
	(void)snprintf(r->uplink, sizeof(r->uplink), "%s", c->cfg.net_uplink);
	(void)snprintf(r->forward, sizeof(r->forward), "%s", c->cfg.net_forward);
	if (c->cfg.net_mode == NET_MODE_ROUTED || network_ipv6_wanted(&c->cfg)) {
		(void)snprintf(r->ip6, sizeof(r->ip6), "%s", c->cfg.net_ip6);
		(void)snprintf(r->pool6, sizeof(r->pool6), "%s", c->cfg.net_pool6);
	}
	network_container_mac(&c->cfg, m);
	net_mac_format(m, r->mac);
	if (r->mode == NET_MODE_BRIDGE) {
		network_bridge_name(ctx, &c->cfg, r->bridge);
		r->has_pool = network_known_pool(ctx, &c->cfg, r->bridge, &r->pool) >= 0;
	}
	r->running = store_is_running(c);
	if (r->running && runtime_state_read(c->rundir, &rs) >= 0 && rs.net_veth)
		(void)snprintf(r->veth, sizeof(r->veth), "%s", rs.net_veth);
	runtime_state_done(&rs);
}

static const char *bridge_state(struct nl_sock *sk, const char *bridge)
{
	char alias[64] = "";
	int r = sk ? net_bridge_check(sk, bridge) : -EIO;

	if (r == -ENODEV)
		return "absent (made at the next start)";
	if (r == -EMEDIUMTYPE)
		return "NOT A BRIDGE";
	if (r < 0)
		return "unknown";
	(void)net_link_get_alias(sk, bridge, alias, sizeof(alias));
	return strncmp(alias, "lxmgr:", 6) ? "up (not made by lxmgr)" : "up (made by lxmgr)";
}

/* The /64 any container of the bridge recorded ("-" without IPv6). */
static const char *pool6_of(const struct row *rows, size_t n, const char *bridge)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].mode == NET_MODE_BRIDGE && rows[i].pool6[0] &&
		    !strcmp(rows[i].bridge, bridge))
			return rows[i].pool6;
	return "-";
}

static void print_bridges(const struct row *rows, size_t n)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;

	(void)net_nl_open(&sk);
	printf("%-15s %-18s %-15s %-31s %s\n", "BRIDGE", "POOL", "GATEWAY", "STATE", "POOL6");
	for (size_t i = 0; i < n; i++) {
		char p[NET_POOL_STRLEN] = "-", gw[NET_ADDR_STRLEN] = "-";
		bool seen = false;

		if (rows[i].mode != NET_MODE_BRIDGE)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = rows[j].mode == NET_MODE_BRIDGE &&
			       !strcmp(rows[j].bridge, rows[i].bridge);
		if (seen)
			continue;
		if (rows[i].has_pool) {
			net_pool_format(&rows[i].pool, p);
			net_addr_format(net_pool_gateway(&rows[i].pool), gw);
		}
		printf("%-15s %-18s %-15s %-31s %s\n", rows[i].bridge, p, gw,
		       bridge_state(sk, rows[i].bridge), pool6_of(rows, n, rows[i].bridge));
	}
}

static void print_rows(const struct row *rows, size_t n)
{
	printf("\n%-20s %-7s %-16s %-17s %-15s %-15s %-8s %s\n", "NAME", "MODE", "ADDRESS", "MAC",
	       "BRIDGE/UPLINK", "VETH", "STATE", "ADDRESS6");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		bool eth0 = r->mode == NET_MODE_BRIDGE || r->mode == NET_MODE_ROUTED;

		printf("%-20s %-7s %-16s %-17s %-15s %-15s %-8s %s\n", r->name,
		       net_mode_to_string(r->mode), eth0 && r->ip[0] ? r->ip : "-",
		       eth0 ? r->mac : "-",
		       r->mode == NET_MODE_BRIDGE   ? r->bridge
		       : r->mode == NET_MODE_ROUTED ? r->uplink
						    : "-",
		       r->veth[0] ? r->veth : "-", r->running ? "running" : "stopped",
		       eth0 && r->ip6[0] ? r->ip6 : "-");
	}
}

/* Every container's net.forward: live while it runs (a live change updates the config). */
static void print_forwards(const struct row *rows, size_t n)
{
	printf("\n%-6s %-9s %-20s %-22s %s\n", "PROTO", "HOST PORT", "NAME", "TO", "STATE");
	for (size_t i = 0; i < n; i++) {
		struct net_forward f[NET_FORWARD_MAX];
		int k = net_forward_parse(rows[i].forward, f, NET_FORWARD_MAX);

		for (int j = 0; j < k; j++) {
			char to[32];

			(void)snprintf(to, sizeof(to), "%s:%u", rows[i].ip[0] ? rows[i].ip : "-",
				       f[j].port);
			printf("%-6s %-9u %-20s %-22s %s\n", f[j].udp ? "udp" : "tcp",
			       f[j].host_port, rows[i].name, to,
			       rows[i].running ? "live" : "at start");
		}
	}
}

static int net_show(struct lxmgr_ctx *ctx)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ struct row *rows = NULL;
	size_t n = 0, count = 0;
	int r;

	r = store_list_names(ctx, &names);
	if (r < 0)
		return lx_fail(ctx, r, "read %s", ctx->paths.lib), EXIT_FAILED;
	STRV_FOREACH(name, names)
		count++;
	rows = calloc(count + 1, sizeof(*rows));
	if (!rows)
		return lx_fail(ctx, -ENOMEM, "out of memory"), EXIT_FAILED;
	STRV_FOREACH(name, names) {
		_cleanup_container_ struct container *c = NULL;

		/* A broken config is reported and the listing goes on. */
		if (store_container_open(ctx, *name, &c) >= 0)
			fill_row(ctx, c, &rows[n++]);
	}
	print_bridges(rows, n);
	print_rows(rows, n);
	print_forwards(rows, n);
	return 0;
}

/* One line per problem on stdout; exit 1 if there is any. */
static int net_check(struct lxmgr_ctx *ctx)
{
	struct container_config cfg = {0};
	char bridge[IFNAMSIZ];
	int n;

	network_bridge_name(ctx, &cfg, bridge);
	n = network_forward_print_drops(ctx, bridge);
	return n != 0 ? EXIT_FAILED : 0;
}

int cmd_net(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct verb_args a = {.min_args = 1, .max_args = 1, .args_name = "show or check"};
	int r = cmd_parse(ctx, argc, argv, &a);

	if (r != 0)
		return r;
	argc = a.n_args + 1;
	argv = a.args - 1;
	ctx->name = NULL;
	if (argc < 2 || (strcmp(argv[1], "show") && strcmp(argv[1], "check")))
		return cmd_usage_error(ctx, "expected 'show' or 'check'");
	if (argc > 2)
		return cmd_usage_error(ctx, "unexpected argument '%s'", argv[2]);
	return strcmp(argv[1], "show") ? net_check(ctx) : net_show(ctx);
}
