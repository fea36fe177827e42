/* sockowner.c: which process holds a local port (/proc/net/{tcp,udp}, /proc/PID/fd). */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "net/sockowner.h"

#define TCP_LISTEN 0x0A

/* The inode of the first matching socket in /proc/net/{tcp,udp}; 0 if none. */
static int find_inode(const char *proc, bool udp, uint32_t addr, uint16_t port, unsigned long *ret)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[256], line[512];

	(void)snprintf(path, sizeof(path), "%s/net/%s", proc, udp ? "udp" : "tcp");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int a, p, st;
		unsigned long inode;

		/* "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode";
		 * the address is the raw __be32 printed as a number. */
		if (sscanf(line, " %*u: %8X:%4X %*X:%*X %2X %*X:%*X %*X:%*X %*X %*u %*u %lu", &a,
			   &p, &st, &inode) != 4)
			continue;
		if (p != port || (!udp && st != TCP_LISTEN) || inode == 0)
			continue;
		if (a != 0 && a != htonl(addr))
			continue;
		*ret = inode;
		return 1;
	}
	return 0;
}

static bool pid_has_socket(const char *proc, const char *pid, const char *want)
{
	_cleanup_closedir_ DIR *d = NULL;
	char path[300];
	struct dirent *de;

	(void)snprintf(path, sizeof(path), "%s/%s/fd", proc, pid);
	d = opendir(path);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		char link[64];
		ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, want))
			return true;
	}
	return false;
}

int net_sockowner_find(const char *proc, bool udp, uint32_t addr, uint16_t port, char *ret_comm,
		       size_t size)
{
	_cleanup_closedir_ DIR *d = NULL;
	unsigned long inode = 0;
	char want[64];
	struct dirent *de;
	int r;

	r = find_inode(proc, udp, addr, port, &inode);
	if (r <= 0)
		return r;
	(void)snprintf(want, sizeof(want), "socket:[%lu]", inode);
	d = opendir(proc);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_fclose_ FILE *f = NULL;
		char path[300];
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]) ||
		    !pid_has_socket(proc, de->d_name, want))
			continue;
		pid = strtol(de->d_name, NULL, 10);
		(void)snprintf(ret_comm, size, "?");
		(void)snprintf(path, sizeof(path), "%s/%s/comm", proc, de->d_name);
		f = fopen(path, "re");
		if (f && fgets(ret_comm, (int)size, f))
			ret_comm[strcspn(ret_comm, "\n")] = '\0';
		return (int)pid;
	}
	return 0;
}
