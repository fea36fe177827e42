/* mounts.h: shared folders (mount.NAME) and devices (device.NAME): parse, open, attach. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "fs/rootfs.h"
#include "store/config.h"

/* mount.NAME = SRC:DST[:ro][:owner=USER] */
struct mount_entry {
	char src[PATH_MAX];
	char dst[PATH_MAX];
	bool ro;
	char owner[33]; /* owner=USER: a user of the container; "" */
};

/* Syntax only (no file system access): SRC and DST absolute, without '.' or '..' components,
 * DST not / nor under /proc, /sys or /dev. 0 or -EINVAL. */
int mounts_parse(const char *value, struct mount_entry *ret);
bool mounts_value_is_valid(const char *value);
/* DST alone: absolute, no '.' or '..', not / nor under /proc, /sys or /dev. */
bool mounts_target_is_valid(const char *dst);
/* device.NAME = /dev/PATH (syntax only). */
bool mounts_device_is_valid(const char *value);
/* stat(2) of the host's device at path: 0, -ENODEV when it is not a character device, or
 * -errno. */
struct stat;
int mounts_device_stat(const char *path, struct stat *ret);

/* On the host, at `config set` and lxmgr mount: SRC exists (directory or file) and no
 * component of it is a symlink (mounts_source_open); a device is a character device. 0, or
 * -errno with a one-line reason in why. */
int mounts_check_host_mount(const char *value, char *why, size_t n);
int mounts_check_host_device(const char *value, char *why, size_t n);

/* Which share (or device) failed, and why: a refused source (mounts_source_open) leaves its
 * one-line reason in why, naming SRC; other failures leave why "". */
struct mounts_failure {
	size_t slot;
	char why[PATH_MAX + 128];
};

/* Monitor side: for each set mount.* entry (in slot order), a detached clone of SRC (opened
 * by mounts_source_open, so neither through a symlink nor inside store), nodev,
 * idmapped with the container's map without root (uid N on disk is N inside, 1-65535), or
 * for owner=USER with only SRC's host owner and group mapped onto USER and USER's group
 * (read from rootfs's /etc/passwd: -ESRCH if absent); read-only recursively for :ro.
 * ret_fds[i] is -EBADF for unused slots; the caller closes them. On failure ret_failed->slot
 * is the slot's index. */
int mounts_open_trees(const struct container_config *c, const char *rootfs,
		      const char *const *store, int ret_fds[CONFIG_ENTRIES_MAX],
		      struct mounts_failure *ret_failed);

/* One tree of mounts_open_trees: the idmapped (owner=USER: USER's) detached clone of m->src,
 * made from the fd mounts_source_open returned (its reason in why when it refused); rootfs
 * is where USER is looked up (a running container's /proc/PID/root will do). */
int mounts_open_tree(const struct container_config *c, const char *rootfs, const char *const *store,
		     const struct mount_entry *m, char *why, size_t n);

/* Resolves dst below rootfd component by component, never through a symlink (-ELOOP for
 * one anywhere); with create, missing directories (and for file a last empty file) are
 * made. Returns an O_PATH fd. */
int mounts_open_target(int rootfd, const char *dst, bool file, bool create);

/* Where the monitor stages the trees, relative to the container's directory (the working
 * directory of the monitor at clone3 and of the child). */
#define MOUNTS_STAGE_DIR ".mounts"

/* Monitor side, just before clone3, working directory the container's: when c has mount.*
 * or device.* entries, idmaps a clone of each share (with a user namespace of the
 * container's maps), moves into a private mount namespace (a slave of the host's) and
 * attaches tree i at MOUNTS_STAGE_DIR/i on a tmpfs there; for device i it makes a node
 * MOUNTS_STAGE_DIR/dev-i with the host node's number and mode, owned by the container's
 * root. The child's copy of that namespace, owned by its user namespace, has them locked: a
 * read-only share stays read-only. *ret_hostns is the host's mount namespace to return to
 * with mounts_unstage (-EBADF when nothing was staged), also on failure. ret_failed->slot is
 * the slot whose tree failed (its why said as for mounts_open_trees), CONFIG_ENTRIES_MAX + i
 * for device i, or SIZE_MAX (-ENODEV: the device is no character device). A share's source
 * must not lie in store (see mounts_source_open). */
int mounts_stage(const struct container_config *c, const char *rootfs, const char *const *store,
		 int *ret_hostns, struct mounts_failure *ret_failed);
/* Monitor side, after clone3: back to the host's mount namespace (hostns is closed). Nothing
 * to do for hostns < 0. */
void mounts_unstage(int hostns);
/* Once the child has left it (exec'd or died): removes the empty stage directory under dirfd.
 * Not earlier: rmdir on the host detaches what is mounted on it in every namespace. */
void mounts_stage_remove(int dirfd);
/* Child side, before the rootfs is mounted: a detached clone of each staged tree (the locks
 * go with it) and device node, -EBADF for unused slots. */
int mounts_open_staged(const struct container_config *c, int ret_fds[CONFIG_ENTRIES_MAX],
		       int ret_dev_fds[CONFIG_ENTRIES_MAX], struct child_error *e);

/* Closes the fds of an array filled by mounts_open_trees (a cleanup function). */
void mounts_close_fds(int (*fds)[CONFIG_ENTRIES_MAX]);

/* Child side, before pivot_root: attaches each tree fd at its DST under root, resolved with
 * openat2(RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS) (a symlink anywhere in DST is refused),
 * missing directories created. */
int mounts_attach(const char *root, const struct container_config *c,
		  const int fds[CONFIG_ENTRIES_MAX], struct child_error *e);
