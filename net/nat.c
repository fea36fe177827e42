/* nat.c: lxmgr's own nftables table per bridge (libnftables), and net.ipv4.ip_forward. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "cleanup.h"
#include "link.h"
#include "nat.h"
#include "pool.h"

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

static void nft_ctx_freep(struct nft_ctx **n)
{
	if (*n)
		nft_ctx_free(*n);
}

/* Runs an nft script with output and errors kept in buffers: a library never prints. */
static int nft_run(const char *script, bool *ret_missing)
{
	__attribute__((cleanup(nft_ctx_freep))) struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *err;
	int r;

	if (!nft)
		return -ENOMEM;
	if (nft_ctx_buffer_output(nft) < 0 || nft_ctx_buffer_error(nft) < 0)
		return -ENOMEM;
	r = nft_run_cmd_from_buffer(nft, script);
	if (r == 0)
		return 0;
	err = nft_ctx_get_error_buffer(nft);
	if (ret_missing)
		*ret_missing = err && strstr(err, "No such file or directory");
	return err && strstr(err, "Operation not permitted") ? -EPERM : -EIO;
}

int net_nat_table_name(const char *bridge, char *buf, size_t size)
{
	if (!net_link_name_is_valid(bridge))
		return -EINVAL;
	for (const char *p = bridge; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
			    *p))
			return -EINVAL; /* not an nft identifier */
	if ((size_t)snprintf(buf, size, "lxmgr-%s", bridge) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int net_nat_add(const char *table, const struct net_pool *pool)
{
	char script[1024], p[NET_POOL_STRLEN];

	net_pool_format(pool, p);
	(void)snprintf(script, sizeof(script),
		       "add table ip %1$s\n"
		       "add chain ip %1$s postrouting { type nat hook postrouting priority srcnat; "
		       "policy accept; }\n"
		       "flush chain ip %1$s postrouting\n"
		       "add rule ip %1$s postrouting ip saddr %2$s ip daddr != %2$s masquerade\n",
		       table, p);
	return nft_run(script, NULL);
}

int net_nat_remove(const char *table)
{
	char script[256];
	bool missing = false;
	int r;

	(void)snprintf(script, sizeof(script), "delete table ip %s\n", table);
	r = nft_run(script, &missing);
	return r < 0 && missing ? 0 : r;
}

int net_nat_exists(const char *table)
{
	char script[256];
	bool missing = false;
	int r;

	(void)snprintf(script, sizeof(script), "list table ip %s\n", table);
	r = nft_run(script, &missing);
	if (r < 0)
		return missing ? 0 : r;
	return 1;
}

int net_ip_forward_get(bool *ret)
{
	_cleanup_close_ int fd = open(IP_FORWARD, O_RDONLY | O_CLOEXEC);
	char c;

	if (fd < 0)
		return -errno;
	if (read(fd, &c, 1) != 1)
		return -EIO;
	*ret = c == '1';
	return 0;
}

int net_ip_forward_set(bool on)
{
	_cleanup_close_ int fd = open(IP_FORWARD, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return write(fd, on ? "1\n" : "0\n", 2) == 2 ? 0 : -errno;
}
