/* cmd-destroy.c: lxmgr destroy: remove a stopped container, its rootfs and its logs. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "fs/quota.h"
#include "fs/rootless.h"
#include "image/clone.h"
#include "run/control.h"
#include "run/hooks.h"
#include "run/lifecycle.h"
#include "store/store.h"

#define LOG_STEP "destroy"

static int on_force(struct lxmgr_ctx *ctx _unused_, int opt _unused_, const char *arg _unused_,
		    void *userdata)
{
	*(bool *)userdata = true;
	return 0;
}

int cmd_destroy(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *grave = NULL;
	struct hook_target t;
	static const struct option longopts[] = {{"force", no_argument, NULL, 'f'}, {}};
	bool force = false;
	struct verb_args a = {.longopts = longopts,
			      .shortopts = "f",
			      .on_option = on_force,
			      .userdata = &force,
			      .min_args = 1,
			      .max_args = 1};
	const char *name;
	int r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	name = a.args[0];
	if (store_container_open(ctx, name, &c) < 0)
		return EXIT_FAILED;
	if (store_is_running(c)) {
		if (!force)
			return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
				       "container is running (stop it first, or use --force)"),
			       EXIT_FAILED;
		if (lifecycle_stop_running(ctx, c, /* timeout= */ 0, /* kill_now= */ true) < 0)
			return EXIT_FAILED;
	}
	r = store_lock_running(c);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r), "container is in use"), EXIT_FAILED;
	r = lifecycle_cleanup_stale(ctx, c);
	if (r < 0)
		return EXIT_FAILED;
	/* Checked under the lock, which a clone of it holds while it works. */
	if (clone_refuse_if_source(ctx, name, "destroying it would take their files away") < 0)
		return EXIT_FAILED;
	/* A failing pre-destroy hook keeps the container as it is. */
	hooks_target_of(c, &t);
	if (hooks_run(ctx, &t, HOOK_PRE_DESTROY, 0) < 0)
		return EXIT_FAILED;
	/* The limit lives in the file system, not in the tree: lifted before the tree goes. */
	quota_release(c);
	/* Out of sight first, then removed: an interrupted destroy leaves no half container. */
	if (xasprintf(&grave, "%s/.%s.destroy-%d", ctx->paths.lib, name, (int)getpid()) < 0)
		return EXIT_FAILED;
	if (rename(c->dir, grave) < 0)
		return lx_fail(ctx, -errno, "rename %s", c->dir), EXIT_FAILED;
	r = rootless_remove_tree(grave, c->cfg.uid_base, c->cfg.gid_base, c->cfg.id_count);
	if (r < 0)
		return lx_fail(ctx, r, "remove %s", grave), EXIT_FAILED;
	(void)rm_rf_at(AT_FDCWD, c->logdir);
	return 0;
}
