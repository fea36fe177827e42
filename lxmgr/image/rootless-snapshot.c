/* rootless-snapshot.c: the root tree of a rootless container that runs on snapshot layers
 * (rootless-snapshot.h). */
#include <errno.h>
#include <stdbool.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "image/clone.h"
#include "image/rootless-snapshot.h"
#include "image/snapshot.h"
#include "store/store.h"

#define LOG_STEP "rootfs"

int rootless_snapshot_tree(const struct lxmgr_ctx *ctx, struct container *c)
{
	_cleanup_free_ char *lower = NULL, *ovdir = NULL;
	int r;

	/* The host-side view was volatile and is the upper's only other user. */
	clone_view_close(c);
	r = snapshot_lower_of(ctx, c->cfg.snapshot_of, &lower);
	if (r < 0)
		return lx_fail(ctx, r, "the layers of %s", c->cfg.snapshot_of);
	if (xasprintf(&ovdir, "%s/" CLONE_OVERLAY_DIR, c->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = clone_open_view_at(lower, ovdir, /* volatile_= */ false);
	if (r < 0)
		return lx_fail(ctx, r, "overlayfs of %s and %s/upper in the user's namespace",
			       lower, ovdir);
	return r;
}
