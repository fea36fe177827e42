/* dev.c: the container's /dev: a tmpfs with the standard nodes, devpts, the console. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/mount.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "fs/dev.h"

/* A user namespace cannot mknod: the nodes are bind mounts of the host's (DESIGN §4). */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct mount_spec dev_mounts[] = {
	{"tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=4m,nr_inodes=64k",
	 MNT_FATAL | MNT_MKDIR},
	{"devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	 "newinstance,ptmxmode=0666,mode=0620,gid=5", MNT_FATAL | MNT_MKDIR},
	{"tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=50%",
	 MNT_FATAL | MNT_MKDIR},
	{"mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, MNT_MKDIR},
};

static const char *const dev_links[][2] = {
	{"pts/ptmx", "ptmx"},          {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"},
	{"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"},
};

static int bind_file(const char *source, const char *target)
{
	_cleanup_close_ int fd = -EBADF;

	fd = NEG_ERRNO(open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
	if (fd < 0)
		return fd;
	return NEG_ERRNO(mount(source, target, NULL, MS_BIND, NULL));
}

static int set_err(struct child_error *e, int r, const char *what, const char *name)
{
	(void)snprintf(e->where, sizeof(e->where), "dev");
	(void)snprintf(e->text, sizeof(e->text), "%s /dev/%s", what, name);
	return r;
}

int dev_setup(const char *root, const char *console, struct child_error *e)
{
	char path[4096], source[64];
	int r;

	r = mount_table_apply(root, dev_mounts, ELEMENTSOF(dev_mounts), true, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
		(void)snprintf(path, sizeof(path), "%s/dev/%s", root, dev_nodes[i]);
		(void)snprintf(source, sizeof(source), "/dev/%s", dev_nodes[i]);
		r = bind_file(source, path);
		if (r < 0)
			return set_err(e, r, "bind", dev_nodes[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(dev_links); i++) {
		(void)snprintf(path, sizeof(path), "%s/dev/%s", root, dev_links[i][1]);
		if (symlink(dev_links[i][0], path) < 0 && errno != EEXIST)
			return set_err(e, -errno, "symlink", dev_links[i][1]);
	}
	if (console) {
		(void)snprintf(path, sizeof(path), "%s/dev/console", root);
		r = bind_file(console, path);
		if (r < 0)
			return set_err(e, r, "bind the console pty onto", "console");
	}
	return 0;
}

/* Parent directories of a device node inside our fresh /dev tmpfs; never through a symlink
 * (/dev/fd and friends are ours, and point into /proc). */
static int make_parents(const char *path, size_t root_len)
{
	char dir[4096];
	struct stat st;

	(void)snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + root_len + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (lstat(dir, &st) < 0)
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		*p = '/';
	}
	return 0;
}

int dev_bind_devices(const char *root, const struct container_config *cfg,
		     const int fds[CONFIG_ENTRIES_MAX], struct child_error *e)
{
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		const struct config_entry *d = &cfg->devices[i];
		_cleanup_close_ int fd = -EBADF;
		char path[4096];
		int r;

		if (!d->name || fds[i] < 0)
			continue;
		/* The value is /dev/PATH (checked by the config): the same path inside. */
		(void)snprintf(path, sizeof(path), "%s%s", root, d->value);
		r = make_parents(path, strlen(root) + strlen("/dev"));
		if (r >= 0)
			r = fd = NEG_ERRNO(
				open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
		if (r >= 0)
			r = NEG_ERRNO((int)syscall(SYS_move_mount, fds[i], "", AT_FDCWD, path,
						   MOVE_MOUNT_F_EMPTY_PATH));
		if (r < 0)
			return set_err(e, r, "attach the device", d->value + strlen("/dev/"));
	}
	return 0;
}
