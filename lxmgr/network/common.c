/* common.c: what every part of the network folder uses and none of them calls back: device
 * names, the host lock, the runtime journal of host objects, lists of address holders. */
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
#include "net/link.h"
#include "net/nl.h"
#include "net/veth.h"
#include "network/internal.h"
#include "network/netdir.h"
#include "network/network.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "net"

#define DEFAULT_BRIDGE "lxmgrbr0"

int network_host_lock(const struct lxmgr_ctx *ctx, struct nl_sock **ret_sk)
{
	int fd, r;

	/* World-readable whatever the umask: the NSS module (nss/) reads the bridges' hosts
	 * files in every process of the host, an unprivileged user's too. */
	r = mkdir_p(NET_HOST_DIR, 0755);
	if (r >= 0)
		r = NEG_ERRNO(chmod(NET_HOST_DIR, 0755));
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
	r = net_nl_open(ret_sk);
	if (r < 0) {
		(void)close(fd);
		return lx_fail(ctx, r, "open a netlink socket");
	}
	return fd;
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

int network_record(const struct lxmgr_ctx *ctx, const struct container *c, struct runtime_state *rs,
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

int network_holders_append(void **addrs, size_t size, char ***names, size_t *n, const void *addr,
			   const char *name)
{
	char *na = realloc(*addrs, (*n + 1) * size);
	char **nn;

	if (!na)
		return -ENOMEM;
	*addrs = na;
	nn = realloc(*names, (*n + 1) * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	*names = nn;
	nn[*n] = strdup(name);
	if (!nn[*n])
		return -ENOMEM;
	memcpy(na + *n * size, addr, size);
	(*n)++;
	return 0;
}
