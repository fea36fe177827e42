/* rootfs.h: the container's root mount, the kernel filesystems inside it, pivot_root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

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

/* Monitor side: an idmapped clone of the tree at path for the user namespace userns_fd
 * (open_tree + mount_setattr MOUNT_ATTR_IDMAP). Returns the detached mount's fd. */
int rootfs_open_idmapped(const char *path, int userns_fd);
/* Whether the filesystem at path can be idmapped at all (create asks, to pick the fallback). */
bool rootfs_supports_idmap(const char *path);

/* Child side, in its own user+mount namespace, before pivot_root: makes / a slave, puts the
 * rootfs at path (the idmapped tree fd, or a plain recursive bind of path when tree_fd < 0). */
int rootfs_mount_root(const char *path, int tree_fd, struct child_error *e);
/* Child side, in the container's cgroup namespace: /proc with its read-only parts and masks,
 * /sys, /sys/fs/cgroup as layout says (cgroup2; or a read-only tmpfs holding the v1
 * name=systemd hierarchy and, for hybrid, cgroup2 at unified/), /run with
 * /run/host/container-manager. */
int rootfs_mount_kernel_fs(const char *root, bool own_netns, const char *uuid,
			   enum cgroup_layout layout, struct child_error *e);
/* Child side, after /dev is set up, only with container.nesting: a proc and a read-only sysfs
 * with nothing mounted over them at /dev/.lxmgr/{proc,sys} (sysfs only with its own netns).
 * The kernel lets a user namespace mount proc or sysfs only where one is already fully
 * visible (fs/namespace.c mount_too_revealing()); the masks of /proc and /sys hide parts. */
int rootfs_mount_nesting(const char *root, bool own_netns, struct child_error *e);
/* Child side: pivot_root into root and drop the old root. */
int rootfs_pivot(const char *root, struct child_error *e);
