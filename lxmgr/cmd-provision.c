/* cmd-provision.c: lxmgr provision NAME: re-apply the container's [provision] section. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cmd.h"
#include "base/log.h"
#include "provision.h"
#include "store.h"

#define LOG_STEP "provision"

int cmd_provision(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	const char *name = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			return cmd_usage_error(ctx, "unknown option '%s'", argv[i]);
		if (name)
			return cmd_usage_error(ctx, "unexpected argument '%s'", argv[i]);
		name = argv[i];
	}
	if (!name)
		return cmd_usage_error(ctx, "expected NAME");
	ctx->name = name;
	if (store_container_open(ctx, name, &c) < 0)
		return EXIT_FAILED;
	if (!provision_requested(&c->cfg)) {
		printf("%s: nothing to provision (no [provision] keys are set)\n", name);
		return 0;
	}
	c = container_free(c);
	r = provision_apply(ctx, name);
	return r < 0 ? EXIT_FAILED : 0;
}
