/* export-live.c: a consistent tree of a container, stopped or running: export and publish of
 * a running one read a temporary snapshot (docs/snapshots.md). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/storage.h"
#include "image/clone.h"
#include "image/export-live.h"
#include "image/rootless-snapshot.h"
#include "image/export.h"
#include "image/snapshot.h"
#include "store/store.h"

#define LOG_STEP "export"

/* The temporary snapshot's layers under an empty upper of scratch/view, on scratch/rootfs. */
static int attach_snapshot_view(const struct lxmgr_ctx *ctx, struct container *c,
				const char *scratch, struct live_tree *t)
{
	_cleanup_free_ char *ref = NULL, *lower = NULL, *ov = NULL, *up = NULL, *wk = NULL;
	int r;

	if (xasprintf(&ref, "%s@%s", c->name, t->snap) < 0 ||
	    xasprintf(&ov, "%s/view", scratch) < 0 || xasprintf(&up, "%s/upper", ov) < 0 ||
	    xasprintf(&wk, "%s/work", ov) < 0 || !(t->dir = strdup(scratch)) ||
	    xasprintf(&t->rootfs, "%s/rootfs", scratch) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = snapshot_lower_of(ctx, ref, &lower);
	if (r < 0)
		return lx_fail(ctx, r, "the layers of %s", ref);
	if (mkdir(ov, 0700) < 0 || mkdir(up, 0755) < 0 || mkdir(wk, 0700) < 0 ||
	    mkdir(t->rootfs, 0755) < 0)
		return lx_fail(ctx, -errno, "make %s", ov);
	t->view_fd = clone_open_view_at(lower, ov, /* volatile_= */ false);
	if (t->view_fd < 0)
		return lx_fail(ctx, t->view_fd, "overlayfs of %s", ref);
	r = clone_attach_private(t->view_fd, t->rootfs);
	return r < 0 ? lx_fail(ctx, r, "mount the view of %s on %s", ref, t->rootfs) : 0;
}

/* The btrfs pool's snapshots are subvolumes, not layers: neither a temporary snapshot of a
 * running container nor --snapshots goes through this file's layer code for them. */
static int refuse_pool(const struct lxmgr_ctx *ctx, const struct container *c, const char *what,
		       bool running, bool snapshots)
{
	if (storage_of(&c->cfg) == STORAGE_DIR || (!running && !snapshots))
		return 0;
	return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
		       "%s of a container on the btrfs pool%s is not done yet: %s", what,
		       running ? " while it runs" : " with --snapshots",
		       running ? "stop it first, or snapshot it and use a clone of the snapshot"
			       : "leave out --snapshots");
}

/* A rootless container's layers are mounted by the reader, in its block's namespace. */
static int snapshot_tree_in_range(const struct lxmgr_ctx *ctx, struct container *c,
				  const char *scratch, struct live_tree *t)
{
	_cleanup_free_ char *ref = NULL;
	int r;

	if (xasprintf(&ref, "%s@%s", c->name, t->snap) < 0 || !(t->dir = strdup(scratch)) ||
	    xasprintf(&t->rootfs, "%s/rootfs", scratch) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (mkdir(t->rootfs, 0755) < 0)
		return lx_fail(ctx, -errno, "make %s", t->rootfs);
	r = snapshot_lower_of(ctx, ref, &t->lower);
	return r < 0 ? lx_fail(ctx, r, "the layers of %s", ref) : 0;
}

static int own_tree_in_range(const struct lxmgr_ctx *ctx, struct container *c, struct live_tree *t)
{
	int r;

	if (!(t->dir = strdup(c->dir)) || xasprintf(&t->rootfs, "%s/rootfs", c->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = rootless_snapshot_source(ctx, c, NULL, &t->lower);
	return r < 0 ? lx_fail(ctx, r, "the layers of %s", c->name) : 0;
}

int live_tree_open(const struct lxmgr_ctx *ctx, struct container *c, const char *what,
		   const char *scratch, bool snapshots, struct live_tree *t)
{
	int r = store_lock_running(c);

	if ((r >= 0 || r == -EBUSY) && refuse_pool(ctx, c, what, r == -EBUSY, snapshots) < 0)
		return LX_SYNTHETIC(-EOPNOTSUPP);
	if (r == -EBUSY) {
		r = snapshot_create_temporary(ctx, c, what, t->snap, &t->snap_lock);
		if (r < 0) {
			t->snap[0] = '\0'; /* nothing to delete: gc removes what it left */
			return r;
		}
		return export_in_range(c) ? snapshot_tree_in_range(ctx, c, scratch, t)
					  : attach_snapshot_view(ctx, c, scratch, t);
	}
	if (r < 0)
		return lx_fail(ctx, r, "lock %s", c->dir);
	if (snapshots) {
		t->snap_lock = snapshot_lock(c, /* wait= */ true);
		if (t->snap_lock < 0)
			return lx_fail(ctx, t->snap_lock, "lock %s/" SNAPSHOT_DIR, c->dir);
	}
	if (export_in_range(c))
		return own_tree_in_range(ctx, c, t);
	/* The directory holding rootfs/: LIB/NAME, or a btrfs container's subvolume. */
	if (storage_rootfs_parent(c, &t->dir) < 0 || xasprintf(&t->rootfs, "%s/rootfs", t->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	return clone_is_snapshot(&c->cfg) ? export_attach_view(ctx, c) : 0;
}

int live_tree_close(const struct lxmgr_ctx *ctx, struct container *c, struct live_tree *t)
{
	int r = 0;

	if (t->view_fd >= 0) {
		(void)umount2(t->rootfs, MNT_DETACH);
		(void)close(t->view_fd);
		t->view_fd = -EBADF;
	}
	if (t->snap[0]) {
		r = snapshot_drop_temporary(c, t->snap, TAKE_FD(t->snap_lock));
		if (r < 0)
			(void)lx_fail(ctx, r, "delete the temporary snapshot %s of %s", t->snap,
				      c->name);
		t->snap[0] = '\0';
	} else if (t->snap_lock >= 0) {
		(void)close(TAKE_FD(t->snap_lock));
	}
	free(t->dir);
	free(t->rootfs);
	free(t->lower);
	t->dir = t->rootfs = t->lower = NULL;
	return r;
}

int export_write_live(const struct lxmgr_ctx *ctx, struct container *c, int outfd, bool snapshots)
{
	struct live_tree t = LIVE_TREE_INIT;
	_cleanup_free_ char *scratch = NULL;
	_cleanup_close_ int scratchfd = -EBADF;
	uint64_t t0 = now_ns();
	int r, k;

	r = export_check_ids(ctx, c, "export", /* in_range= */ true);
	if (r < 0)
		return r;
	r = export_make_stage(ctx, c->name, &scratch, &scratchfd);
	if (r < 0)
		return r;
	r = live_tree_open(ctx, c, "export", scratch, snapshots, &t);
	if (r >= 0 && t.snap[0])
		lx_info(ctx,
			"%s is running: its temporary snapshot took %.3f s (frozen for "
			"its copy)",
			c->name, (double)(now_ns() - t0) / 1e9);
	if (r >= 0)
		r = export_write_opts(ctx, c, outfd,
				      &(const struct export_opts){.snapshots = snapshots,
								  .tree = t.dir,
								  .lower = t.lower});
	k = live_tree_close(ctx, c, &t);
	(void)rm_rf_at(AT_FDCWD, scratch);
	return r < 0 ? r : k;
}
