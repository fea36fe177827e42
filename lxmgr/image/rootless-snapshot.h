/* rootless-snapshot.h: a rootless container on its own stack of snapshot layers. Every layer
 * carries the container's own block ids (rootfs.shifted), so the overlay needs no idmap: it
 * is mounted as is, in the user's namespace where the monitor runs (docs/snapshots.md). */
#pragma once

struct lxmgr_ctx;
struct container;

/* The container's root for the start sequence: its host view closed first (one upper, one
 * mount), then overlayfs of its layers and overlay/upper (userxattr), not volatile. Returns
 * the detached mount's fd, or -errno reported. */
int rootless_snapshot_tree(const struct lxmgr_ctx *ctx, struct container *c);

/* A rootless full clone's source when it stands on layers: ref "NAME@SNAP" (a snapshot: its
 * sealed layers) or NULL (src runs on its own stack: overlay/upper over it). *ret is the
 * ':'-separated list, top first (malloc'd); NULL when src has a plain rootfs. 0 or -errno. */
int rootless_snapshot_source(const struct lxmgr_ctx *ctx, const struct container *src,
			     const char *ref, char **ret);

/* In the reader, root of a user namespace of the source's range: a mount namespace of its
 * own where target shows the merged lower (read-only overlayfs, userxattr; a single layer is
 * bound). 0 or -errno. */
int rootless_snapshot_mount_source(const char *lower, const char *target);
