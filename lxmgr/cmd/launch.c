/* cmd-launch.c: lxmgr launch: create, start --wait, and how to get in, in one step (what
 * `incus launch` does). */
#include "base/cleanup.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/create-args.h"
#include "fs/rootless.h"
#include "guest/access.h"
#include "run/boot.h"
#include "run/lifecycle.h"
#include "store/store.h"

#define LOG_STEP "launch"

/* Rootless, the start runs as root of the user's own namespace, as `lxmgr start` does
 * (main.c): the same lxmgr is run there with the same store. */
static int start_rootless(struct lxmgr_ctx *ctx, const char *name)
{
	char *argv[6], msg[256];
	int n = 0, r;

	argv[n++] = (char *)ctx->argv0;
	if (ctx->root) {
		argv[n++] = (char *)"--root";
		argv[n++] = (char *)ctx->root;
	}
	argv[n++] = (char *)"start";
	argv[n++] = (char *)name;
	argv[n] = NULL;
	r = rootless_reexec(argv, msg, sizeof(msg));
	if (r < 0 && r != LX_ERRNO(r))
		return lx_fail(ctx, r, "rootless: %s", msg);
	if (r < 0)
		return lx_fail(ctx, r, "rootless: %s", msg[0] ? msg : "enter the user's namespace");
	/* start printed its own failure */
	return r == 0 ? 0 : -ECANCELED;
}

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
	r = rootless_outside() ? start_rootless(ctx, name)
			       : lifecycle_start(ctx, name, /* foreground= */ false);
	if (r < 0)
		return EXIT_FAILED;
	r = boot_wait_up(ctx, name);
	if (store_container_open(ctx, name, &c) >= 0)
		access_print_hint(ctx, c, /* shell_too= */ true);
	return r < 0 ? EXIT_FAILED : 0;
}
