/* destroy.c: removing a stopped container, its rootfs and its logs (destroy; the undo of a
 * failed create). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/quota.h"
#include "fs/rootless.h"
#include "fs/storage.h"
#include "image/clone.h"
#include "image/snapshot.h"
#include "run/destroy.h"
#include "run/hooks.h"
#include "run/lifecycle.h"
#include "store/store.h"

#define LOG_STEP "destroy"

int destroy_container(struct lxmgr_ctx *ctx, const char *name, bool force)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *grave = NULL;
	struct hook_target t;
	int r;

	ctx->name = name;
	if (store_container_open(ctx, name, &c) < 0)
		return -EIO;
	/* Before a --force stop: a refusal must leave it running. */
	if (snapshot_refuse_destroy(ctx, c, force) < 0)
		return -EIO;
	if (store_is_running(c)) {
		if (!force)
			return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
				       "container is running (stop it first, or use --force)");
		if (lifecycle_stop_running(ctx, c, /* timeout= */ 0, /* kill_now= */ true) < 0)
			return -EIO;
	}
	r = store_lock_running(c);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r), "container is in use");
	r = lifecycle_cleanup_stale(ctx, c);
	if (r < 0)
		return -EIO;
	/* Checked under the lock, which a clone of it holds while it works. */
	if (clone_refuse_if_source(ctx, name, "destroying it would take their files away") < 0)
		return -EIO;
	if (snapshot_refuse_destroy(ctx, c, force) < 0)
		return -EIO;
	/* A failing pre-destroy hook keeps the container as it is. */
	hooks_target_of(c, &t);
	if (hooks_run(ctx, &t, HOOK_PRE_DESTROY, 0) < 0)
		return -EIO;
	/* The limit lives in the file system, not in the tree: lifted before the tree goes. */
	quota_release(c);
	/* Out of sight first, then removed: an interrupted destroy leaves no half container. */
	if (xasprintf(&grave, "%s/.%s.destroy-%d", ctx->paths.lib, name, (int)getpid()) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (rename(c->dir, grave) < 0)
		return lx_fail(ctx, -errno, "rename %s", c->dir);
	/* A pool's subvolumes first: the tree below holds only links to them. */
	if (storage_of(&c->cfg) == STORAGE_BTRFS && storage_destroy(ctx, grave) < 0)
		return -EIO;
	/* A rootless store's tree is shifted: removed from inside a user namespace. */
	r = rootless_remove_tree(grave, c->cfg.uid_base, c->cfg.gid_base, c->cfg.id_count);
	if (r < 0)
		return lx_fail(ctx, r, "remove %s", grave);
	(void)rm_rf_at(AT_FDCWD, c->logdir);
	return 0;
}
