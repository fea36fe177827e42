/* cmd-forward.c: lxmgr forward NAME [add|remove PROTO:HOSTPORT:PORT]: net.forward, live. */
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "base/log.h"
#include "net/nat.h"
#include "network/forward-live.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "net"

static const char *proto(const struct net_forward *f)
{
	return f->udp ? "udp" : "tcp";
}

/* The forwards of cfg as text, one "PROTO:HOSTPORT:PORT" per element, without skip. */
static int join(const struct net_forward *f, int n, int skip, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i == skip)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s:%u:%u", len ? " " : "",
					proto(&f[i]), f[i].host_port, f[i].port);
		if (len >= size)
			return -E2BIG;
	}
	return 0;
}

static int list(const struct net_forward *f, int n)
{
	for (int i = 0; i < n; i++)
		printf("%s:%u:%u\n", proto(&f[i]), f[i].host_port, f[i].port);
	return 0;
}

/* The new value of net.forward for op ("add" or "remove") of spec, into buf. */
static int change(const struct lxmgr_ctx *ctx, const char *op, const char *spec,
		  struct net_forward *f, int n, char *buf, size_t size)
{
	struct net_forward one;
	bool add = !strcmp(op, "add");
	int found = -1;

	if (net_forward_parse(spec, &one, 1) != 1)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "invalid forward '%s' (expected tcp:HOSTPORT:PORT or "
			       "udp:HOSTPORT:PORT)",
			       spec);
	for (int i = 0; i < n; i++)
		if (f[i].udp == one.udp && f[i].host_port == one.host_port)
			found = i;
	if (add && found >= 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EEXIST),
			       "%s port %u is already forwarded (to %u)", proto(&one),
			       one.host_port, f[found].port);
	if (!add && (found < 0 || f[found].port != one.port))
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT), "no forward %s", spec);
	if (add) {
		if (n == NET_FORWARD_MAX)
			return lx_fail(ctx, LX_SYNTHETIC(-E2BIG), "at most %d forwards",
				       NET_FORWARD_MAX);
		f[n++] = one;
	}
	if (join(f, n, add ? -1 : found, buf, size) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-E2BIG), "net.forward would be too long");
	return 0;
}

int cmd_forward(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	struct net_forward f[NET_FORWARD_MAX + 1];
	char value[256];
	struct verb_args a = {
		.min_args = 1,
		.max_args = 3,
		.args_name = "NAME [add|remove PROTO:HOSTPORT:PORT]",
	};
	char **args;
	int n, r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	args = a.args;
	if (a.n_args == 2 || (a.n_args == 3 && strcmp(args[1], "add") && strcmp(args[1], "remove")))
		return cmd_usage_error(ctx, "expected NAME [add|remove PROTO:HOSTPORT:PORT]");
	if (store_container_open(ctx, args[0], &c) < 0)
		return EXIT_FAILED;
	n = net_forward_parse(c->cfg.net_forward, f, NET_FORWARD_MAX);
	if (n < 0)
		return lx_fail(ctx, LX_SYNTHETIC(n), "net.forward '%s' is not valid",
			       c->cfg.net_forward),
		       EXIT_FAILED;
	if (a.n_args == 1)
		return list(f, n);
	if (change(ctx, args[1], args[2], f, n, value, sizeof(value)) < 0)
		return EXIT_FAILED;
	return network_forward_change(ctx, c, value) < 0 ? EXIT_FAILED : 0;
}
