/* cmd-shell.c: lxmgr shell: a login shell on a new pty inside, as `machinectl shell` gives. */
#include <getopt.h>
#include <stdlib.h>

#include "args.h"
#include "attach.h"
#include "cmd.h"

int cmd_shell(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"user", required_argument, NULL, 'u'},
		{},
	};
	struct attach_opts a = {.tty = true, .login_shell = true};
	char bad[3];
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":u:", longopts, NULL)) >= 0)
		if (c == 'u')
			a.user = optarg;
		else if (c == ':')
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		else
			return cmd_usage_error(ctx, "unknown option '%s'",
					       args_bad_option(argv, optind, optopt, bad));
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, "expected NAME");
	ctx->name = argv[optind];
	r = cmd_attach_running(ctx, ctx->name, &a);
	return r < 0 ? EXIT_FAILED : r;
}
