/* cmd-provision.c: lxmgr provision NAME: re-apply the container's [provision] section. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "guest/provision.h"
#include "store/store.h"

#define LOG_STEP "provision"

int cmd_provision(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	struct verb_args a = {.min_args = 1, .max_args = 1};
	const char *name;
	int r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	name = a.args[0];
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
