/* network-sysctl.c: the /proc/sys/net switches lxmgr turns on for its containers, each
 * recorded before it is changed so that it is turned off again when lxmgr no longer needs it,
 * also after a killed monitor. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "net/sysctl.h"
#include "network/internal.h"

#define LOG_STEP "net"

static int saved_path(const char *saved, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, NET_HOST_DIR "/%s.saved", saved) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int network_sysctl_enable(const struct lxmgr_ctx *ctx, const char *key, const char *saved)
{
	char path[128];
	bool on;
	int r;

	r = net_sysctl_get(key, &on);
	if (r < 0)
		return lx_fail(ctx, r, "read net.%s", key);
	if (on)
		return 0;
	r = saved_path(saved, path, sizeof(path));
	if (r >= 0)
		r = write_file_atomic_at(AT_FDCWD, path, "0\n", 2, 0644);
	if (r >= 0)
		r = net_sysctl_set(key, true);
	if (r < 0)
		return lx_fail(ctx, r, "turn net.%s on", key);
	lx_info(ctx, "turned net.%s on (lxmgr turns it off again when it no longer needs it)", key);
	return 0;
}

void network_sysctl_restore(const struct lxmgr_ctx *ctx, const char *key, const char *saved)
{
	char path[128];
	int r;

	if (saved_path(saved, path, sizeof(path)) < 0 || access(path, F_OK) < 0)
		return;
	r = net_sysctl_set(key, false);
	/* An interface that is gone took its switch with it. */
	if (r < 0 && r != -ENOENT) {
		lx_warn(ctx, r, "turn net.%s off again, ignoring", key);
		return;
	}
	(void)unlink(path);
	if (r >= 0)
		lx_info(ctx, "turned net.%s off again", key);
}

/* The switch a saved file stands for: "ip_forward", "ipv6_forwarding", "proxy_ndp-IF". */
static int key_of(const char *saved, char *buf, size_t size)
{
	int n;

	if (!strcmp(saved, "ip_forward"))
		n = snprintf(buf, size, "ipv4/ip_forward");
	else if (!strcmp(saved, "ipv6_forwarding"))
		n = snprintf(buf, size, "ipv6/conf/all/forwarding");
	else if (!strncmp(saved, "proxy_ndp-", 10) && saved[10] && !strchr(saved, '/'))
		n = snprintf(buf, size, "ipv6/conf/%s/proxy_ndp", saved + 10);
	else
		return -ENOENT; /* route_localnet-BRIDGE: goes with its bridge */
	return (size_t)n < size ? 0 : -ENAMETOOLONG;
}

void network_sysctl_restore_host(const struct lxmgr_ctx *ctx)
{
	_cleanup_closedir_ DIR *d = opendir(NET_HOST_DIR);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char saved[128], key[128];
		size_t n = strlen(de->d_name);

		if (n <= 6 || n - 6 >= sizeof(saved) || strcmp(de->d_name + n - 6, ".saved"))
			continue;
		memcpy(saved, de->d_name, n - 6);
		saved[n - 6] = '\0';
		if (key_of(saved, key, sizeof(key)) >= 0)
			network_sysctl_restore(ctx, key, saved);
	}
}
