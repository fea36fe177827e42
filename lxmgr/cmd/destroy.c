/* cmd-destroy.c: lxmgr destroy: remove a stopped container, its rootfs and its logs. */
#include <getopt.h>
#include <stdbool.h>

#include "base/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "run/destroy.h"

#define LOG_STEP "destroy"

static int on_force(struct lxmgr_ctx *ctx _unused_, int opt _unused_, const char *arg _unused_,
		    void *userdata)
{
	*(bool *)userdata = true;
	return 0;
}

int cmd_destroy(struct lxmgr_ctx *ctx, int argc, char **argv)
{
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
	return destroy_container(ctx, name, force) < 0 ? EXIT_FAILED : 0;
}
