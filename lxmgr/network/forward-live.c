/* network-forward-live.c: changing the port forwards (net.forward) of a running container: the
 * client edits the config and asks the monitor, which owns the runtime record, to make it live. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "run/control.h"
#include "net/link.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "net/nat.h"
#include "network/forward-live.h"
#include "network/internal.h"
#include "network/network.h"
#include "net/nl.h"
#include "store/runtime.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "net"

/* Logs (the monitor's log) and fills why for the client's reply. */
static __attribute__((format(printf, 5, 6))) int say_fail(const struct lxmgr_ctx *ctx, int r,
							  char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	size_t len;

	va_start(ap, fmt);
	(void)vsnprintf(why, n, fmt, ap);
	va_end(ap);
	r = lx_fail(ctx, r, "%s", why);
	len = strlen(why);
	if (r < 0 && !((-r) & LX_SYNTHETIC_BIT) && len < n)
		(void)snprintf(why + len, n - len, ": %s", strerror(-r));
	return r;
}

/* Host lock held: the forwards f[0..n) of c replace what its table held (one nft transaction:
 * the table is flushed and refilled), or the table goes when n is 0. */
static int replace_rules(const struct lxmgr_ctx *ctx, struct nl_sock *sk, const struct container *c,
			 struct runtime_state *rs, const struct net_forward *f, int n, char *why,
			 size_t size)
{
	char table[64], other[128];
	struct net_pool pool;
	int r;

	if (n == 0) {
		network_forward_teardown(ctx, rs);
		r = runtime_state_write(c->rundir, rs);
		return r < 0 ? say_fail(ctx, r, why, size, "write %s/state", c->rundir) : 0;
	}
	r = net_forward_table_name(rs->net_veth, table, sizeof(table));
	if (r < 0)
		return say_fail(ctx, r, why, size, "name the forward table of %s", rs->net_veth);
	for (int i = 0; i < n; i++) {
		r = net_forward_find(&f[i], table, other, sizeof(other));
		if (r < 0)
			return say_fail(ctx, r, why, size, "read lxmgr's nft forward tables");
		if (r > 0)
			return say_fail(ctx, LX_SYNTHETIC(-EADDRINUSE), why, size,
					"%s port %u is already forwarded to another container "
					"(nft table ip %s)",
					f[i].udp ? "udp" : "tcp", f[i].host_port, other);
	}
	r = network_known_pool(ctx, &c->cfg, rs->net_bridge, &pool);
	if (r < 0)
		return say_fail(ctx, r, why, size, "find the pool of %s", rs->net_bridge);
	r = net_link_set_hairpin(sk, rs->net_veth);
	if (r < 0)
		return say_fail(ctx, r, why, size, "turn hairpin mode on for %s", rs->net_veth);
	r = network_record(ctx, c, rs, &rs->net_forward, table);
	if (r >= 0)
		r = network_forward_localnet(ctx, rs->net_bridge);
	if (r < 0)
		return say_fail(ctx, r, why, size, "record the forward table %s", table);
	r = net_forward_add(table, &pool, c->cfg.net_ip, f, (size_t)n);
	return r < 0 ? say_fail(ctx, r, why, size, "add the port forwards to nft table ip %s",
				table)
		     : 0;
}

int network_forward_reload(const struct lxmgr_ctx *ctx, struct container *c,
			   struct runtime_state *rs, char *why, size_t size)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_close_ int lock = -EBADF;
	struct container_config cfg;
	struct config_error e = {0};
	struct net_forward f[NET_FORWARD_MAX];
	int n, r;

	config_init_defaults(&cfg);
	r = config_parse_file(c->config_path, /* global= */ false, &cfg, &e);
	if (r < 0) {
		config_done(&cfg);
		return say_fail(ctx, r, why, size, "read %s: %s", c->config_path, e.message);
	}
	n = net_forward_parse(cfg.net_forward, f, NET_FORWARD_MAX);
	if (n < 0)
		r = say_fail(ctx, LX_SYNTHETIC(n), why, size, "net.forward '%s' is not valid",
			     cfg.net_forward);
	else if (n > 0 && (c->cfg.net_mode != NET_MODE_BRIDGE || !rs->net_veth || !rs->net_bridge))
		r = say_fail(ctx, LX_SYNTHETIC(-EINVAL), why, size,
			     "net.forward needs net.mode bridge");
	if (r >= 0 && (n > 0 || rs->net_forward)) {
		lock = network_host_lock(ctx, &sk);
		r = lock < 0 ? say_fail(ctx, lock, why, size, "take the host network lock")
			     : replace_rules(ctx, sk, c, rs, f, n, why, size);
	}
	if (r >= 0) {
		(void)snprintf(c->cfg.net_forward, sizeof(c->cfg.net_forward), "%s",
			       cfg.net_forward);
		lx_info(ctx, "forwards now: %s", n ? cfg.net_forward : "none");
	}
	config_done(&cfg);
	return r;
}

/* Asks the monitor of the running c to make its config's net.forward live. */
static int ask_monitor(const struct lxmgr_ctx *ctx, const struct container *c)
{
	_cleanup_close_ int sock = control_connect(c->rundir);
	struct ctrl_msg req = {.cmd = CTRL_FORWARD}, rep = {0};
	int r;

	if (sock < 0)
		return lx_fail(ctx, sock, "connect to the monitor at %s/control", c->rundir);
	r = control_call(sock, &req, &rep);
	if (r < 0)
		return lx_fail(ctx, r, "ask the monitor to change the forwards");
	if (rep.status < 0)
		return lx_fail(ctx, LX_SYNTHETIC(rep.status), "%s",
			       rep.text[0] ? rep.text : "the monitor refused the forwards");
	return 0;
}

int network_forward_change(const struct lxmgr_ctx *ctx, const struct container *c,
			   const char *value)
{
	struct net_forward f[NET_FORWARD_MAX];
	struct config_error e = {0};
	int r, n;

	n = value ? net_forward_parse(value, f, NET_FORWARD_MAX) : 0;
	if (n > 0 && c->cfg.net_mode != NET_MODE_BRIDGE)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "net.forward needs net.mode bridge");
	r = config_edit_file(c->config_path, "net.forward", value && *value ? value : NULL, &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	if (!store_is_running(c))
		return 0;
	r = ask_monitor(ctx, c);
	if (r < 0) {
		/* The config keeps what is live. */
		(void)config_edit_file(c->config_path, "net.forward",
				       c->cfg.net_forward[0] ? c->cfg.net_forward : NULL, &e);
		return r;
	}
	return 0;
}
