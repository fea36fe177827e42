/* rootless-snapshot.c: the root tree of a rootless container that runs on snapshot layers
 * (rootless-snapshot.h). */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

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

int rootless_snapshot_source(const struct lxmgr_ctx *ctx, const struct container *src,
			     const char *ref, char **ret)
{
	_cleanup_free_ char *lower = NULL;
	int r;

	*ret = NULL;
	if (!ref && !clone_is_snapshot(&src->cfg))
		return 0;
	r = snapshot_lower_of(ctx, ref ? ref : src->cfg.snapshot_of, &lower);
	if (r < 0)
		return r;
	if (ref) {
		*ret = TAKE_PTR(lower);
		return 0;
	}
	/* The source's own writable layer is the top of what a full clone copies. */
	return xasprintf(ret, "%s/" CLONE_OVERLAY_DIR "/upper:%s", src->dir, lower) < 0 ? -ENOMEM
											: 0;
}

int rootless_snapshot_mount_source(const char *lower, const char *target)
{
	_cleanup_free_ char *opts = NULL;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	/* overlayfs wants two layers at least when it has no upper one. */
	if (!strchr(lower, ':'))
		return NEG_ERRNO(mount(lower, target, NULL, MS_BIND | MS_RDONLY, NULL));
	if (xasprintf(&opts, "lowerdir=%s,userxattr", lower) < 0)
		return -ENOMEM;
	return NEG_ERRNO(mount("overlay", target, "overlay", MS_RDONLY, opts));
}
