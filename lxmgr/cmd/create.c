/* cmd-create.c: lxmgr create: a container from a template, a rootfs tree or a tarball, built
 * aside and renamed into place so that nothing half-made is ever visible (create-args.c). */
#include "cmd/cmd.h"
#include "cmd/create-args.h"

int cmd_create(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	return create_args_run(ctx, argc, argv, /* hint= */ true);
}
