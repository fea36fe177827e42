/* kernfs.h: /proc and /sys of a container, mounted so that root inside cannot undo them. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "fs/rootfs.h"

/* What the helper needs to know; every fd stays the caller's. */
struct kernfs_args {
	const char *rootfs; /* host path of the container's rootfs */
	int tree_fd;        /* the idmapped rootfs (detached mount), or -EBADF for a plain bind */
	int pidfd;          /* the container's first process, waiting for SYNC_IDMAP_DONE */
	bool own_netns;     /* sysfs of the container's netns (else the host's) */
	uid_t uid_base;     /* the container's root on the host: owner of a missing /proc, /sys */
	gid_t gid_base;
};

/* Monitor side, once the id maps and the network are in place. A helper process (host root)
 * unshares a mount namespace of the host's user namespace, mounts the rootfs there, joins
 * the container's pid and net namespaces, and inside the rootfs (chrooted) mounts /proc with
 * its read-only parts and masks, and a read-only /sys with its masks. It then joins the
 * container's user namespace and unshares once more: the copy of the mount namespace, owned
 * by the less privileged user namespace, has every mount locked (MNT_LOCKED, and read-only,
 * nosuid, nodev, noexec locked as they are), so root inside can neither unmount a mask nor
 * remount a read-only part, and the kernel refuses it a new proc or sysfs (not fully
 * visible). On success *ret_mntns is that copy and *ret_rootfd the rootfs's root in it
 * (O_PATH); the caller owns both. On failure, -errno with the step and the reason in *e. */
int kernfs_prepare(const struct kernfs_args *a, int *ret_mntns, int *ret_rootfd,
		   struct child_error *e);
