/* rootfs.c: the container's root mount, the kernel filesystems inside it, pivot_root. */
#include <fcntl.h>
#include <linux/mount.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "fs/idmap.h"
#include "fs/rootfs.h"

static int set_error(struct child_error *e, int r, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_error(struct child_error *e, int r, const char *where, const char *fmt, ...)
{
	va_list ap;

	(void)snprintf(e->where, sizeof(e->where), "%s", where);
	va_start(ap, fmt);
	(void)vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return r;
}

#define NOSUID_NODEV_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* /run; /proc and /sys come locked from kernfs.c. */
static const struct mount_spec kernel_mounts[] = {
	{"tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=20%",
	 MNT_FATAL | MNT_MKDIR},
};

/* /sys/fs/cgroup per container.cgroup_layout. The cgroup namespace is already rooted at the
 * container's cgroups, so each hierarchy shows the container's own subtree. name=systemd has
 * no controller: a user namespace may mount it (and on a pure cgroup2 host the monitor made
 * it exist). The tmpfs goes read-only as nspawn's does: systemd < 230 then mounts nothing
 * more there, and its attempts to add v1 controllers fail softly. */
#define CGROUP_V1_ROWS                                                                             \
	{"tmpfs", "sys/fs/cgroup", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=0755,size=64k", MNT_FATAL}, \
	{                                                                                          \
		"cgroup", "sys/fs/cgroup/systemd", "cgroup", NOSUID_NODEV_NOEXEC,                  \
			"none,name=systemd", MNT_FATAL | MNT_MKDIR                                 \
	}
static const struct mount_spec cgroup_unified[] = {
	{"cgroup2", "sys/fs/cgroup", "cgroup2", NOSUID_NODEV_NOEXEC, NULL, MNT_FATAL},
};
static const struct mount_spec cgroup_hybrid[] = {
	CGROUP_V1_ROWS,
	{"cgroup2", "sys/fs/cgroup/unified", "cgroup2", NOSUID_NODEV_NOEXEC, NULL,
	 MNT_FATAL | MNT_MKDIR},
	{NULL, "sys/fs/cgroup", NULL, 0, NULL, MNT_FATAL | MNT_REMOUNT_RO},
};
static const struct mount_spec cgroup_legacy[] = {
	CGROUP_V1_ROWS,
	{NULL, "sys/fs/cgroup", NULL, 0, NULL, MNT_FATAL | MNT_REMOUNT_RO},
};

/* LXC's nesting.conf does the same at /dev/.lxc; the dir is root's only. proc and sysfs come
 * as detached mounts (rootfs_open_nesting). */
static const struct mount_spec nesting_mounts[] = {
	{"tmpfs", "dev/.lxmgr", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=0700,size=4k",
	 MNT_FATAL | MNT_MKDIR},
};

static int remount_ro(const char *target, unsigned long extra)
{
	/* A bind ignores MS_RDONLY: the flag is applied by a remount (bubblewrap's bind-mount.c).
	 */
	return NEG_ERRNO(mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | extra, NULL));
}

static int apply_one(const char *root, const struct mount_spec *m, const char *null_src,
		     struct child_error *e)
{
	char target[4096], source[4096];
	int r;

	(void)snprintf(target, sizeof(target), "%s/%s", root, m->target);
	if (m->source && m->source[0] != '/')
		(void)snprintf(source, sizeof(source), "%s/%s", root, m->source);
	else
		(void)snprintf(source, sizeof(source), "%s", m->source ? m->source : "");
	if ((m->how & MNT_MKDIR) && mkdir(target, 0755) < 0 && errno != EEXIST)
		return set_error(e, -errno, "rootfs", "mkdir %s", m->target);
	if (m->how & MNT_REMOUNT_RO)
		return remount_ro(target, NOSUID_NODEV_NOEXEC);
	if (m->how & MNT_MASK_FILE)
		return NEG_ERRNO(mount(null_src, target, NULL, MS_BIND, NULL));
	if (m->how & MNT_MASK_DIR)
		return NEG_ERRNO(mount("tmpfs", target, "tmpfs", MS_RDONLY | NOSUID_NODEV_NOEXEC,
				       "mode=0555,size=0"));
	if (m->how & (MNT_BIND_RO | MNT_BIND_RW)) {
		r = NEG_ERRNO(mount(source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL));
		if (r < 0)
			return r;
		/* A bind takes the flags of the mount its source is on: read-write is a remount
		 * too when that one is read-only (/proc/sys/net below /proc/sys). */
		if (m->how & MNT_BIND_RW)
			return NEG_ERRNO(mount(NULL, target, NULL,
					       MS_BIND | MS_REMOUNT | NOSUID_NODEV_NOEXEC, NULL));
		return remount_ro(target, NOSUID_NODEV_NOEXEC);
	}
	return NEG_ERRNO(mount(m->source, target, m->fstype, m->flags, m->data));
}

int mount_table_apply(const char *root, const struct mount_spec *table, size_t n, bool own_netns,
		      struct child_error *e)
{
	return mount_table_apply_masked(root, table, n, own_netns, "/dev/null", e);
}

int mount_table_apply_masked(const char *root, const struct mount_spec *table, size_t n,
			     bool own_netns, const char *null_src, struct child_error *e)
{
	for (size_t i = 0; i < n; i++) {
		const struct mount_spec *m = &table[i];
		int r;

		if ((m->how & MNT_NETNS_ONLY) && !own_netns)
			continue;
		r = apply_one(root, m, null_src, e);
		if (r < 0 && (m->how & MNT_FATAL))
			return e->where[0] ? r
					   : set_error(e, r, "rootfs", "mount %s on /%s",
						       m->fstype ? m->fstype : "bind", m->target);
		e->where[0] = '\0';
	}
	return 0;
}

/* path "" is fd itself (AT_EMPTY_PATH). */
static int open_idmapped_at(int dirfd, const char *path, int userns_fd, uint64_t attr_set)
{
	_cleanup_close_ int tree = -EBADF;
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | attr_set,
		.userns_fd = (uint64_t)userns_fd,
	};

	tree = NEG_ERRNO((int)syscall(SYS_open_tree, dirfd, path,
				      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
					      (path[0] ? 0 : AT_EMPTY_PATH)));
	if (tree < 0)
		return tree;
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
		    sizeof(attr)) < 0)
		return -errno;
	return TAKE_FD(tree);
}

