/* rootfs.h: the container's root mount, the kernel filesystems inside it, pivot_root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/config.h"

/* What failed in the child, sent to the monitor to report (STYLE §2.1). */
struct child_error {
	char where[32];
	char text[224];
};

enum mount_flags {
	MNT_FATAL = 1 << 0,      /* failure aborts the start; else skipped (path absent) */
	MNT_BIND_RO = 1 << 1,    /* bind source onto target, then remount read-only */
	MNT_MASK_FILE = 1 << 2,  /* bind /dev/null over a file */
	MNT_MASK_DIR = 1 << 3,   /* an empty read-only tmpfs over a directory */
	MNT_NETNS_ONLY = 1 << 4, /* only when the container has its own network namespace */
	MNT_MKDIR = 1 << 5,      /* create the target directory first */
	MNT_BIND_RW = 1 << 6,    /* bind source onto target, read-write */
	MNT_REMOUNT_RO = 1 << 7, /* make the mount at target read-only (not its submounts) */
};

/* One row of a mount table (nspawn's mount_all()): paths relative to the new root. */
struct mount_spec {
	const char *source;
	const char *target;
	const char *fstype;
	unsigned long flags;
	const char *data;
	unsigned how; /* enum mount_flags */
};

/* Applies a table under root. own_netns selects MNT_NETNS_ONLY rows. */
int mount_table_apply(const char *root, const struct mount_spec *table, size_t n, bool own_netns,
		      struct child_error *e);
/* The same, with null_src bound over MNT_MASK_FILE targets instead of /dev/null. */
int mount_table_apply_masked(const char *root, const struct mount_spec *table, size_t n,
			     bool own_netns, const char *null_src, struct child_error *e);

/* Monitor side: an idmapped clone of the tree at path for the user namespace userns_fd
 * (open_tree + mount_setattr MOUNT_ATTR_IDMAP). Returns the detached mount's fd. */
int rootfs_open_idmapped(const char *path, int userns_fd);
/* The same of the tree at fd itself (an O_PATH fd will do: a share's source, resolved once),
 * with more MOUNT_ATTR_* flags set on the whole tree (shares: nodev, rdonly). */
int rootfs_open_idmapped_fd(int fd, int userns_fd, uint64_t attr_set);
/* Whether the filesystem at path can be idmapped at all (create asks, to pick the fallback). */
bool rootfs_supports_idmap(const char *path);

/* In a fresh mount namespace (kernfs.c's helper), before pivot_root: makes / a slave, puts
 * the rootfs at path (the idmapped tree fd, or a plain recursive bind of path when
 * tree_fd < 0). */
int rootfs_mount_root(const char *path, int tree_fd, struct child_error *e);
/* Child side, in the container's cgroup namespace, /proc and /sys already there (kernfs.h):
 * /sys/fs/cgroup as layout says (cgroup2; or a read-only tmpfs holding the v1
 * name=systemd hierarchy and, for hybrid, cgroup2 at unified/), /run with
 * /run/host/container-manager. */
int rootfs_mount_kernel_fs(const char *root, bool own_netns, const char *uuid,
			   enum cgroup_layout layout, struct child_error *e);
/* Child side, before it enters the locked mount namespace (kernfs.h), where a new instance
 * would be refused, only with container.nesting: a detached proc and (own_netns) a
 * read-only sysfs, with nothing mounted over them. The kernel lets a user namespace mount
 * proc or sysfs only where one is already fully visible (fs/namespace.c
 * mount_too_revealing()); the masks of /proc and /sys hide parts. ret_fds[1] stays as it
 * is without own_netns. */
int rootfs_open_nesting(bool own_netns, int ret_fds[2], struct child_error *e);
/* Child side, after /dev is set up: a root-only tmpfs at /dev/.lxmgr with the two at
 * /dev/.lxmgr/{proc,sys} (fds[i] < 0: skipped). */
int rootfs_attach_nesting(const char *root, const int fds[2], struct child_error *e);
/* Child side: a recursive bind of root onto itself (its top unlocked), pivot_root into it
 * and drop the old root. */
int rootfs_pivot(const char *root, struct child_error *e);
