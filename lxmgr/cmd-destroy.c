/* cmd-destroy.c: lxmgr destroy: remove a stopped container, its rootfs and its logs. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "clone.h"
#include "cmd.h"
#include "control.h"
#include "hooks.h"
#include "log.h"
#include "snapshot.h"
#include "store.h"
#include "util.h"

#define LOG_STEP "destroy"

int cmd_destroy(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *grave = NULL;
	struct hook_target t;
	bool force = false;
	const char *name = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f"))
			force = true;
		else if (argv[i][0] == '-')
			return cmd_usage_error(ctx, "unknown option '%s'", argv[i]);
		else if (name)
			return cmd_usage_error(ctx, "unexpected argument '%s'", argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return cmd_usage_error(ctx, "expected NAME");
	ctx->name = name;
	if (store_container_open(ctx, name, &c) < 0)
		return EXIT_FAILED;
	/* Before a --force stop: a refusal must leave it running. */
	if (snapshot_refuse_destroy(ctx, c, force) < 0)
		return EXIT_FAILED;
	if (store_is_running(c)) {
		if (!force)
			return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
				       "container is running (stop it first, or use --force)"),
			       EXIT_FAILED;
		if (cmd_stop_running(ctx, c, /* timeout= */ 0, /* kill_now= */ true) < 0)
			return EXIT_FAILED;
	}
	r = store_lock_running(c);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r), "container is in use"), EXIT_FAILED;
	r = cmd_cleanup_stale(ctx, c);
	if (r < 0)
		return EXIT_FAILED;
	/* Checked under the lock, which a clone of it holds while it works. */
	if (clone_refuse_if_source(ctx, name, "destroying it would take their files away") < 0)
		return EXIT_FAILED;
	if (snapshot_refuse_destroy(ctx, c, force) < 0)
		return EXIT_FAILED;
	/* A failing pre-destroy hook keeps the container as it is. */
	hooks_target_of(c, &t);
	if (hooks_run(ctx, &t, HOOK_PRE_DESTROY, 0) < 0)
		return EXIT_FAILED;
	/* Out of sight first, then removed: an interrupted destroy leaves no half container. */
	if (xasprintf(&grave, "%s/.%s.destroy-%d", ctx->paths.lib, name, (int)getpid()) < 0)
		return EXIT_FAILED;
	if (rename(c->dir, grave) < 0)
		return lx_fail(ctx, -errno, "rename %s", c->dir), EXIT_FAILED;
	r = rm_rf_at(AT_FDCWD, grave);
	if (r < 0)
		return lx_fail(ctx, r, "remove %s", grave), EXIT_FAILED;
	(void)rm_rf_at(AT_FDCWD, c->logdir);
	return 0;
}
