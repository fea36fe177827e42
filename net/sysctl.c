/* sysctl.c: the switches under /proc/sys/net/ that lxmgr turns on, as booleans. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "net/sysctl.h"

static int open_key(const char *key, int flags)
{
	char path[256];
	int fd;

	if (!*key || strstr(key, "..") || key[0] == '/')
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "/proc/sys/net/%s", key) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int net_sysctl_get(const char *key, bool *ret)
{
	_cleanup_close_ int fd = open_key(key, O_RDONLY);
	char c;

	if (fd < 0)
		return fd;
	if (read(fd, &c, 1) != 1)
		return -EIO;
	/* Values are integers; forwarding and route_localnet are 0 or 1, proxy_ndp too. */
	*ret = c != '0';
	return 0;
}

int net_sysctl_set(const char *key, bool on)
{
	_cleanup_close_ int fd = open_key(key, O_WRONLY);

	if (fd < 0)
		return fd;
	return write(fd, on ? "1\n" : "0\n", 2) == 2 ? 0 : -errno;
}
