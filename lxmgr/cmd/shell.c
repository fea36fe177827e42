/* cmd-shell.c: lxmgr shell: a login shell on a new pty inside, as `machinectl shell` gives. */
#include <getopt.h>
#include <stdlib.h>

#include "base/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "run/attach.h"
#include "run/lifecycle.h"

static int on_user(struct lxmgr_ctx *ctx _unused_, int opt _unused_, const char *arg,
		   void *userdata)
{
	((struct attach_opts *)userdata)->user = arg;
	return 0;
}

int cmd_shell(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"user", required_argument, NULL, 'u'},
		{},
	};
	struct attach_opts a = {.tty = true, .login_shell = true};
	struct verb_args v = {.longopts = longopts,
			      .shortopts = "u:",
			      .on_option = on_user,
			      .userdata = &a,
			      .min_args = 1,
			      .max_args = 1};
	int r = cmd_parse(ctx, argc, argv, &v);

	if (r != 0)
		return r;
	r = lifecycle_attach_running(ctx, ctx->name, &a);
	return r < 0 ? EXIT_FAILED : r;
}
