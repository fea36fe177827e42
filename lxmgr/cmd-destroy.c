/* cmd-destroy.c: lxmgr destroy: remove a stopped container, its rootfs and its logs. */
#include <string.h>

#include "cmd.h"
#include "destroy.h"

int cmd_destroy(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	const char *name = NULL;

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
	return destroy_container(ctx, name, force) < 0 ? EXIT_FAILED : 0;
}