bool rootfs_supports_idmap(const char *path)
{
	_cleanup_close_ int tree = -EBADF, userns = -EBADF;

	/* Probe with our own user namespace: the question is the filesystem's, not the map's. */
	userns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return false;
	tree = rootfs_open_idmapped(path, userns);
	/* The initial namespace itself is refused (EPERM); EINVAL means the fs cannot. Inside a
	 * user namespace (a nesting container) EPERM means we do not own the filesystem, or the
	 * tree is idmapped already: both rule an idmapped rootfs out. */
	return tree >= 0 || (tree == -EPERM && idmap_in_initial_userns());
}

int rootfs_open_idmapped(const char *path, int userns_fd)
{
	return open_idmapped_at(AT_FDCWD, path, userns_fd, 0);
}

int rootfs_open_idmapped_fd(int fd, int userns_fd, uint64_t attr_set)
{
	return open_idmapped_at(fd, "", userns_fd, attr_set);
}

int rootfs_mount_root(const char *path, int tree_fd, struct child_error *e)
{
	/* Host mounts may still propagate in; nothing we mount here propagates out. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return set_error(e, -errno, "rootfs", "make / a slave mount");
	if (tree_fd >= 0) {
		if (syscall(SYS_move_mount, tree_fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) <
		    0)
			return set_error(e, -errno, "rootfs", "move the idmapped rootfs to %s",
					 path);
		return 0;
	}
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return set_error(e, -errno, "rootfs", "bind %s", path);
	return 0;
}

static int write_run_host(const char *root, const char *uuid, struct child_error *e)
{
	static const char *const files[][2] = {
		{"container-manager", "lxmgr\n"},
		{"container-uuid", NULL},
	};
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/run/host", root);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return set_error(e, -errno, "rootfs", "mkdir /run/host");
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *text = NULL;
		int r;

		(void)snprintf(path, sizeof(path), "%s/run/host/%s", root, files[i][0]);
		r = files[i][1] ? xasprintf(&text, "%s", files[i][1])
				: xasprintf(&text, "%s\n", uuid);
		if (r >= 0)
			r = write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0444);
		if (r < 0)
			return set_error(e, r, "rootfs", "write /run/host/%s", files[i][0]);
	}
	return 0;
}

static int mount_cgroups(const char *root, enum cgroup_layout layout, struct child_error *e)
{
	switch (layout) {
	case CGROUP_LAYOUT_HYBRID:
		return mount_table_apply(root, cgroup_hybrid, ELEMENTSOF(cgroup_hybrid), true, e);
	case CGROUP_LAYOUT_LEGACY:
		return mount_table_apply(root, cgroup_legacy, ELEMENTSOF(cgroup_legacy), true, e);
	case CGROUP_LAYOUT_UNIFIED:
	case _CGROUP_LAYOUT_MAX:
		break;
	}
	return mount_table_apply(root, cgroup_unified, ELEMENTSOF(cgroup_unified), true, e);
}

/* systemd < 232 lacks ConditionVirtualization=!private-users on the units that mount what a
 * user namespace may not (hugetlbfs, fusectl): they fail. A mask in /run/systemd/system lasts
 * one boot and touches no file of the guest. Only old systemd gets the v1 layouts. */
static int mask_userns_units(const char *root, struct child_error *e)
{
	static const char *const units[] = {"dev-hugepages.mount", "sys-fs-fuse-connections.mount"};
	char path[4096];
	int r;

	(void)snprintf(path, sizeof(path), "%s/run/systemd/system", root);
	r = mkdir_p(path, 0755);
	if (r < 0)
		return set_error(e, r, "rootfs", "mkdir /run/systemd/system");
	for (size_t i = 0; i < ELEMENTSOF(units); i++) {
		(void)snprintf(path, sizeof(path), "%s/run/systemd/system/%s", root, units[i]);
		if (symlink("/dev/null", path) < 0 && errno != EEXIST)
			return set_error(e, -errno, "rootfs", "mask %s", units[i]);
	}
	return 0;
}

int rootfs_mount_kernel_fs(const char *root, bool own_netns, const char *uuid,
			   enum cgroup_layout layout, struct child_error *e)
{
	int r = mount_table_apply(root, kernel_mounts, ELEMENTSOF(kernel_mounts), own_netns, e);

	if (r >= 0)
		r = mount_cgroups(root, layout, e);
	if (r >= 0)
		r = write_run_host(root, uuid, e);
	if (r >= 0 && layout != CGROUP_LAYOUT_UNIFIED)
		r = mask_userns_units(root, e);
	return r;
}

/* A new instance of fstype, nosuid, nodev, noexec, as a detached mount (the new mount API). */
static int fsmount_new(const char *fstype, bool ro)
{
	_cleanup_close_ int fs = -EBADF;

	fs = NEG_ERRNO((int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC));
	if (fs < 0)
		return fs;
	if (ro && syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	return NEG_ERRNO((int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
				      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
					      (ro ? MOUNT_ATTR_RDONLY : 0)));
}

int rootfs_open_nesting(bool own_netns, int ret_fds[2], struct child_error *e)
{
	ret_fds[0] = fsmount_new("proc", false);
	if (ret_fds[0] < 0)
		return set_error(e, ret_fds[0], "rootfs", "a proc for container.nesting");
	if (!own_netns)
		return 0;
	ret_fds[1] = fsmount_new("sysfs", true);
	if (ret_fds[1] < 0)
		return set_error(e, ret_fds[1], "rootfs", "a sysfs for container.nesting");
	return 0;
}

int rootfs_attach_nesting(const char *root, const int fds[2], struct child_error *e)
{
	static const char *const names[] = {"proc", "sys"};
	char path[4096];
	int r;

	/* The root-only tmpfs (the first row), then each instance on a directory of it. */
	r = mount_table_apply(root, nesting_mounts, 1, true, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		if (fds[i] < 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/dev/.lxmgr/%s", root, names[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return set_error(e, -errno, "rootfs", "mkdir /dev/.lxmgr/%s", names[i]);
		if (syscall(SYS_move_mount, fds[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) <
		    0)
			return set_error(e, -errno, "rootfs", "attach /dev/.lxmgr/%s", names[i]);
	}
	return 0;
}

int rootfs_pivot(const char *root, struct child_error *e)
{
	/* The rootfs came locked from kernfs.c and pivot_root refuses a locked new root: a
	 * recursive bind of it is not locked at its top, and keeps the locks below. */
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return set_error(e, -errno, "rootfs", "bind the rootfs onto itself");
	/* pivot_root(".", "."): the old root ends up stacked on the new one, then detached. */
	if (chdir(root) < 0)
		return set_error(e, -errno, "rootfs", "chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return set_error(e, -errno, "rootfs", "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return set_error(e, -errno, "rootfs", "detach the old root");
	if (chdir("/") < 0)
		return set_error(e, -errno, "rootfs", "chdir /");
	return 0;
}
