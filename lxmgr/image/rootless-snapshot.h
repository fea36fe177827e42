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
