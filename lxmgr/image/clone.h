/* clone.h: clones of a container: the checks on the source, snapshot clones (overlayfs over
 * the source's rootfs) and who is a snapshot of whom. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "store/config.h"

struct lxmgr_ctx;
struct container;

/* LIB/NAME/overlay holds upper/ and work/ of a snapshot clone; LIB/NAME/rootfs stays an empty
 * directory where the child mounts the stacked overlay. */
#define CLONE_OVERLAY_DIR "overlay"
/* At most this many lower layers in one overlay (a snapshot's stack, snapshot.h). */
#define CLONE_MAX_LAYERS 128

static inline bool clone_is_snapshot(const struct container_config *cfg)
{
	return cfg->snapshot_of[0] != '\0';
}

/* Whether the source src may be cloned now (stopped, its lock taken by the caller; not
 * shifted; not a snapshot itself when snapshot is asked). Reports the refusal itself. */
int clone_check_source(const struct lxmgr_ctx *ctx, const struct container *src, bool snapshot);

/* Turns cfg (the source's config as loaded) into the clone's: name, uuid, hostname, id range,
 * net.ip, net.mac and net.forward are cleared (create allocates them anew), rootfs.shifted
 * off, rootfs.snapshot_of set to snapshot_of (NULL: a rootfs of its own). */
int clone_reset_config(struct container_config *cfg, const char *snapshot_of);

/* Copies what src's directory records about its rootfs into the clone's directory dirfd:
 * that provision.run ran (the clone's rootfs holds what it did, so it must not run again).
 * 0 or -errno. */
int clone_copy_records(const struct container *src, int dirfd);

/* Makes dir/overlay/{upper,work} and dir/rootfs for a new snapshot clone. */
int clone_make_layers(const char *dir);

/* The host's view of a snapshot's rootfs: a detached overlay mount of lower (the source's
 * rootfs, or ':'-separated sealed layers, top first) and overlay_dir/{upper,work}, ids as
 * stored on disk. Returns its fd (O_CLOEXEC);
 * its path is /proc/self/fd/FD. Nothing of it is attached to any mount namespace: it goes
 * away with the last descriptor. volatile_: mounted "volatile" (no sync of the whole upper
 * filesystem when it goes); it must then be closed with clone_close_view_at(), which removes
 * the marker that would make overlayfs refuse the next mount of the layers. */
int clone_open_view_at(const char *lower, const char *overlay_dir, bool volatile_);
void clone_close_view_at(int fd, const char *overlay_dir);

/* Moves this process into a mount namespace of its own (a slave of the host's) and attaches
 * the detached mount fd at path there; the host never sees it. */
int clone_attach_private(int fd, const char *path);

/* For a snapshot clone c: opens the view (once) and points c->rootfs at it, so that the
 * host-side code of start (checks, drop-ins, /etc/resolv.conf) works on the merged tree.
 * 0 for any other container. Reports failures itself. */
int clone_view_open(const struct lxmgr_ctx *ctx, struct container *c);
/* Closes the view and points c->rootfs back at LIB/NAME/rootfs. Must happen before
 * clone_open_snapshot_tree: overlayfs must not have the same upper layer mounted twice. */
void clone_view_close(struct container *c);

/* Monitor side: the container's root for a snapshot clone: the source's rootfs and the
 * clone's overlay dir, each idmapped for userns_fd (open_tree + MOUNT_ATTR_IDMAP), with an
 * overlayfs stacked on them (an overlayfs mount cannot be idmapped itself). The overlay is
 * made with the container root's fsuid/fsgid so that what it writes to the upper layer is
 * stored as the distribution's ids. Returns the detached mount's fd or -errno. */
int clone_open_snapshot_tree(const struct lxmgr_ctx *ctx, const struct container *c, int userns_fd);

/* Names of the snapshot clones of name in the store, space-separated, into buf (empty when
 * none). Returns how many there are, or -errno. */
int clone_snapshots_of(const struct lxmgr_ctx *ctx, const char *name, char *buf, size_t size);

/* start and destroy: refuse a container that has snapshot clones (its rootfs is their lower
 * layer), naming them. Reports the refusal itself. */
int clone_refuse_if_source(const struct lxmgr_ctx *ctx, const char *name, const char *what);
