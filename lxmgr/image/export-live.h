/* export-live.h: a consistent tree of a container, stopped or running, for export and
 * publish (docs/snapshots.md). */
#pragma once

#include <errno.h>
#include <stdbool.h>

struct lxmgr_ctx;
struct container;

struct live_tree {
	char snap[65]; /* the temporary snapshot of a running container; "" for none */
	int snap_lock; /* c's snapshot lock: a temporary snapshot's, or held for --snapshots */
	int view_fd;   /* the temporary snapshot's view, attached at DIR/rootfs */
	char *dir;     /* the directory whose "rootfs" is the tree: c->dir, or scratch */
	char *rootfs;  /* DIR/rootfs */
	char *lower;   /* export_in_range: the layers to show on rootfs in the block's namespace
			* (nothing is attached here: only root may mount them on the host) */
};
#define LIVE_TREE_INIT                                                                             \
	{                                                                                          \
		.snap_lock = -EBADF, .view_fd = -EBADF                                             \
	}

/* Makes c's tree consistent to read. A stopped c has its running lock taken (a start waits
 * until c is freed) and, layered or a snapshot clone, its merged view attached on its rootfs
 * directory (in a mount namespace of this process only). A running c gets a temporary
 * snapshot (frozen for its copy, as snapshot create freezes it), whose view is attached at
 * scratch/rootfs (scratch: an empty directory, made and later removed by the caller, that gc
 * removes after a kill). snapshots: c's snapshot lock is held too, so that no snapshot goes
 * meanwhile. Reports failures itself; 0 or -errno. */
int live_tree_open(const struct lxmgr_ctx *ctx, struct container *c, const char *what,
		   const char *scratch, bool snapshots, struct live_tree *t);
/* Unmounts the view and deletes the temporary snapshot. 0 or -errno (reported). */
int live_tree_close(const struct lxmgr_ctx *ctx, struct container *c, struct live_tree *t);

/* export of c, stopped or running (export_write_opts on its live tree). Reports failures
 * itself; 0 or -errno. */
int export_write_live(const struct lxmgr_ctx *ctx, struct container *c, int outfd, bool snapshots);
