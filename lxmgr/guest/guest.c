/* guest.c: what the guest is (its init) and the identity files lxmgr writes into it. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "guest/guest.h"

int guest_check_init(int rootfd, const char *path)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;

	fd = open_in_root(rootfd, path, O_PATH, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return -ENOEXEC;
	return 0;
}

static int resolved_name(int rootfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH, 0);
	char link[64];
	ssize_t n;
	const char *base;

	if (fd < 0)
		return fd;
	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	base = strrchr(buf, '/');
	memmove(buf, base ? base + 1 : buf, strlen(base ? base + 1 : buf) + 1);
	return 0;
}

static uint32_t version_from_shared_lib(int rootfd)
{
	static const char *const dirs[] = {"/usr/lib/systemd", "/lib/systemd",
					   "/usr/lib64/systemd"};

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_closedir_ DIR *d = NULL;
		int fd = open_in_root(rootfd, dirs[i], O_RDONLY | O_DIRECTORY, 0);
		struct dirent *de;

		if (fd < 0)
			continue;
		d = fdopendir(fd);
		if (!d) {
			(void)close(fd);
			continue;
		}
		while ((de = readdir(d))) {
			unsigned v;

			if (sscanf(de->d_name, "libsystemd-shared-%u", &v) == 1)
				return v;
		}
	}
	return 0;
}

/* Old systemd has no libsystemd-shared: its binary carries "systemd NNN" as a string. */
static uint32_t version_from_binary(int rootfd, const char *path)
{
	static const char needle[] = "systemd ";
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	if (read_file_in_root(rootfd, path, 0, 16 << 20, &buf, &len) < 0)
		return 0;
	for (size_t i = 0; i + sizeof(needle) + 4 < len; i++) {
		unsigned v;

		if (buf[i] == '\0' && !memcmp(buf + i + 1, needle, sizeof(needle) - 1) &&
		    sscanf(buf + i + sizeof(needle), "%u", &v) == 1 && v > 100 && v < 1000)
			return v;
	}
	return 0;
}

int guest_detect_init(int rootfd, const char *path, enum init_kind *ret_kind,
		      uint32_t *ret_systemd_version)
{
	char name[4096];
	int r = resolved_name(rootfd, path, name, sizeof(name));

	*ret_kind = INIT_KIND_UNKNOWN;
	*ret_systemd_version = 0;
	if (r < 0)
		return r;
	if (!strcmp(name, "systemd")) {
		*ret_kind = INIT_KIND_SYSTEMD;
		*ret_systemd_version = version_from_shared_lib(rootfd);
		if (!*ret_systemd_version)
			*ret_systemd_version = version_from_binary(rootfd, path);
	} else if (!strcmp(name, "openrc-init") ||
		   (!strcmp(name, "busybox") && guest_check_init(rootfd, "/sbin/openrc") == 0)) {
		*ret_kind = INIT_KIND_OPENRC;
	} else if (!strcmp(name, "busybox")) {
		*ret_kind = INIT_KIND_BUSYBOX;
	} else if (!strcmp(name, "init")) {
		*ret_kind = INIT_KIND_SYSVINIT;
	}
	return 0;
}

int guest_stop_signal(enum init_kind kind)
{
	switch (kind) {
	case INIT_KIND_SYSTEMD:
		return SIGRTMIN + 3;
	case INIT_KIND_SYSVINIT:
		return SIGPWR;
	case INIT_KIND_OPENRC:
	case INIT_KIND_BUSYBOX:
		return SIGUSR2; /* busybox init: USR2 powers off, TERM reboots */
	case INIT_KIND_UNKNOWN:
	case _INIT_KIND_MAX:
		break;
	}
	return SIGRTMIN + 3;
}

int guest_write_file(int rootfd, const char *path, const char *text, uid_t uid, gid_t gid)
{
	_cleanup_close_ int fd = -EBADF;
	size_t len = strlen(text);
	int r;

	/* O_NOFOLLOW on top of RESOLVE_IN_ROOT: a planted symlink is refused, not followed. */
	fd = open_in_root(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return fd;
	/* write_all keeps the cause: a full store is ENOSPC, not a made-up EIO. */
	r = write_all(fd, text, len);
	if (r < 0)
		return r;
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, 0644) < 0)
		return -errno;
	return 0;
}

enum cgroup_layout guest_cgroup_layout(enum init_kind kind, uint32_t systemd_version)
{
	if (kind == INIT_KIND_SYSTEMD && systemd_version &&
	    systemd_version < GUEST_SYSTEMD_UNIFIED_MIN)
		return CGROUP_LAYOUT_HYBRID;
	return CGROUP_LAYOUT_UNIFIED;
}

int guest_check_layout(const struct container_config *c, char *why, size_t size)
{
	uint32_t v = c->systemd_version;

	if (c->init_kind != INIT_KIND_SYSTEMD || !v)
		return 0;
	if (c->cgroup_layout == CGROUP_LAYOUT_UNIFIED && v < GUEST_SYSTEMD_UNIFIED_MIN) {
		(void)snprintf(why, size,
			       "systemd %u cannot run on cgroup2 alone (it needs %u or later): set "
			       "container.cgroup_layout to hybrid",
			       v, GUEST_SYSTEMD_UNIFIED_MIN);
		return -EOPNOTSUPP;
	}
	if (c->cgroup_layout != CGROUP_LAYOUT_UNIFIED && v > GUEST_SYSTEMD_V1_MAX) {
		(void)snprintf(why, size,
			       "systemd %u refuses cgroup v1 (container.cgroup_layout is %s): set "
			       "container.cgroup_layout to unified",
			       v, cgroup_layout_to_string(c->cgroup_layout));
		return -EOPNOTSUPP;
	}
	return 0;
}

static int hosts_text(int rootfd, const char *hostname, char **ret)
{
	_cleanup_free_ char *old = NULL, *out = NULL;
	_cleanup_close_ int fd = open_in_root(rootfd, "/etc/hosts", O_RDONLY | O_NOFOLLOW, 0);
	size_t len = 0;
	FILE *f;
	char *save = NULL;

	if (fd >= 0)
		(void)read_fd_all(fd, 1 << 20, &old, NULL);
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "127.0.0.1\tlocalhost\n127.0.1.1\t%s\n", hostname);
	/* Keep every other line of the guest's own file (IPv6 names, the user's entries). */
	for (char *l = old ? strtok_r(old, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "127.0.0.1", 9) != 0 && strncmp(l, "127.0.1.1", 9) != 0)
			fprintf(f, "%s\n", l);
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(out);
	return 0;
}

int guest_write_identity(int rootfd, const char *hostname, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *line = NULL, *hosts = NULL;
	int r;

	r = xasprintf(&line, "%s\n", hostname);
	if (r >= 0)
		r = guest_write_file(rootfd, "/etc/hostname", line, uid, gid);
	if (r >= 0)
		r = hosts_text(rootfd, hostname, &hosts);
	if (r >= 0)
		r = guest_write_file(rootfd, "/etc/hosts", hosts, uid, gid);
	if (r >= 0)
		r = guest_write_file(rootfd, "/etc/machine-id", "", uid, gid);
	return r;
}
