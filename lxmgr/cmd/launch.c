/* cmd-launch.c: lxmgr launch: create, start --wait, and how to get in, in one step (what
 * `incus launch` does). */
#include "base/cleanup.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/create-args.h"
#include "guest/access.h"
#include "run/boot.h"
#include "run/lifecycle.h"
#include "store/store.h"

#define LOG_STEP "launch"

int cmd_launch(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	const char *name;
	int r;

	r = create_args_run(ctx, argc, argv, /* hint= */ false);
	if (r != 0)
		return r;
	/* Made and provisioned: a failure to boot leaves it, as start would, for the user to
	 * look at (console --log) rather than removing what was just built. */
	name = ctx->name;
	if (lifecycle_start(ctx, name, /* foreground= */ false) < 0)
		return EXIT_FAILED;
	r = boot_wait_up(ctx, name);
	if (store_container_open(ctx, name, &c) >= 0)
		access_print_hint(ctx, c, /* shell_too= */ true);
	return r < 0 ? EXIT_FAILED : 0;
}
